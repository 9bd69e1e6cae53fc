/*
 * station.h — the station ABI (version 1) for C guests.
 *
 * Station modules reach the host through the WebAssembly import module "station". This header
 * declares every import of docs/abi.md with its exact wasm types, the error codes, and a few
 * static inline helpers for NUL-terminated strings. It is header-only: include it and build with
 *
 *     clang-19 --target=wasm32-wasi --sysroot=SYSROOT -O2 -I sdk/c -o module.wasm module.c
 *
 * Conventions (see docs/abi.md for the full contract):
 *   - A non-negative result is success (a handle, a length, a count or 0); a negative result is
 *     one of the STATION_E_* codes below. After a failure, station_last_error() (or the helper
 *     station_last_error_str()) returns a readable message saying what went wrong.
 *   - Strings are UTF-8 (pointer, length) pairs, not NUL-terminated.
 *   - Copy-out calls (http_headers, kv_get, last_error, identity calls) copy min(len, size) bytes
 *     and return the full size, so a caller can retry with a bigger buffer.
 *   - Nothing blocks except station_poll() and the key-value calls.
 *
 * Names are prefixed with station_ so they never clash with libc (read, close, poll).
 */
#ifndef STATION_H
#define STATION_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Declares a function imported from the "station" module under the ABI name NAME. */
#define STATION_IMPORT(name) __attribute__((import_module("station"), import_name(name)))

/** The ABI version this header describes; station_abi_version() returns it on a matching host. */
#define STATION_ABI_VERSION 1

/* ---------------------------------------------------------------------------------------------
 * Error codes (negative results)
 * ------------------------------------------------------------------------------------------- */

/** A malformed argument: bad UTF-8, URL, header line, unknown level or kind. */
#define STATION_E_INVALID_ARGUMENT (-1)
/** A buffer lies outside linear memory or overflows. */
#define STATION_E_FAULT (-2)
/** The handle is not open, or is the wrong kind for this call. */
#define STATION_E_BAD_HANDLE (-3)
/** Not ready yet: poll the handle, then retry. */
#define STATION_E_WOULD_BLOCK (-4)
/** A quota would be exceeded (key-value store). */
#define STATION_E_QUOTA_EXCEEDED (-5)
/** The module's grants or the network policy forbid it. */
#define STATION_E_DENIED (-6)
/** Too many handles, or another rate or concurrency limit. */
#define STATION_E_LIMIT_REACHED (-7)
/** No such key. */
#define STATION_E_NOT_FOUND (-8)
/** A deadline passed. */
#define STATION_E_TIMED_OUT (-9)
/** A network or remote failure (refused, reset, TLS, malformed response, closed mid-body). */
#define STATION_E_IO (-10)
/** A response or value is larger than its cap. */
#define STATION_E_TOO_LARGE (-11)
/** Cancelled because the handle was closed or the module is stopping. */
#define STATION_E_CANCELLED (-12)
/** This runtime cannot do that. */
#define STATION_E_UNSUPPORTED (-13)
/** The buffer cannot hold even one whole item. */
#define STATION_E_BUFFER_TOO_SMALL (-14)

/** Activity level for station_activity(): an informational message. */
#define STATION_ACTIVITY_INFO 0
/** Activity level for station_activity(): an error message. */
#define STATION_ACTIVITY_ERROR 1

/** Pass as timeout_ms to station_poll() to wait without a timeout of its own. */
#define STATION_POLL_FOREVER ((int64_t)-1)
/** Pass as timeout_ms to station_http_request() for the default (60 s). */
#define STATION_HTTP_DEFAULT_TIMEOUT ((int64_t)0)

/* ---------------------------------------------------------------------------------------------
 * Core
 * ------------------------------------------------------------------------------------------- */

/** Returns the ABI version of the host: 1 for everything in this header. */
STATION_IMPORT("abi_version") int32_t station_abi_version(void);

/**
 * Copies the message of the last failed call into buf (copy-out convention: at most len bytes,
 * not NUL-terminated) and returns its full length, 0 if no call has failed.
 */
STATION_IMPORT("last_error") int32_t station_last_error(void *buf, size_t len);

/** Closes a handle and cancels its work: 0, or STATION_E_BAD_HANDLE. */
STATION_IMPORT("close") int32_t station_close(int32_t handle);

/**
 * Waits until at least one of the count handles at `handles` is ready (a call on it would not
 * return STATION_E_WOULD_BLOCK) or timeout_ms passes. Writes the ready handles, in the order given,
 * to the first slots of `ready` (room for count handles) and returns how many are ready: 0 when
 * the timeout passed first. timeout_ms 0 checks without waiting; a negative timeout_ms
 * (STATION_POLL_FOREVER) waits without a timeout of its own. count may be up to 65,536. A handle
 * that is not open fails the whole call with STATION_E_BAD_HANDLE.
 */
STATION_IMPORT("poll") int32_t station_poll(const int32_t *handles, size_t count, int32_t *ready,
                                            int64_t timeout_ms);

/**
 * Reads up to len bytes of a handle's data (e.g. an HTTP response body) into buf. Returns the
 * count, 0 at the end of the data, STATION_E_WOULD_BLOCK when nothing is available yet, or the
 * error that ended the data.
 */
STATION_IMPORT("read") int32_t station_read(int32_t handle, void *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------------------------- */

/**
 * Starts an HTTP request and returns its handle at once. headers is text, one "Name: value" per
 * line separated by "\n" or "\r\n" (length 0 for none); body is sent as the request body (length 0
 * for none). timeout_ms bounds the whole exchange (<= 0: the default, 60 s). A URL the module's
 * grants do not allow fails here with STATION_E_DENIED and no connection is made; everything later
 * (DNS, connect, TLS, redirects, the response) reports through the handle. Close it when done.
 */
STATION_IMPORT("http_request")
int32_t station_http_request(const void *method, size_t method_len, const void *url, size_t url_len,
                             const void *headers, size_t headers_len, const void *body,
                             size_t body_len, int64_t timeout_ms);

/**
 * Returns the response status (100-599) once the head has arrived, STATION_E_WOULD_BLOCK before,
 * or the error the request failed with.
 */
STATION_IMPORT("http_status") int32_t station_http_status(int32_t handle);

/**
 * Copies the response headers as "name: value\r\n" lines into buf (copy-out convention) and
 * returns their full length, or an error (STATION_E_WOULD_BLOCK before the head has arrived).
 */
STATION_IMPORT("http_headers") int32_t station_http_headers(int32_t handle, void *buf, size_t len);

/** station_http_request_options() option: do not follow redirects (a 3xx is the response). */
#define STATION_HTTP_MANUAL_REDIRECT 1u

/**
 * station_http_request() with options: STATION_HTTP_MANUAL_REDIRECT returns a 3xx response as it
 * is, its Location header readable, instead of following it. Unknown option bits fail with
 * STATION_E_INVALID_ARGUMENT.
 */
STATION_IMPORT("http_request_options")
int32_t station_http_request_options(const void *method, size_t method_len, const void *url, size_t url_len,
                                     const void *headers, size_t headers_len, const void *body,
                                     size_t body_len, int64_t timeout_ms, uint32_t options);

/**
 * Copies the URL that answered (the request's as given, or the last redirect's target) into buf
 * (copy-out convention) and returns its full length, or an error (STATION_E_WOULD_BLOCK before the
 * head has arrived).
 */
STATION_IMPORT("http_url") int32_t station_http_url(int32_t handle, void *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Streams (libp2p streams; read them with station_read(), station_close() resets them)
 * ------------------------------------------------------------------------------------------- */

/**
 * Queues up to len bytes of buf on a stream. Returns how many were taken (may be fewer), or
 * STATION_E_WOULD_BLOCK while the queue is full; the handle becomes ready again when it has room.
 */
STATION_IMPORT("write") int32_t station_write(int32_t handle, const void *buf, size_t len);

/** Half-closes a stream: the peer reads the end of the data after everything queued. */
STATION_IMPORT("close_write") int32_t station_close_write(int32_t handle);

/* ---------------------------------------------------------------------------------------------
 * Peer-to-peer (libp2p; all modules share the runtime's one node)
 * ------------------------------------------------------------------------------------------- */

/** Copies the runtime's libp2p peer ID (text) into buf (copy-out) and returns its full length. */
STATION_IMPORT("p2p_peer_id") int32_t station_p2p_peer_id(void *buf, size_t len);

/**
 * Opens a stream for `protocol` to the peer at multiaddr `addr` (e.g.
 * "/ip4/1.2.3.4/tcp/4001/p2p/12D3..."). Returns a stream handle at once; it becomes ready once the
 * stream is open or has failed. The protocol id must be granted to the module (--allow-p2p);
 * loopback and private addresses need --p2p-local. timeout_ms bounds the dial.
 */
STATION_IMPORT("p2p_dial")
int32_t station_p2p_dial(const void *addr, size_t addr_len, const void *protocol, size_t protocol_len,
                         int64_t timeout_ms);

/**
 * Starts handling a granted protocol id. Returns a listener handle that is ready while inbound
 * streams wait (up to 64; more are reset). Closing it stops handling the protocol.
 */
STATION_IMPORT("p2p_listen") int32_t station_p2p_listen(const void *protocol, size_t protocol_len);

/** Returns the handle of the next inbound stream on a listener, or STATION_E_WOULD_BLOCK. */
STATION_IMPORT("p2p_accept") int32_t station_p2p_accept(int32_t listener);

/** Copies the peer ID of a stream's other side into buf (copy-out) and returns its full length. */
STATION_IMPORT("p2p_remote_peer") int32_t station_p2p_remote_peer(int32_t stream, void *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * IPFS content (needs the IPFS grant: --allow-ipfs for station run)
 * ------------------------------------------------------------------------------------------- */

/** station_ipfs_get() format: the file's bytes. */
#define STATION_IPFS_FORMAT_FILE 0
/** station_ipfs_get() format: a CARv1 of the DAG. */
#define STATION_IPFS_FORMAT_CAR 1

/**
 * Starts fetching "CID[/path]" and returns a readable handle at once: the file's bytes
 * (STATION_IPFS_FORMAT_FILE) or a CARv1 (STATION_IPFS_FORMAT_CAR), read with station_read().
 * A CAR request may end in "?dag-scope=all|entity|block[&entity-bytes=from:to]": with block or
 * entity only the selected blocks are fetched (nothing is pinned) and the CAR is the trustless
 * gateway's answer; other parameters are ignored; a bad value is STATION_E_INVALID_ARGUMENT.
 * Local blocks first, then Bitswap peers, then the configured trustless gateways; every block is
 * verified. A missing CID or path fails the handle with STATION_E_NOT_FOUND, a timeout (timeout_ms,
 * <= 0: the default, 120 s) with STATION_E_TIMED_OUT.
 */
STATION_IMPORT("ipfs_get")
int32_t station_ipfs_get(const void *path, size_t path_len, int32_t format, int64_t timeout_ms);

/**
 * Stores data as a UnixFS file (CIDv1, raw leaves) and pins it for the module; copies the CID
 * text into cid_buf (copy-out convention) and returns its full length. Blocks until durable.
 */
STATION_IMPORT("ipfs_put")
int32_t station_ipfs_put(const void *data, size_t len, void *cid_buf, size_t cid_len);

/** Pins content that is complete in the local store (counts against the module's quota). */
STATION_IMPORT("ipfs_pin") int32_t station_ipfs_pin(const void *cid, size_t cid_len);

/** Removes the module's pin of a CID. */
STATION_IMPORT("ipfs_unpin") int32_t station_ipfs_unpin(const void *cid, size_t cid_len);

/* ---------------------------------------------------------------------------------------------
 * Events: activity and jobs
 * ------------------------------------------------------------------------------------------- */

/**
 * Reports activity to Station front ends: level STATION_ACTIVITY_INFO or STATION_ACTIVITY_ERROR.
 * Messages are rate-limited per module (a burst of 20, then 5 per second); a message over the rate
 * is dropped and the call returns STATION_E_LIMIT_REACHED.
 */
STATION_IMPORT("activity") int32_t station_activity(int32_t level, const void *msg, size_t msg_len);

/** Counts one completed job (never dropped; reported as "jobs-completed" events). Returns 0. */
STATION_IMPORT("job_completed") int32_t station_job_completed(void);

/* ---------------------------------------------------------------------------------------------
 * Key-value store
 * ------------------------------------------------------------------------------------------- */

/**
 * Copies the value of key into buf (copy-out convention) and returns its full length, or
 * STATION_E_NOT_FOUND.
 */
STATION_IMPORT("kv_get")
int32_t station_kv_get(const void *key, size_t key_len, void *buf, size_t len);

/**
 * Stores value under key, atomically and durably (it survives kill -9 once this returns 0).
 * Fails with STATION_E_QUOTA_EXCEEDED past the store's quota, STATION_E_TOO_LARGE for a key over
 * 1 KiB or a value over 1 MiB.
 */
STATION_IMPORT("kv_put")
int32_t station_kv_put(const void *key, size_t key_len, const void *value, size_t value_len);

/** Deletes key: 0, or STATION_E_NOT_FOUND. */
STATION_IMPORT("kv_delete") int32_t station_kv_delete(const void *key, size_t key_len);

/**
 * Writes the keys that start with prefix, in byte order and strictly after `after` (length 0:
 * from the first), into buf as entries of a little-endian u32 length followed by the key bytes,
 * as many whole entries as fit. Returns the number of keys written (0: no more), or
 * STATION_E_BUFFER_TOO_SMALL when not even one key fits. To page, call again with after set to
 * the last key returned; station_kv_list_next() walks the entries.
 */
STATION_IMPORT("kv_list")
int32_t station_kv_list(const void *prefix, size_t prefix_len, const void *after, size_t after_len,
                        void *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Identity (copy-out convention; an unset value has length 0)
 * ------------------------------------------------------------------------------------------- */

/** Copies the module's name into buf and returns its full length. */
STATION_IMPORT("module_name") int32_t station_module_name(void *buf, size_t len);

/** Copies STATION_ID of the runtime's environment (or nothing) and returns its full length. */
STATION_IMPORT("station_id") int32_t station_station_id(void *buf, size_t len);

/** Copies FIL_WALLET_ADDRESS (or nothing) and returns its full length. */
STATION_IMPORT("wallet_address") int32_t station_wallet_address(void *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Helpers (static inline; no imports of their own)
 * ------------------------------------------------------------------------------------------- */

/**
 * Returns the ABI name of an error code ("invalid-argument", "would-block", ...), "ok" for a
 * non-negative value and "unknown-error" for a code this header does not know.
 */
static inline const char *station_error_name(int32_t code) {
    switch (code) {
    case STATION_E_INVALID_ARGUMENT: return "invalid-argument";
    case STATION_E_FAULT: return "fault";
    case STATION_E_BAD_HANDLE: return "bad-handle";
    case STATION_E_WOULD_BLOCK: return "would-block";
    case STATION_E_QUOTA_EXCEEDED: return "quota-exceeded";
    case STATION_E_DENIED: return "denied";
    case STATION_E_LIMIT_REACHED: return "limit-reached";
    case STATION_E_NOT_FOUND: return "not-found";
    case STATION_E_TIMED_OUT: return "timed-out";
    case STATION_E_IO: return "io";
    case STATION_E_TOO_LARGE: return "too-large";
    case STATION_E_CANCELLED: return "cancelled";
    case STATION_E_UNSUPPORTED: return "unsupported";
    case STATION_E_BUFFER_TOO_SMALL: return "buffer-too-small";
    default: return code >= 0 ? "ok" : "unknown-error";
    }
}

/**
 * Copies a copy-out result of `full` bytes, already written to buf by the host, into a
 * NUL-terminated string: truncates to len - 1 bytes when it did not fit. Returns buf ("" when
 * full is negative). len must be at least 1.
 */
static inline char *station_terminate_copy_out(char *buf, size_t len, int32_t full) {
    size_t end = full < 0 ? 0 : (size_t)full;
    if (end > len - 1) end = len - 1;
    buf[end] = '\0';
    return buf;
}

/**
 * Writes the message of the last failed call into buf as a NUL-terminated string (truncated to
 * len - 1 bytes) and returns buf; "" when no call has failed or len is 0.
 */
static inline char *station_last_error_str(char *buf, size_t len) {
    if (len == 0) return buf;
    int32_t full = station_last_error(buf, len - 1);
    return station_terminate_copy_out(buf, len, full);
}

/** Reports an informational activity message (NUL-terminated); returns station_activity()'s result. */
static inline int32_t station_log_info(const char *message) {
    return station_activity(STATION_ACTIVITY_INFO, message, strlen(message));
}

/** Reports an error activity message (NUL-terminated); returns station_activity()'s result. */
static inline int32_t station_log_error(const char *message) {
    return station_activity(STATION_ACTIVITY_ERROR, message, strlen(message));
}

/**
 * Starts a GET of a NUL-terminated URL with no extra headers and the default timeout. Returns the
 * request handle, or a negative error code (e.g. STATION_E_DENIED).
 */
static inline int32_t station_http_get(const char *url) {
    static const char method[] = "GET";
    return station_http_request(method, sizeof method - 1, url, strlen(url), "", 0, "", 0,
                                STATION_HTTP_DEFAULT_TIMEOUT);
}

/**
 * Reads the value of a NUL-terminated key into buf as a NUL-terminated string. Returns the value's
 * full length (longer than len - 1 means it was truncated) or a negative error code
 * (STATION_E_NOT_FOUND when the key is absent; buf is then ""). With len 0 nothing is written.
 */
static inline int32_t station_kv_get_str(const char *key, char *buf, size_t len) {
    if (len == 0) return station_kv_get(key, strlen(key), buf, 0);
    int32_t full = station_kv_get(key, strlen(key), buf, len - 1);
    station_terminate_copy_out(buf, len, full);
    return full;
}

/** Stores a NUL-terminated value under a NUL-terminated key; returns station_kv_put()'s result. */
static inline int32_t station_kv_put_str(const char *key, const char *value) {
    return station_kv_put(key, strlen(key), value, strlen(value));
}

/**
 * Walks the entries station_kv_list() wrote: given the buffer's `used` bytes and a cursor (start
 * at 0), sets *key and *key_len to the next key and advances the cursor. Returns 1 for an entry, 0 at
 * the end (or when an entry would run past `used`).
 */
static inline int station_kv_list_next(const void *buf, size_t used, size_t *cursor,
                                       const uint8_t **key, size_t *key_len) {
    const uint8_t *bytes = (const uint8_t *)buf;
    if (*cursor > used || used - *cursor < 4) return 0;
    const uint8_t *p = bytes + *cursor;
    size_t length = (size_t)p[0] | ((size_t)p[1] << 8) | ((size_t)p[2] << 16) | ((size_t)p[3] << 24);
    if (length > used - *cursor - 4) return 0;
    *key = p + 4;
    *key_len = length;
    *cursor += 4 + length;
    return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Waiting helpers (static inline): the C counterparts of the Rust SDK's awaits. Each waits on one
 * handle with station_poll(), so it blocks the module; to overlap many handles, poll them together.
 * ------------------------------------------------------------------------------------------- */

/**
 * Waits until one handle is ready (Rust: Handle::ready). Returns 1 when it is, 0 when timeout_ms
 * passed first (STATION_POLL_FOREVER: no timeout), or a negative error code.
 */
static inline int32_t station_wait(int32_t handle, int64_t timeout_ms) {
    int32_t ready;
    return station_poll(&handle, 1, &ready, timeout_ms);
}

/**
 * Reads a handle's data to its end into buf (Rust: Body::bytes_limited, Stream::read_to_end),
 * waiting as needed. Returns the byte count, STATION_E_TOO_LARGE when there are more than len
 * bytes, or the error that ended the data.
 */
static inline int32_t station_read_all(int32_t handle, void *buf, size_t len) {
    size_t total = 0;
    for (;;) {
        uint8_t probe;
        /* With buf full, a 1-byte probe tells the end of the data from one byte too many. */
        int32_t n = total < len ? station_read(handle, (uint8_t *)buf + total, len - total)
                                : station_read(handle, &probe, 1);
        if (n == STATION_E_WOULD_BLOCK) {
            int32_t waited = station_wait(handle, STATION_POLL_FOREVER);
            if (waited < 0) return waited;
            continue;
        }
        if (n < 0) return n;
        if (n == 0) return (int32_t)total;
        if (total == len) return STATION_E_TOO_LARGE;
        total += (size_t)n;
    }
}

/**
 * Writes all len bytes to a stream (Rust: Stream::write_all), waiting while its queue is full.
 * Returns 0 or the error code.
 */
static inline int32_t station_write_all(int32_t handle, const void *buf, size_t len) {
    size_t sent = 0;
    while (sent < len) {
        int32_t n = station_write(handle, (const uint8_t *)buf + sent, len - sent);
        if (n == STATION_E_WOULD_BLOCK) {
            int32_t waited = station_wait(handle, STATION_POLL_FOREVER);
            if (waited < 0) return waited;
            continue;
        }
        if (n < 0) return n;
        sent += (size_t)n;
    }
    return 0;
}

/**
 * Waits until a dialled stream is open (Rust: p2p::dial resolves then): 0 once open, or the error
 * the dial failed with. A write of nothing reports the state without sending anything.
 */
static inline int32_t station_p2p_wait_open(int32_t stream) {
    for (;;) {
        int32_t n = station_write(stream, "", 0);
        if (n != STATION_E_WOULD_BLOCK) return n < 0 ? n : 0;
        int32_t waited = station_wait(stream, STATION_POLL_FOREVER);
        if (waited < 0) return waited;
    }
}

/**
 * Finds a header, by case-insensitive name (NUL-terminated), in the "name: value\r\n" block that
 * station_http_headers() copied out (Rust: Response::header). Sets *value and *value_len to the
 * first match's value, trimmed of spaces and tabs, and returns 1; 0 when there is none.
 */
static inline int station_http_header_value(const char *headers, size_t len, const char *name,
                                            const char **value, size_t *value_len) {
    size_t name_len = strlen(name), line = 0;
    while (line < len) {
        size_t end = line;
        while (end < len && headers[end] != '\n') end++;
        size_t stop = end > line && headers[end - 1] == '\r' ? end - 1 : end;
        if (stop - line > name_len && headers[line + name_len] == ':') {
            size_t i = 0;
            while (i < name_len) {
                char a = headers[line + i], b = name[i];
                if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
                if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
                if (a != b) break;
                i++;
            }
            if (i == name_len) {
                size_t start = line + name_len + 1;
                while (start < stop && (headers[start] == ' ' || headers[start] == '\t')) start++;
                size_t finish = stop;
                while (finish > start && (headers[finish - 1] == ' ' || headers[finish - 1] == '\t')) finish--;
                *value = headers + start;
                *value_len = finish - start;
                return 1;
            }
        }
        line = end + 1;
    }
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* STATION_H */
