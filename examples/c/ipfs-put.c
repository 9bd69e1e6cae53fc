// ipfs-put: publishes one deterministic text into IPFS, then idles forever (the other half of
// ipfs-get: the content stays pinned for this module while it runs).
//   station run --allow-ipfs --repo /tmp/repo --kv /tmp/put.sqlite --json ipfs-put.wasm "some text"
//
// Args: [TEXT]  the content to store, byte for byte (default "station test content").
// Once: ipfs_put(TEXT) (a UnixFS file, CIDv1 with raw leaves, pinned for the module), then
//   - activity info "published CID" and one job_completed,
//   - the CID on standard output (one line),
//   - the CID under the key "cid" in the key-value store when the module has one (without a store
//     the call is denied and skipped silently; any other store failure is an error activity),
// then sleeps forever and reports nothing more.
// Exit status: 1 when the put fails (error activity "ipfs_put failed: CODE: message"), 2 for usage.
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "station.h"

#define DEFAULT_TEXT "station test content"

/// Reports "WHAT: CODE: last error" as an error activity and on stderr.
static void report_failure(const char *what, int32_t code) {
    char error[512], message[768];
    snprintf(message, sizeof message, "%s: %s: %s", what, station_error_name(code),
             station_last_error_str(error, sizeof error));
    fprintf(stderr, "ipfs-put: %s\n", message);
    (void)station_log_error(message);
}

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: ipfs-put [TEXT]   (default \"" DEFAULT_TEXT "\")\n");
        return 2;
    }
    const char *text = argc == 2 ? argv[1] : DEFAULT_TEXT;
    char cid[256];
    int32_t full = station_ipfs_put(text, strlen(text), cid, sizeof cid - 1);
    if (full < 0) {
        report_failure("ipfs_put failed", full);
        return 1;
    }
    if ((size_t)full >= sizeof cid) {
        fprintf(stderr, "ipfs-put: the CID is longer than %zu bytes\n", sizeof cid - 1);
        return 1;
    }
    station_terminate_copy_out(cid, sizeof cid, full);

    char message[300];
    snprintf(message, sizeof message, "published %s", cid);
    (void)station_log_info(message);
    station_job_completed();
    printf("%s\n", cid);
    fflush(stdout);

    // A module without a store gets STATION_E_DENIED: nothing to do then.
    int32_t stored = station_kv_put_str("cid", cid);
    if (stored < 0 && stored != STATION_E_DENIED) report_failure("storing the CID under \"cid\" failed", stored);

    // Idle: keep the module (and its pin) alive. nanosleep waits in WASI poll_oneoff, which the
    // runtime ends at once when it stops the module.
    for (;;) {
        struct timespec hour = {.tv_sec = 3600, .tv_nsec = 0};
        nanosleep(&hour, NULL);
    }
}
