// p2p-echo: a libp2p echo service. Listens on a protocol on the runtime's shared node, accepts
// streams forever and sends each stream's bytes back, then half-closes it.
//   station run --allow-p2p /station-test/echo/1.0.0 --p2p-listen /ip4/127.0.0.1/tcp/4101 \
//       --json p2p-echo.wasm [PROTOCOL]
//
// Args: [PROTOCOL]  the protocol id to handle (default /station-test/echo/1.0.0; it must be granted).
// Reports per stream, once the client has half-closed and every byte went back:
//   activity info  "echoed N bytes from PEER"  and one job_completed
//   activity error "stream from PEER failed after N bytes: CODE: message"  when a stream fails
// At start it reports "echo listening on PROTOCOL as PEER_ID" (info).
// Up to MAX_STREAMS (64) streams are served at once, all through one station_poll; more are reset
// (reported as an error). With a max-handles below MAX_STREAMS + 1 (the listener needs one too)
// fewer are served at once and the others wait in the listener's queue. Runs forever; exit status
// 1 when it cannot listen (e.g. the protocol is not granted or already taken), 2 for a usage error.
//
// Closing a stream handle resets the stream and drops bytes still queued for sending, and the ABI
// has no signal for "everything was sent", so after the half-close a stream lingers LINGER_MS
// before its handle is closed (sooner when its slot or handle is needed for a new stream).
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "station.h"

#define DEFAULT_PROTOCOL "/station-test/echo/1.0.0"
#define MAX_STREAMS 64
#define LINGER_MS 5000
#define CHUNK 16384

/// One accepted stream.
typedef struct {
    int32_t handle;      // 0: the slot is free
    uint8_t buffer[CHUNK];
    size_t length;       // bytes in buffer
    size_t sent;         // of those, already queued for sending
    uint64_t total;      // bytes echoed so far
    int finished;        // half-closed; waiting LINGER_MS before close
    int64_t close_at;    // monotonic ms at which a finished stream's handle is closed
    char peer[128];
} Stream;

static Stream streams[MAX_STREAMS];
/// Set when accept was refused for lack of handles and no lingering stream could make room: the
/// listener is left out of poll until a stream's handle is closed.
static int listener_paused;

/// Milliseconds on the monotonic clock.
static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/// Reports activity; a message dropped by the rate limit is not a failure.
static void report(int32_t level, const char *message) {
    (void)station_activity(level, message, strlen(message));
}

/// Reports "WHAT: CODE: last error" as an error activity and on stderr.
static void report_failure(const char *what, int32_t code) {
    char error[512], message[768];
    snprintf(message, sizeof message, "%s: %s: %s", what, station_error_name(code),
             station_last_error_str(error, sizeof error));
    fprintf(stderr, "p2p-echo: %s\n", message);
    report(STATION_ACTIVITY_ERROR, message);
}

static void release(Stream *stream) {
    station_close(stream->handle);
    stream->handle = 0;
    listener_paused = 0;
}

/// The finished (lingering) stream that would be closed soonest, or NULL.
static Stream *soonest_lingering(void) {
    Stream *found = NULL;
    for (size_t i = 0; i < MAX_STREAMS; i++) {
        if (streams[i].handle != 0 && streams[i].finished && (!found || streams[i].close_at < found->close_at)) {
            found = &streams[i];
        }
    }
    return found;
}

/// Moves a stream along as far as it can go without waiting: sends what is buffered, reads more,
/// half-closes at the end of the input. A stream that fails is reported and closed.
static void serve(Stream *stream) {
    int32_t failure;
    for (;;) {
        if (stream->sent < stream->length) {
            int32_t n = station_write(stream->handle, stream->buffer + stream->sent, stream->length - stream->sent);
            // Ready again once the send queue has room. (A handle is also "ready" while unread input
            // waits, so a stream that is both blocked and has input makes poll return at once until
            // the queue drains: the ABI has no per-direction readiness.)
            if (n == STATION_E_WOULD_BLOCK) return;
            if (n < 0) { failure = n; break; }
            stream->sent += (size_t)n;
            continue;
        }
        int32_t n = station_read(stream->handle, stream->buffer, sizeof stream->buffer);
        if (n == STATION_E_WOULD_BLOCK) return;   // ready again once data (or the end) arrives
        if (n < 0) { failure = n; break; }
        if (n == 0) {
            int32_t closed = station_close_write(stream->handle);
            if (closed < 0) { failure = closed; break; }
            char message[256];
            snprintf(message, sizeof message, "echoed %" PRIu64 " bytes from %s", stream->total, stream->peer);
            report(STATION_ACTIVITY_INFO, message);
            station_job_completed();
            stream->finished = 1;
            stream->close_at = now_ms() + LINGER_MS;
            return;
        }
        stream->length = (size_t)n;
        stream->sent = 0;
        stream->total += (uint64_t)n;
    }
    char what[256];
    snprintf(what, sizeof what, "stream from %s failed after %" PRIu64 " bytes", stream->peer, stream->total);
    report_failure(what, failure);
    release(stream);
}

/// Takes every waiting inbound stream off the listener. When slots or handles run out, lingering
/// streams are closed early to make room.
static void accept_all(int32_t listener) {
    for (;;) {
        int32_t handle = station_p2p_accept(listener);
        if (handle == STATION_E_WOULD_BLOCK) return;
        if (handle == STATION_E_LIMIT_REACHED) {   // out of handles (max-handles)
            Stream *lingering = soonest_lingering();
            if (lingering) {
                release(lingering);
                continue;
            }
            listener_paused = 1;   // wait for a live stream to finish
            return;
        }
        if (handle < 0) {
            report_failure("accept failed", handle);
            return;
        }
        Stream *slot = NULL;
        for (size_t i = 0; i < MAX_STREAMS && !slot; i++) {
            if (streams[i].handle == 0) slot = &streams[i];
        }
        if (!slot && (slot = soonest_lingering()) != NULL) release(slot);
        if (!slot) {
            station_close(handle);
            report(STATION_ACTIVITY_ERROR, "too many streams at once; reset a new one");
            continue;
        }
        slot->handle = handle;
        slot->length = slot->sent = 0;
        slot->total = 0;
        slot->finished = 0;
        slot->close_at = 0;
        int32_t full = station_p2p_remote_peer(handle, slot->peer, sizeof slot->peer - 1);
        station_terminate_copy_out(slot->peer, sizeof slot->peer, full);
        if (full <= 0) snprintf(slot->peer, sizeof slot->peer, "an unknown peer");
        serve(slot);   // it may already hold data
    }
}

int main(int argc, char **argv) {
    if (argc > 2 || (argc == 2 && argv[1][0] != '/')) {
        fprintf(stderr, "usage: p2p-echo [PROTOCOL]   (default " DEFAULT_PROTOCOL ")\n");
        return 2;
    }
    const char *protocol = argc == 2 ? argv[1] : DEFAULT_PROTOCOL;
    int32_t listener = station_p2p_listen(protocol, strlen(protocol));
    if (listener < 0) {
        char what[256];
        snprintf(what, sizeof what, "cannot listen on %s", protocol);
        report_failure(what, listener);
        return 1;
    }
    char peer_id[128], message[384];
    station_terminate_copy_out(peer_id, sizeof peer_id, station_p2p_peer_id(peer_id, sizeof peer_id - 1));
    snprintf(message, sizeof message, "echo listening on %s as %s", protocol, peer_id);
    report(STATION_ACTIVITY_INFO, message);

    static int32_t watched[MAX_STREAMS + 1], ready[MAX_STREAMS + 1];
    for (;;) {
        // Close lingering streams whose time is up; watch the listener and every live stream.
        int64_t now = now_ms(), timeout = STATION_POLL_FOREVER;
        size_t count = 0;
        for (size_t i = 0; i < MAX_STREAMS; i++) {
            Stream *stream = &streams[i];
            if (stream->handle == 0) continue;
            if (stream->finished) {
                if (stream->close_at <= now) {
                    release(stream);
                } else if (timeout < 0 || stream->close_at - now < timeout) {
                    timeout = stream->close_at - now;
                }
                continue;
            }
            watched[count++] = stream->handle;
        }
        if (!listener_paused || count == 0) watched[count++] = listener;
        int32_t n = station_poll(watched, count, ready, timeout);
        if (n < 0) {
            report_failure("poll failed", n);
            return 1;
        }
        for (int32_t r = 0; r < n; r++) {
            if (ready[r] == listener) {
                accept_all(listener);
                continue;
            }
            for (size_t i = 0; i < MAX_STREAMS; i++) {
                if (streams[i].handle == ready[r] && !streams[i].finished) {
                    serve(&streams[i]);
                    break;
                }
            }
        }
    }
}
