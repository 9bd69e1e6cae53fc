// p2p-ping: sends "ping N" over a libp2p protocol every INTERVAL_MS and checks that the same bytes
// come back (the client half of p2p-echo). Runs forever.
//   station run --allow-p2p /station-test/echo/1.0.0 --p2p-local --json p2p-ping.wasm \
//       /ip4/127.0.0.1/tcp/4101 /station-test/echo/1.0.0 1000
//
// Args: ADDRESS [PROTOCOL] [INTERVAL_MS]
//   ADDRESS      a multiaddr. Without a /p2p/ part (e.g. /ip4/127.0.0.1/tcp/4101) the module appends
//                /p2p/<its own peer id>: in the daemon every module shares one node, so this reaches
//                an echo module on the same node. With /p2p/PEER it is used as is (another node).
//   PROTOCOL     the protocol id (default /station-test/echo/1.0.0; it must be granted)
//   INTERVAL_MS  pause between pings, and after a failure (default 1000)
// Each round N (from 1): dial, write "ping N", half-close, read to the end (at most TIMEOUT_MS for
// the whole round), close. Reports
//   activity info  "echo ok N"  and one job_completed      when the reply equals what was sent
//   activity error "ping N: reply differs: got M bytes"     on a mismatch
//   activity error "ping N: WHAT failed: CODE: message"     on a failed dial, write or read
// and then pauses INTERVAL_MS and carries on either way. Exit status 2 for a usage error.
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "station.h"

#define DEFAULT_PROTOCOL "/station-test/echo/1.0.0"
#define TIMEOUT_MS 10000

/// Milliseconds on the monotonic clock.
static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/// Sleeps ms milliseconds (WASI poll_oneoff on a clock; station_poll needs a handle).
static void sleep_ms(int64_t ms) {
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/// Reports activity; a message dropped by the rate limit is not a failure.
static void report(int32_t level, const char *message) {
    (void)station_activity(level, message, strlen(message));
}

/// Parses a positive decimal number; 0 for anything else.
static int64_t parse_positive(const char *text) {
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || value <= 0) return 0;
    return (int64_t)value;
}

/// wait_for's result when the round's deadline passed (the host has no message for that).
#define ROUND_TIMED_OUT 1

/// Waits until handle is ready: 0, ROUND_TIMED_OUT when the round's deadline passes first, or the
/// negative code station_poll failed with.
static int32_t wait_for(int32_t handle, int64_t deadline) {
    int64_t left = deadline - now_ms();
    if (left <= 0) return ROUND_TIMED_OUT;
    int32_t ready;
    int32_t n = station_poll(&handle, 1, &ready, left);
    if (n < 0) return n;
    return n == 0 ? ROUND_TIMED_OUT : 0;
}

/// One round: returns 0 when the echo matched; otherwise reports why and returns -1.
static int ping_once(const char *address, const char *protocol, uint64_t round) {
    char sent[64], reply[256], message[768], error[512];
    const char *what = "dial";
    int len = snprintf(sent, sizeof sent, "ping %" PRIu64, round);
    size_t written = 0, received = 0;
    int64_t deadline = now_ms() + TIMEOUT_MS;
    int32_t code = 0;

    int32_t stream = station_p2p_dial(address, strlen(address), protocol, strlen(protocol), TIMEOUT_MS);
    if (stream < 0) { code = stream; goto failed; }
    what = "open";   // the first write waits for the stream to open, and reports a failed open
    while (written < (size_t)len) {
        int32_t n = station_write(stream, sent + written, (size_t)len - written);
        if (n == STATION_E_WOULD_BLOCK) {
            if ((code = wait_for(stream, deadline)) != 0) goto failed;
            continue;
        }
        if (n < 0) { code = n; goto failed; }
        written += (size_t)n;
        what = "write";
    }
    for (;;) {   // the stream is open once a write was taken
        int32_t n = station_close_write(stream);
        if (n == 0) break;
        if (n != STATION_E_WOULD_BLOCK) { code = n; goto failed; }
        if ((code = wait_for(stream, deadline)) != 0) goto failed;
    }
    what = "read";
    for (;;) {
        int32_t n = station_read(stream, reply + received, sizeof reply - received);
        if (n == STATION_E_WOULD_BLOCK) {
            if ((code = wait_for(stream, deadline)) != 0) goto failed;
            continue;
        }
        if (n < 0) { code = n; goto failed; }
        if (n == 0) break;
        received += (size_t)n;
        if (received == sizeof reply) break;   // far more than was sent: a mismatch anyway
    }
    station_close(stream);
    if (received != (size_t)len || memcmp(reply, sent, received) != 0) {
        snprintf(message, sizeof message, "ping %" PRIu64 ": reply differs: got %zu bytes, sent %d", round, received, len);
        report(STATION_ACTIVITY_ERROR, message);
        return -1;
    }
    return 0;

failed:
    if (code == ROUND_TIMED_OUT) {
        code = STATION_E_TIMED_OUT;
        snprintf(error, sizeof error, "no answer within %d ms", TIMEOUT_MS);
    } else {
        station_last_error_str(error, sizeof error);
    }
    snprintf(message, sizeof message, "ping %" PRIu64 ": %s failed: %s: %s", round, what, station_error_name(code), error);
    report(STATION_ACTIVITY_ERROR, message);
    fprintf(stderr, "p2p-ping: %s\n", message);
    if (stream > 0) station_close(stream);
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4 || argv[1][0] != '/' || (argc > 2 && argv[2][0] != '/')
        || (argc > 3 && parse_positive(argv[3]) == 0)) {
        fprintf(stderr, "usage: p2p-ping ADDRESS [PROTOCOL] [INTERVAL_MS]\n"
                        "  ADDRESS without /p2p/ gets /p2p/<own peer id> appended\n"
                        "  PROTOCOL default " DEFAULT_PROTOCOL ", INTERVAL_MS default 1000\n");
        return 2;
    }
    const char *protocol = argc > 2 ? argv[2] : DEFAULT_PROTOCOL;
    int64_t interval = argc > 3 ? parse_positive(argv[3]) : 1000;

    static char address[1024];
    if (strstr(argv[1], "/p2p/") != NULL) {
        snprintf(address, sizeof address, "%s", argv[1]);
    } else {
        char peer_id[128];
        int32_t full = station_p2p_peer_id(peer_id, sizeof peer_id - 1);
        if (full <= 0 || (size_t)full >= sizeof peer_id) {
            char error[512], message[640];
            snprintf(message, sizeof message, "cannot read our own peer id: %s", station_last_error_str(error, sizeof error));
            report(STATION_ACTIVITY_ERROR, message);
            fprintf(stderr, "p2p-ping: %s\n", message);
            return 1;
        }
        station_terminate_copy_out(peer_id, sizeof peer_id, full);
        size_t base = strlen(argv[1]);
        while (base > 0 && argv[1][base - 1] == '/') base--;   // no "//p2p"
        snprintf(address, sizeof address, "%.*s/p2p/%s", (int)base, argv[1], peer_id);
    }

    for (uint64_t round = 1;; round++) {
        if (ping_once(address, protocol, round) == 0) {
            char message[64];
            snprintf(message, sizeof message, "echo ok %" PRIu64, round);
            report(STATION_ACTIVITY_INFO, message);
            station_job_completed();
        }
        sleep_ms(interval);
    }
}
