// fetch: GETs every URL given, all at once through the station ABI, with a bounded number in flight.
//   station run --allow-net http://127.0.0.1:8080 fetch.wasm http://127.0.0.1:8080/a http://127.0.0.1:8080/b
//
// Prints one line per request, in argument order:
//   URL STATUS BODY_LENGTH          for a response (any status)
//   URL error CODE_NAME: message    for a failure (denied, io, timed-out, ...)
// Options (before the URLs):
//   -c N      at most N requests in flight (default 64)
//   -n COUNT  repeat the URL list COUNT times (for benchmarks; default 1)
//   -q        print only the summary line: requests=R ok=O errors=E bytes=B
//   -t        append seconds=S (time spent fetching, measured inside the module) to the summary
// Exit status: 0 when every request got a response, 1 when any failed, 2 for a usage error.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station.h"

/// One finished request, kept until every earlier one is printed (argument order).
typedef struct {
    int done;
    int32_t status;  // HTTP status (> 0) or a STATION_E_* code (< 0)
    uint64_t bytes;
    char *message;   // the host's message for a failure, or NULL
} Outcome;

/// A request in flight.
typedef struct {
    int32_t handle;  // 0: the slot is free
    size_t request;  // index into the repeated URL list
    int32_t status;  // 0 until the response head has been collected
    uint64_t bytes;
} Slot;

typedef struct {
    char **urls;
    size_t url_count;
    size_t total;        // url_count * repeat
    size_t concurrency;
    int quiet;
    int timed;
} Options;

typedef struct {
    Options options;
    Slot *slots;
    size_t in_flight;
    size_t started;
    size_t finished;
    Outcome *outcomes;   // NULL in quiet mode
    size_t next_to_print;
    uint64_t ok, errors, bytes;
} Run;

static uint8_t body_buffer[64 * 1024];

static void usage(void) {
    fprintf(stderr, "usage: fetch [-c IN_FLIGHT] [-n REPEAT] [-q] [-t] URL...\n");
}

/// Parses a positive decimal number no bigger than max; 0 on anything else.
static size_t parse_count(const char *text, size_t max) {
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || value == 0 || value > max) return 0;
    return (size_t)value;
}

/// Fills options from argv; returns 0 on success, -1 after printing a usage error.
static int parse_options(int argc, char **argv, Options *options) {
    size_t repeat = 1;
    options->concurrency = 64;
    options->quiet = 0;
    options->timed = 0;
    int index = 1;
    for (; index < argc && argv[index][0] == '-'; index++) {
        const char *flag = argv[index];
        if (strcmp(flag, "--") == 0) { index++; break; }
        if (strcmp(flag, "-q") == 0) { options->quiet = 1; continue; }
        if (strcmp(flag, "-t") == 0) { options->timed = 1; continue; }
        if ((strcmp(flag, "-c") == 0 || strcmp(flag, "-n") == 0) && index + 1 < argc) {
            size_t value = parse_count(argv[++index], flag[1] == 'c' ? 65536 : 100000000);
            if (value == 0) {
                fprintf(stderr, "fetch: %s needs a positive number, not '%s'\n", flag, argv[index]);
                return -1;
            }
            if (flag[1] == 'c') options->concurrency = value; else repeat = value;
            continue;
        }
        fprintf(stderr, "fetch: unknown option '%s'\n", flag);
        usage();
        return -1;
    }
    options->urls = argv + index;
    options->url_count = (size_t)(argc - index);
    if (options->url_count == 0) {
        usage();
        return -1;
    }
    if (repeat > SIZE_MAX / options->url_count) {
        fprintf(stderr, "fetch: too many requests\n");
        return -1;
    }
    options->total = options->url_count * repeat;
    if (options->concurrency > options->total) options->concurrency = options->total;
    return 0;
}

static const char *url_of(const Run *run, size_t request) {
    return run->options.urls[request % run->options.url_count];
}

/// Copies the host's message for the failure that just happened.
static char *copy_last_error(void) {
    char message[512];
    station_last_error_str(message, sizeof message);
    return strdup(message);
}

static void print_outcome(const Run *run, size_t request, const Outcome *outcome) {
    if (outcome->status > 0) {
        printf("%s %" PRId32 " %" PRIu64 "\n", url_of(run, request), outcome->status, outcome->bytes);
    } else {
        printf("%s error %s: %s\n", url_of(run, request), station_error_name(outcome->status),
               outcome->message ? outcome->message : "");
    }
}

/// Records the end of a request and prints every outcome that is now next in argument order.
/// For a failure, `message` explains it; NULL takes the host's message for the call that just failed.
static void record(Run *run, size_t request, int32_t status, uint64_t bytes, const char *message) {
    run->finished++;
    if (status > 0) { run->ok++; run->bytes += bytes; } else { run->errors++; }
    if (run->outcomes == NULL) return;
    Outcome *outcome = &run->outcomes[request];
    outcome->done = 1;
    outcome->status = status;
    outcome->bytes = bytes;
    outcome->message = status > 0 ? NULL : message != NULL ? strdup(message) : copy_last_error();
    while (run->next_to_print < run->options.total && run->outcomes[run->next_to_print].done) {
        Outcome *next = &run->outcomes[run->next_to_print];
        print_outcome(run, run->next_to_print, next);
        free(next->message);
        next->message = NULL;
        run->next_to_print++;
    }
}

/// Starts the next request in a free slot (or records its immediate failure).
static void start_next(Run *run) {
    size_t request = run->started++;
    int32_t handle = station_http_get(url_of(run, request));
    if (handle < 0) {
        record(run, request, handle, 0, NULL);
        return;
    }
    for (size_t i = 0; i < run->options.concurrency; i++) {
        if (run->slots[i].handle == 0) {
            run->slots[i] = (Slot){ .handle = handle, .request = request, .status = 0, .bytes = 0 };
            run->in_flight++;
            return;
        }
    }
    // Unreachable while in_flight < concurrency; fail the request rather than leak the handle.
    station_close(handle);
    record(run, request, STATION_E_LIMIT_REACHED, 0, "fetch: no free request slot");
}

static void finish(Run *run, Slot *slot, int32_t status) {
    // Record first: for a failure the host's message must be read before close() is called.
    record(run, slot->request, status, slot->bytes, NULL);
    station_close(slot->handle);
    slot->handle = 0;
    run->in_flight--;
}

/// Advances a ready request as far as it goes without blocking.
static void advance(Run *run, Slot *slot) {
    if (slot->status == 0) {
        int32_t status = station_http_status(slot->handle);
        if (status == STATION_E_WOULD_BLOCK) return;
        if (status < 0) { finish(run, slot, status); return; }
        slot->status = status;
    }
    for (;;) {
        int32_t count = station_read(slot->handle, body_buffer, sizeof body_buffer);
        if (count > 0) { slot->bytes += (uint64_t)count; continue; }
        if (count == STATION_E_WOULD_BLOCK) return;
        finish(run, slot, count == 0 ? slot->status : count);
        return;
    }
}

static double now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/// Runs every request; returns 0, or -1 when poll itself failed.
static int fetch_all(Run *run) {
    size_t capacity = run->options.concurrency;
    int32_t *handles = malloc(capacity * sizeof *handles);
    int32_t *ready = malloc(capacity * sizeof *ready);
    size_t *slot_of = malloc(capacity * sizeof *slot_of);
    if (handles == NULL || ready == NULL || slot_of == NULL) {
        fprintf(stderr, "fetch: out of memory\n");
        return -1;
    }
    int result = 0;
    while (run->finished < run->options.total) {
        while (run->in_flight < capacity && run->started < run->options.total) start_next(run);
        if (run->in_flight == 0) continue;
        size_t count = 0;
        for (size_t i = 0; i < capacity; i++) {
            if (run->slots[i].handle != 0) {
                handles[count] = run->slots[i].handle;
                slot_of[count] = i;
                count++;
            }
        }
        int32_t ready_count = station_poll(handles, count, ready, STATION_POLL_FOREVER);
        if (ready_count < 0) {
            char message[512];
            fprintf(stderr, "fetch: poll failed: %s: %s\n", station_error_name(ready_count),
                    station_last_error_str(message, sizeof message));
            result = -1;
            break;
        }
        // Ready handles come back in the order given, so one pass pairs them with their slots.
        size_t position = 0;
        for (int32_t k = 0; k < ready_count; k++) {
            while (position < count && handles[position] != ready[k]) position++;
            if (position == count) break;
            advance(run, &run->slots[slot_of[position]]);
        }
    }
    free(handles);
    free(ready);
    free(slot_of);
    return result;
}

int main(int argc, char **argv) {
    Run run = { 0 };
    if (parse_options(argc, argv, &run.options) != 0) return 2;
    run.slots = calloc(run.options.concurrency, sizeof *run.slots);
    if (!run.options.quiet) run.outcomes = calloc(run.options.total, sizeof *run.outcomes);
    if (run.slots == NULL || (!run.options.quiet && run.outcomes == NULL)) {
        fprintf(stderr, "fetch: out of memory for %zu requests\n", run.options.total);
        return 2;
    }
    double start = now_seconds();
    if (fetch_all(&run) != 0) return 1;
    double seconds = now_seconds() - start;
    if (run.options.quiet) {
        printf("requests=%zu ok=%" PRIu64 " errors=%" PRIu64 " bytes=%" PRIu64, run.finished, run.ok,
               run.errors, run.bytes);
        if (run.options.timed) printf(" seconds=%.3f", seconds);
        printf("\n");
    } else if (run.options.timed) {
        printf("seconds=%.3f\n", seconds);
    }
    return run.errors == 0 ? 0 : 1;
}
