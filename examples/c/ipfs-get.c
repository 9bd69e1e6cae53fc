// ipfs-get: fetches one CID through the runtime's IPFS store again and again and checks its bytes
// (the other half of ipfs-put). Runs forever.
//   station run --allow-ipfs --repo /tmp/repo --json ipfs-get.wasm CID "some text" 1000
//
// Args: CID EXPECTED [INTERVAL_MS] [TIMEOUT_MS]
//   CID          what to get (CID[/path]), as a UnixFS file
//   EXPECTED     the text the file must hold, byte for byte
//   INTERVAL_MS  pause between gets, and after a failure (default 1000)
//   TIMEOUT_MS   limit for one get (default 10000); the runtime asks local blocks, then Bitswap
//                peers, then gateways
// Each round reports
//   activity info  "got CID (N bytes) ok"  and one job_completed     when the bytes match
//   activity error "got CID (N bytes): differs from the expected M bytes"   on a mismatch
//   activity error "ipfs_get CID failed: CODE: message"              when the get fails or times out
// Exit status 2 for a usage error.
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station.h"

/// The largest content compared; anything longer is a mismatch anyway.
#define MAX_CONTENT (1 << 20)

static uint8_t content[MAX_CONTENT + 1];

/// Sleeps ms milliseconds (WASI poll_oneoff on a clock; station_poll needs a handle).
static void sleep_ms(int64_t ms) {
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/// Parses a positive decimal number; 0 for anything else.
static int64_t parse_positive(const char *text) {
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || value <= 0) return 0;
    return (int64_t)value;
}

/// Reports "ipfs_get CID failed: CODE: last error" as an error activity and on stderr.
static void report_failure(const char *cid, int32_t code) {
    char error[512], message[1024];
    snprintf(message, sizeof message, "ipfs_get %s failed: %s: %s", cid, station_error_name(code),
             station_last_error_str(error, sizeof error));
    fprintf(stderr, "ipfs-get: %s\n", message);
    (void)station_log_error(message);
}

/// Gets the CID into content; returns the byte count (at most MAX_CONTENT + 1), or a negative code.
static int32_t get_once(const char *cid, int64_t timeout_ms) {
    int32_t handle = station_ipfs_get(cid, strlen(cid), STATION_IPFS_FORMAT_FILE, timeout_ms);
    if (handle < 0) return handle;
    size_t length = 0;
    int32_t result = 0;
    for (;;) {
        if (length == sizeof content) break;   // longer than any expected text: stop reading
        int32_t n = station_read(handle, content + length, sizeof content - length);
        if (n == STATION_E_WOULD_BLOCK) {
            // The get's own timeout ends the wait with an error on the handle.
            int32_t ready;
            int32_t polled = station_poll(&handle, 1, &ready, STATION_POLL_FOREVER);
            if (polled < 0) { result = polled; break; }
            continue;
        }
        if (n < 0) { result = n; break; }
        if (n == 0) break;
        length += (size_t)n;
    }
    station_close(handle);
    return result < 0 ? result : (int32_t)length;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5 || (argc > 3 && parse_positive(argv[3]) == 0)
        || (argc > 4 && parse_positive(argv[4]) == 0) || strlen(argv[2]) > MAX_CONTENT) {
        fprintf(stderr, "usage: ipfs-get CID EXPECTED [INTERVAL_MS] [TIMEOUT_MS]\n"
                        "  INTERVAL_MS default 1000, TIMEOUT_MS default 10000; EXPECTED at most 1 MiB\n");
        return 2;
    }
    const char *cid = argv[1], *expected = argv[2];
    size_t expected_length = strlen(expected);
    int64_t interval = argc > 3 ? parse_positive(argv[3]) : 1000;
    int64_t timeout = argc > 4 ? parse_positive(argv[4]) : 10000;

    for (;;) {
        int32_t got = get_once(cid, timeout);
        char message[1024];
        if (got < 0) {
            report_failure(cid, got);
        } else if ((size_t)got == expected_length && memcmp(content, expected, expected_length) == 0) {
            snprintf(message, sizeof message, "got %s (%" PRId32 " bytes) ok", cid, got);
            (void)station_log_info(message);
            station_job_completed();
        } else {
            snprintf(message, sizeof message, "got %s (%" PRId32 "%s bytes): differs from the expected %zu bytes",
                     cid, got, got > MAX_CONTENT ? "+" : "", expected_length);
            fprintf(stderr, "ipfs-get: %s\n", message);
            (void)station_log_error(message);
        }
        sleep_ms(interval);
    }
}
