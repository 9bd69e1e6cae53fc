/*
 * native.c — the private `native` object the prelude builds the JS API on.
 *
 * Every function is a thin wrapper over one station ABI import (docs/abi.md) or a WASI call.
 * Conventions towards the prelude: a negative number is a station error code (the prelude reads
 * the message with native.lastError()); byte buffers cross as Uint8Array; strings as JS strings.
 * The object is passed to the prelude function and never stored on globalThis.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "station.h"

/* ---- waits: one-shot callbacks for station handles (used by the event loop) ---------------- */

typedef struct {
    int32_t handle;
    JSValue callback;
} Wait;
static Wait *waits;
static size_t wait_count, wait_cap;
static int32_t *poll_in, *poll_out;
static size_t poll_cap;
static size_t poll_rotation; /* first wait polled when there are more than the ABI allows */

size_t sj_wait_count(void) { return wait_count; }

#define MAX_POLL 65536

int sj_wait_dispatch(JSContext *ctx, int64_t timeout_ms) {
    size_t n = wait_count < MAX_POLL ? wait_count : MAX_POLL;
    if (n > poll_cap) {
        int32_t *in = realloc(poll_in, n * sizeof *in), *out = in ? realloc(poll_out, n * sizeof *out) : NULL;
        if (in) poll_in = in;
        if (!in || !out) {
            JS_ThrowOutOfMemory(ctx);
            return -1;
        }
        poll_out = out;
        poll_cap = n;
    }
    size_t start = wait_count > MAX_POLL ? poll_rotation % wait_count : 0;
    for (size_t i = 0; i < n; i++) poll_in[i] = waits[(start + i) % wait_count].handle;
    if (wait_count > MAX_POLL) poll_rotation += MAX_POLL;
    int32_t ready = station_poll(poll_in, n, poll_out, timeout_ms);
    if (ready < 0) {
        /* A handle closed behind our back (bad-handle): wake all its waiters so they see the error. */
        for (size_t i = 0; i < n; i++) poll_out[i] = poll_in[i];
        ready = (int32_t)n;
    }
    for (int32_t r = 0; r < ready; r++) {
        int32_t h = poll_out[r];
        for (size_t i = 0; i < wait_count; i++) {
            if (waits[i].handle != h) continue;
            JSValue cb = waits[i].callback;
            waits[i] = waits[--wait_count];
            JSValue arg = JS_NewInt32(ctx, h);
            JSValue res = JS_Call(ctx, cb, JS_UNDEFINED, 1, &arg);
            JS_FreeValue(ctx, cb);
            if (JS_IsException(res)) return -1;
            JS_FreeValue(ctx, res);
            break;
        }
    }
    return 0;
}

/* native.wait(handle, callback): calls callback(handle) once when the handle is ready. */
static JSValue n_wait(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    if (wait_count == wait_cap) {
        size_t cap = wait_cap ? wait_cap * 2 : 64;
        Wait *grown = realloc(waits, cap * sizeof *grown);
        if (!grown) return JS_ThrowOutOfMemory(ctx);
        waits = grown;
        wait_cap = cap;
    }
    waits[wait_count].handle = h;
    waits[wait_count].callback = JS_DupValue(ctx, argv[1]);
    wait_count++;
    return JS_UNDEFINED;
}

/* native.unwait(handle): forgets every wait on a handle (before closing it). */
static JSValue n_unwait(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    for (size_t i = 0; i < wait_count;) {
        if (waits[i].handle == h) {
            JS_FreeValue(ctx, waits[i].callback);
            waits[i] = waits[--wait_count];
        } else {
            i++;
        }
    }
    return JS_UNDEFINED;
}

/* ---- helpers -------------------------------------------------------------------------------- */

typedef struct {
    const char *ptr;
    size_t len;
    bool is_cstr; /* free with JS_FreeCString */
} Bytes;

/* Reads a string or a Uint8Array argument. */
static int get_bytes(JSContext *ctx, JSValueConst v, Bytes *b) {
    b->is_cstr = false;
    if (JS_IsString(v)) {
        b->ptr = JS_ToCStringLen(ctx, &b->len, v);
        if (!b->ptr) return -1;
        b->is_cstr = true;
        return 0;
    }
    if (JS_IsUndefined(v) || JS_IsNull(v)) {
        b->ptr = "";
        b->len = 0;
        return 0;
    }
    size_t size;
    uint8_t *p = JS_GetUint8Array(ctx, &size, v);
    if (!p) {
        if (JS_HasException(ctx)) JS_FreeValue(ctx, JS_GetException(ctx));
        JS_ThrowTypeError(ctx, "expected a string or a Uint8Array");
        return -1;
    }
    b->ptr = (const char *)p;
    b->len = size;
    return 0;
}

static void free_bytes(JSContext *ctx, Bytes *b) {
    if (b->is_cstr) JS_FreeCString(ctx, b->ptr);
}

static int64_t arg_i64(JSContext *ctx, JSValueConst v, int64_t dflt) {
    int64_t n = dflt;
    if (!JS_IsUndefined(v)) JS_ToInt64(ctx, &n, v);
    return n;
}

/* Calls a copy-out function until the buffer is large enough; returns a string or a code. */
typedef int32_t (*copy_out_fn)(void *buf, size_t len);
static JSValue copy_out_string(JSContext *ctx, copy_out_fn fn) {
    char small[256];
    int32_t full = fn(small, sizeof small);
    if (full < 0) return JS_NewInt32(ctx, full);
    if ((size_t)full <= sizeof small) return JS_NewStringLen(ctx, small, (size_t)full);
    char *big = malloc((size_t)full);
    if (!big) return JS_ThrowOutOfMemory(ctx);
    int32_t again = fn(big, (size_t)full);
    JSValue s = again < 0 ? JS_NewInt32(ctx, again) : JS_NewStringLen(ctx, big, again < full ? (size_t)again : (size_t)full);
    free(big);
    return s;
}

/* ---- process / output -------------------------------------------------------------------- */

static JSValue n_print(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t fd;
    if (JS_ToInt32(ctx, &fd, argv[0]) < 0) return JS_EXCEPTION;
    size_t len;
    const char *s = JS_ToCStringLen(ctx, &len, argv[1]);
    if (!s) return JS_EXCEPTION;
    sj_write_all(fd == 2 ? 2 : 1, s, len);
    JS_FreeCString(ctx, s);
    return JS_UNDEFINED;
}

static JSValue n_now(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    return JS_NewFloat64(ctx, sj_now_ms());
}

static JSValue n_getenv(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    const char *name = JS_ToCString(ctx, argv[0]);
    if (!name) return JS_EXCEPTION;
    const char *v = getenv(name);
    JS_FreeCString(ctx, name);
    return v ? JS_NewString(ctx, v) : JS_UNDEFINED;
}

static int sj_argc;
static char **sj_argv;
void sj_set_args(int argc, char **argv) {
    sj_argc = argc;
    sj_argv = argv;
}

static JSValue n_args(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    JSValue arr = JS_NewArray(ctx);
    for (int i = 0; i < sj_argc; i++) JS_SetPropertyUint32(ctx, arr, (uint32_t)i, JS_NewString(ctx, sj_argv[i]));
    return arr;
}

static JSValue n_exit(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t code = 0;
    JS_ToInt32(ctx, &code, argv[0]);
    _exit(code);
}

static JSValue n_random(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    size_t size;
    uint8_t *p = JS_GetUint8Array(ctx, &size, argv[0]);
    if (!p) return JS_EXCEPTION;
    for (size_t off = 0; off < size; off += 256) {
        size_t n = size - off < 256 ? size - off : 256;
        if (getentropy(p + off, n) != 0) return JS_ThrowInternalError(ctx, "random source failed");
    }
    return JS_UNDEFINED;
}

static JSValue n_digest(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t alg;
    if (JS_ToInt32(ctx, &alg, argv[0]) < 0) return JS_EXCEPTION;
    Bytes b;
    if (get_bytes(ctx, argv[1], &b) < 0) return JS_EXCEPTION;
    uint8_t out[64];
    size_t n = sj_digest(alg, (const uint8_t *)b.ptr, b.len, out);
    free_bytes(ctx, &b);
    if (n == 0) return JS_ThrowTypeError(ctx, "unknown digest algorithm");
    return JS_NewArrayBufferCopy(ctx, out, n);
}

/* ---- station core ------------------------------------------------------------------------- */

static JSValue n_last_error(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    return copy_out_string(ctx, (copy_out_fn)station_last_error);
}

static JSValue n_close(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    return JS_NewInt32(ctx, station_close(h));
}

/* native.read(handle, max): Uint8Array, null at the end, or a negative code (incl. would-block). */
static JSValue n_read(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h, max = 65536;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    if (argc > 1 && !JS_IsUndefined(argv[1])) JS_ToInt32(ctx, &max, argv[1]);
    if (max <= 0 || max > (1 << 20)) max = 65536;
    static uint8_t *buf;
    static int32_t buf_size;
    if (buf_size < max) {
        uint8_t *grown = realloc(buf, (size_t)max);
        if (!grown) return JS_ThrowOutOfMemory(ctx);
        buf = grown;
        buf_size = max;
    }
    int32_t n = station_read(h, buf, (size_t)max);
    if (n < 0) return JS_NewInt32(ctx, n);
    if (n == 0) return JS_NULL;
    return JS_NewUint8ArrayCopy(ctx, buf, (size_t)n);
}

static JSValue n_write(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    Bytes b;
    if (get_bytes(ctx, argv[1], &b) < 0) return JS_EXCEPTION;
    int32_t r = station_write(h, b.ptr, b.len);
    free_bytes(ctx, &b);
    return JS_NewInt32(ctx, r);
}

static JSValue n_close_write(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    return JS_NewInt32(ctx, station_close_write(h));
}

/* ---- HTTP --------------------------------------------------------------------------------- */

/* native.httpRequest(method, url, headersText, body, timeoutMs, options) -> handle or code;
 * options: http_request_options bits (1: do not follow redirects), 0 or absent for http_request. */
static JSValue n_http_request(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes m, u, h, b;
    if (get_bytes(ctx, argv[0], &m) < 0) return JS_EXCEPTION;
    if (get_bytes(ctx, argv[1], &u) < 0) {
        free_bytes(ctx, &m);
        return JS_EXCEPTION;
    }
    if (get_bytes(ctx, argv[2], &h) < 0) {
        free_bytes(ctx, &m);
        free_bytes(ctx, &u);
        return JS_EXCEPTION;
    }
    if (get_bytes(ctx, argv[3], &b) < 0) {
        free_bytes(ctx, &m);
        free_bytes(ctx, &u);
        free_bytes(ctx, &h);
        return JS_EXCEPTION;
    }
    int64_t timeout = arg_i64(ctx, argv[4], 0);
    int64_t options = argc > 5 ? arg_i64(ctx, argv[5], 0) : 0;
    int32_t r = options ? station_http_request_options(m.ptr, m.len, u.ptr, u.len, h.ptr, h.len, b.ptr, b.len,
                                                       timeout, (uint32_t)options)
                        : station_http_request(m.ptr, m.len, u.ptr, u.len, h.ptr, h.len, b.ptr, b.len, timeout);
    free_bytes(ctx, &m);
    free_bytes(ctx, &u);
    free_bytes(ctx, &h);
    free_bytes(ctx, &b);
    return JS_NewInt32(ctx, r);
}

static JSValue n_http_status(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    return JS_NewInt32(ctx, station_http_status(h));
}

static int32_t current_handle;
static int32_t headers_of_current(void *buf, size_t len) { return station_http_headers(current_handle, buf, len); }
static JSValue n_http_headers(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    if (JS_ToInt32(ctx, &current_handle, argv[0]) < 0) return JS_EXCEPTION;
    return copy_out_string(ctx, headers_of_current);
}

static int32_t url_of_current(void *buf, size_t len) { return station_http_url(current_handle, buf, len); }
/* native.httpUrl(handle) -> the URL that answered, or an error code */
static JSValue n_http_url(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    if (JS_ToInt32(ctx, &current_handle, argv[0]) < 0) return JS_EXCEPTION;
    return copy_out_string(ctx, url_of_current);
}

/* ---- p2p ---------------------------------------------------------------------------------- */

static JSValue n_p2p_peer_id(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    return copy_out_string(ctx, (copy_out_fn)station_p2p_peer_id);
}

static JSValue n_p2p_dial(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes a, p;
    if (get_bytes(ctx, argv[0], &a) < 0) return JS_EXCEPTION;
    if (get_bytes(ctx, argv[1], &p) < 0) {
        free_bytes(ctx, &a);
        return JS_EXCEPTION;
    }
    int32_t r = station_p2p_dial(a.ptr, a.len, p.ptr, p.len, arg_i64(ctx, argv[2], 0));
    free_bytes(ctx, &a);
    free_bytes(ctx, &p);
    return JS_NewInt32(ctx, r);
}

static JSValue n_p2p_listen(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes p;
    if (get_bytes(ctx, argv[0], &p) < 0) return JS_EXCEPTION;
    int32_t r = station_p2p_listen(p.ptr, p.len);
    free_bytes(ctx, &p);
    return JS_NewInt32(ctx, r);
}

static JSValue n_p2p_accept(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t h;
    if (JS_ToInt32(ctx, &h, argv[0]) < 0) return JS_EXCEPTION;
    return JS_NewInt32(ctx, station_p2p_accept(h));
}

static int32_t remote_of_current(void *buf, size_t len) { return station_p2p_remote_peer(current_handle, buf, len); }
static JSValue n_p2p_remote_peer(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    if (JS_ToInt32(ctx, &current_handle, argv[0]) < 0) return JS_EXCEPTION;
    return copy_out_string(ctx, remote_of_current);
}

/* ---- IPFS --------------------------------------------------------------------------------- */

static JSValue n_ipfs_get(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes p;
    int32_t format = 0;
    if (get_bytes(ctx, argv[0], &p) < 0) return JS_EXCEPTION;
    JS_ToInt32(ctx, &format, argv[1]);
    int32_t r = station_ipfs_get(p.ptr, p.len, format, arg_i64(ctx, argv[2], 0));
    free_bytes(ctx, &p);
    return JS_NewInt32(ctx, r);
}

static JSValue n_ipfs_put(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes d;
    if (get_bytes(ctx, argv[0], &d) < 0) return JS_EXCEPTION;
    char cid[256];
    int32_t r = station_ipfs_put(d.ptr, d.len, cid, sizeof cid);
    free_bytes(ctx, &d);
    if (r < 0) return JS_NewInt32(ctx, r);
    return JS_NewStringLen(ctx, cid, (size_t)r < sizeof cid ? (size_t)r : sizeof cid);
}

static JSValue n_ipfs_pin(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes c;
    int32_t magic_unpin = JS_ToBool(ctx, argv[1]);
    if (get_bytes(ctx, argv[0], &c) < 0) return JS_EXCEPTION;
    int32_t r = magic_unpin ? station_ipfs_unpin(c.ptr, c.len) : station_ipfs_pin(c.ptr, c.len);
    free_bytes(ctx, &c);
    return JS_NewInt32(ctx, r);
}

/* ---- events ------------------------------------------------------------------------------- */

static JSValue n_activity(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t level;
    if (JS_ToInt32(ctx, &level, argv[0]) < 0) return JS_EXCEPTION;
    Bytes m;
    if (get_bytes(ctx, argv[1], &m) < 0) return JS_EXCEPTION;
    int32_t r = station_activity(level, m.ptr, m.len);
    free_bytes(ctx, &m);
    return JS_NewInt32(ctx, r);
}

static JSValue n_job_completed(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    return JS_NewInt32(ctx, station_job_completed());
}

/* ---- key-value ---------------------------------------------------------------------------- */

static JSValue n_kv_get(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes k;
    if (get_bytes(ctx, argv[0], &k) < 0) return JS_EXCEPTION;
    uint8_t small[512];
    int32_t full = station_kv_get(k.ptr, k.len, small, sizeof small);
    JSValue result;
    if (full < 0) {
        result = JS_NewInt32(ctx, full);
    } else if ((size_t)full <= sizeof small) {
        result = JS_NewUint8ArrayCopy(ctx, small, (size_t)full);
    } else {
        uint8_t *big = malloc((size_t)full);
        if (!big) {
            free_bytes(ctx, &k);
            return JS_ThrowOutOfMemory(ctx);
        }
        int32_t again = station_kv_get(k.ptr, k.len, big, (size_t)full);
        result = again < 0 ? JS_NewInt32(ctx, again)
                           : JS_NewUint8ArrayCopy(ctx, big, (size_t)(again < full ? again : full));
        free(big);
    }
    free_bytes(ctx, &k);
    return result;
}

static JSValue n_kv_put(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes k, v;
    if (get_bytes(ctx, argv[0], &k) < 0) return JS_EXCEPTION;
    if (get_bytes(ctx, argv[1], &v) < 0) {
        free_bytes(ctx, &k);
        return JS_EXCEPTION;
    }
    int32_t r = station_kv_put(k.ptr, k.len, v.ptr, v.len);
    free_bytes(ctx, &k);
    free_bytes(ctx, &v);
    return JS_NewInt32(ctx, r);
}

static JSValue n_kv_delete(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes k;
    if (get_bytes(ctx, argv[0], &k) < 0) return JS_EXCEPTION;
    int32_t r = station_kv_delete(k.ptr, k.len);
    free_bytes(ctx, &k);
    return JS_NewInt32(ctx, r);
}

/* native.kvList(prefix, after) -> array of Uint8Array keys (one page) or a code. */
static JSValue n_kv_list(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    Bytes p, a;
    if (get_bytes(ctx, argv[0], &p) < 0) return JS_EXCEPTION;
    if (get_bytes(ctx, argv[1], &a) < 0) {
        free_bytes(ctx, &p);
        return JS_EXCEPTION;
    }
    size_t cap = 64 * 1024;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        free_bytes(ctx, &p);
        free_bytes(ctx, &a);
        return JS_ThrowOutOfMemory(ctx);
    }
    int32_t n = station_kv_list(p.ptr, p.len, a.ptr, a.len, buf, cap);
    free_bytes(ctx, &p);
    free_bytes(ctx, &a);
    if (n < 0) {
        free(buf);
        return JS_NewInt32(ctx, n);
    }
    JSValue arr = JS_NewArray(ctx);
    size_t cursor = 0;
    const uint8_t *key;
    size_t key_len;
    uint32_t i = 0;
    while (i < (uint32_t)n && station_kv_list_next(buf, cap, &cursor, &key, &key_len))
        JS_SetPropertyUint32(ctx, arr, i++, JS_NewUint8ArrayCopy(ctx, key, key_len));
    free(buf);
    return arr;
}

/* ---- identity ----------------------------------------------------------------------------- */

static JSValue n_identity(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv, int magic) {
    switch (magic) {
    case 0: return copy_out_string(ctx, (copy_out_fn)station_module_name);
    case 1: return copy_out_string(ctx, (copy_out_fn)station_station_id);
    default: return copy_out_string(ctx, (copy_out_fn)station_wallet_address);
    }
}

static const JSCFunctionListEntry native_funcs[] = {
    JS_CFUNC_DEF("print", 2, n_print),
    JS_CFUNC_DEF("now", 0, n_now),
    JS_CFUNC_DEF("getenv", 1, n_getenv),
    JS_CFUNC_DEF("args", 0, n_args),
    JS_CFUNC_DEF("exit", 1, n_exit),
    JS_CFUNC_DEF("random", 1, n_random),
    JS_CFUNC_DEF("digest", 2, n_digest),
    JS_CFUNC_DEF("wait", 2, n_wait),
    JS_CFUNC_DEF("unwait", 1, n_unwait),
    JS_CFUNC_DEF("lastError", 0, n_last_error),
    JS_CFUNC_DEF("close", 1, n_close),
    JS_CFUNC_DEF("read", 2, n_read),
    JS_CFUNC_DEF("write", 2, n_write),
    JS_CFUNC_DEF("closeWrite", 1, n_close_write),
    JS_CFUNC_DEF("httpRequest", 5, n_http_request),
    JS_CFUNC_DEF("httpStatus", 1, n_http_status),
    JS_CFUNC_DEF("httpHeaders", 1, n_http_headers),
    JS_CFUNC_DEF("httpUrl", 1, n_http_url),
    JS_CFUNC_DEF("p2pPeerId", 0, n_p2p_peer_id),
    JS_CFUNC_DEF("p2pDial", 3, n_p2p_dial),
    JS_CFUNC_DEF("p2pListen", 1, n_p2p_listen),
    JS_CFUNC_DEF("p2pAccept", 1, n_p2p_accept),
    JS_CFUNC_DEF("p2pRemotePeer", 1, n_p2p_remote_peer),
    JS_CFUNC_DEF("ipfsGet", 3, n_ipfs_get),
    JS_CFUNC_DEF("ipfsPut", 1, n_ipfs_put),
    JS_CFUNC_DEF("ipfsPin", 2, n_ipfs_pin),
    JS_CFUNC_DEF("activity", 2, n_activity),
    JS_CFUNC_DEF("jobCompleted", 0, n_job_completed),
    JS_CFUNC_DEF("kvGet", 1, n_kv_get),
    JS_CFUNC_DEF("kvPut", 2, n_kv_put),
    JS_CFUNC_DEF("kvDelete", 1, n_kv_delete),
    JS_CFUNC_DEF("kvList", 2, n_kv_list),
    JS_CFUNC_MAGIC_DEF("moduleName", 0, n_identity, 0),
    JS_CFUNC_MAGIC_DEF("stationId", 0, n_identity, 1),
    JS_CFUNC_MAGIC_DEF("walletAddress", 0, n_identity, 2),
};

JSValue sj_native_object(JSContext *ctx) {
    JSValue obj = JS_NewObjectProto(ctx, JS_NULL);
    JS_SetPropertyFunctionList(ctx, obj, native_funcs, sizeof native_funcs / sizeof native_funcs[0]);
    JS_SetPropertyStr(ctx, obj, "version", JS_NewString(ctx, STATION_JS_VERSION));
    JS_SetPropertyStr(ctx, obj, "quickjs", JS_NewString(ctx, JS_GetVersion()));
    return obj;
}
