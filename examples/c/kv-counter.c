// kv-counter: reads the key "counter" (decimal text, absent = 0), adds one, stores it and prints
// the new value. With an argument N it does that N times and prints only the last value, so a
// crash test can kill the runtime mid-way and check that the stored count never goes backwards.
//   station run --kv counter.db kv-counter.wasm 1000
// Exit status: 0, 1 when the store fails or holds something that is not a count, 2 for usage.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station.h"

static const char counter_key[] = "counter";

/// Parses a decimal count; returns 0 and sets *value, or -1 for anything else.
static int parse_decimal(const char *text, uint64_t *value) {
    char *end = NULL;
    if (text[0] < '0' || text[0] > '9') return -1;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (*end != '\0') return -1;
    *value = (uint64_t)parsed;
    return 0;
}

static void report_failure(const char *what, int32_t code) {
    char message[512];
    fprintf(stderr, "kv-counter: %s failed: %s: %s\n", what, station_error_name(code),
            station_last_error_str(message, sizeof message));
}

/// Reads the counter, adds one and stores it; returns 0 and sets *next, or -1.
static int increment(uint64_t *next) {
    char text[32];
    int32_t length = station_kv_get_str(counter_key, text, sizeof text);
    uint64_t current = 0;
    if (length == STATION_E_NOT_FOUND) {
        current = 0;
    } else if (length < 0) {
        report_failure("kv_get", length);
        return -1;
    } else if ((size_t)length >= sizeof text || parse_decimal(text, &current) != 0) {
        fprintf(stderr, "kv-counter: the stored counter is not a decimal number\n");
        return -1;
    }
    *next = current + 1;
    snprintf(text, sizeof text, "%" PRIu64, *next);
    int32_t stored = station_kv_put_str(counter_key, text);
    if (stored < 0) {
        report_failure("kv_put", stored);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    uint64_t times = 1;
    if (argc > 2 || (argc == 2 && (parse_decimal(argv[1], &times) != 0 || times == 0))) {
        fprintf(stderr, "usage: kv-counter [TIMES]   (TIMES: a positive number, default 1)\n");
        return 2;
    }
    uint64_t value = 0;
    for (uint64_t i = 0; i < times; i++) {
        if (increment(&value) != 0) return 1;
    }
    printf("%" PRIu64 "\n", value);
    return 0;
}
