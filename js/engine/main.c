/*
 * main.c — station-js: QuickJS-ng inside a station module.
 *
 * argv = ["station-js", "<entry path relative to the module root>", ARGS...]. The host preopens the
 * module's folder at "/". We set up the runtime (memory and stack limits), run the prelude (the
 * Zinnia/web API, js/prelude/*.js, embedded at build time), load the entry as an ES module and run
 * the event loop until nothing is left: exit status 0, or 1 after an uncaught exception or an
 * unhandled rejection (its stack on stderr), as Zinnia does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

/* Embedded at build time (#embed): the prelude script and the built-in modules. */
static const char prelude_source[] = {
#embed "prelude.js"
    , 0};
static const char assert_source[] = {
#embed "zinnia-assert.js"
    , 0};
static const char test_source[] = {
#embed "zinnia-test.js"
    , 0};

/* Shadow-stack budget (bytes) for JS frames; the linker reserves STATION_JS_STACK (build script). */
#ifndef STATION_JS_STACK
#define STATION_JS_STACK (1024 * 1024)
#endif
#ifndef STATION_JS_JS_STACK
#define STATION_JS_JS_STACK (STATION_JS_STACK - 64 * 1024)
#endif

static JSRuntime *rt;
static JSContext *ctx;
static JSValue hooks; /* filled by the prelude: timers, refTimers, formatError, internals */
static JSValue hook_timers, hook_ref_timers, hook_format_error;

/* Unhandled rejections: promises rejected without a handler, removed when one is added. */
typedef struct {
    JSValue promise;
    JSValue reason;
} Rejection;
static Rejection *rejections;
static size_t rejection_count, rejection_cap;

void sj_write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void write_str(int fd, const char *s) { sj_write_all(fd, s, strlen(s)); }

double sj_now_ms(void) {
    static int64_t origin = -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (origin < 0) origin = ns - 1000000; /* start at 1 ms */
    return (double)(ns - origin) / 1e6;
}

/* ---- error reporting ---------------------------------------------------------------------- */

/* Prints "error: Uncaught [(in promise) ]<formatted error>" on stderr and exits with status 1. */
static void die_with(JSValue err, int in_promise) {
    const char *text = NULL;
    JSValue formatted = JS_UNDEFINED;
    if (JS_IsFunction(ctx, hook_format_error)) {
        JSValue args[2] = {err, JS_NewBool(ctx, in_promise)};
        formatted = JS_Call(ctx, hook_format_error, JS_UNDEFINED, 2, args);
        if (JS_IsException(formatted)) {
            JS_FreeValue(ctx, JS_GetException(ctx));
            formatted = JS_UNDEFINED;
        } else {
            text = JS_ToCString(ctx, formatted);
        }
    }
    if (text) {
        write_str(2, text);
        write_str(2, "\n");
    } else {
        /* The prelude could not format it (not loaded yet, or out of memory): plain text. */
        write_str(2, in_promise ? "error: Uncaught (in promise) " : "error: Uncaught ");
        const char *plain = JS_ToCString(ctx, err);
        write_str(2, plain ? plain : "(an exception that cannot be printed)");
        if (plain) JS_FreeCString(ctx, plain);
        write_str(2, "\n");
        if (JS_IsObject(err)) {
            JSValue stack = JS_GetPropertyStr(ctx, err, "stack");
            const char *s = JS_IsString(stack) ? JS_ToCString(ctx, stack) : NULL;
            if (s) {
                write_str(2, s);
                JS_FreeCString(ctx, s);
            }
            JS_FreeValue(ctx, stack);
        }
    }
    _exit(1); /* no atexit work: stdout is written unbuffered */
}

static void die_exception(void) {
    JSValue err = JS_GetException(ctx);
    die_with(err, 0);
}

static void die_message(const char *message) {
    write_str(2, "error: ");
    write_str(2, message);
    write_str(2, "\n");
    _exit(1);
}

static void rejection_tracker(JSContext *c, JSValueConst promise, JSValueConst reason,
                              bool is_handled, void *opaque) {
    (void)opaque;
    if (!is_handled) {
        if (rejection_count == rejection_cap) {
            size_t cap = rejection_cap ? rejection_cap * 2 : 16;
            Rejection *grown = realloc(rejections, cap * sizeof *grown);
            if (!grown) die_message("out of memory while tracking a rejected promise");
            rejections = grown;
            rejection_cap = cap;
        }
        rejections[rejection_count].promise = JS_DupValue(c, promise);
        rejections[rejection_count].reason = JS_DupValue(c, reason);
        rejection_count++;
    } else {
        for (size_t i = 0; i < rejection_count; i++) {
            if (JS_VALUE_GET_PTR(rejections[i].promise) == JS_VALUE_GET_PTR(promise)) {
                JS_FreeValue(c, rejections[i].promise);
                JS_FreeValue(c, rejections[i].reason);
                rejections[i] = rejections[--rejection_count];
                break;
            }
        }
    }
}

/* Runs every pending job (promise reactions); dies on an uncaught exception or, once the queue is
 * empty, on a rejection nobody handled. */
static void drain_jobs(void) {
    for (;;) {
        JSContext *job_ctx;
        int r = JS_ExecutePendingJob(rt, &job_ctx);
        if (r < 0) die_exception();
        if (r == 0) break;
    }
    if (rejection_count > 0) die_with(rejections[0].reason, 1);
}

/* ---- module loader ----------------------------------------------------------------------- */

/* Module names are paths relative to the root without a leading '/', e.g. "src/lib.js", or the
 * built-in "zinnia:assert", "zinnia:test" (and "station:internal", for built-ins only). */

static char *normalize_path(JSContext *c, const char *base_dir, size_t base_len, const char *spec) {
    size_t cap = base_len + strlen(spec) + 2;
    char *joined = js_malloc(c, cap);
    if (!joined) return NULL;
    if (spec[0] == '/') {
        snprintf(joined, cap, "%s", spec + 1);
    } else {
        memcpy(joined, base_dir, base_len);
        joined[base_len] = 0;
        if (base_len) strcat(joined, "/");
        strcat(joined, spec);
    }
    /* Resolve "." and ".." segments in place; refuse climbing above the root. */
    char *out = js_malloc(c, cap);
    if (!out) {
        js_free(c, joined);
        return NULL;
    }
    size_t o = 0;
    char *p = joined;
    while (*p) {
        char *seg = p;
        while (*p && *p != '/') p++;
        size_t n = (size_t)(p - seg);
        if (*p) p++;
        if (n == 0 || (n == 1 && seg[0] == '.')) continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            if (o == 0) {
                js_free(c, joined);
                js_free(c, out);
                JS_ThrowTypeError(c, "Cannot import files outside of the module root directory. (\"%s\")", spec);
                return NULL;
            }
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--; /* drop the separator */
            continue;
        }
        if (o) out[o++] = '/';
        memcpy(out + o, seg, n);
        o += n;
    }
    out[o] = 0;
    js_free(c, joined);
    return out;
}

static char *module_normalize(JSContext *c, const char *base, const char *spec, void *opaque) {
    (void)opaque;
    if (strncmp(spec, "zinnia:", 7) == 0) {
        if (strcmp(spec, "zinnia:assert") && strcmp(spec, "zinnia:test")) {
            JS_ThrowTypeError(c, "Unknown built-in module: %s", spec);
            return NULL;
        }
        return js_strdup(c, spec);
    }
    if (strcmp(spec, "station:internal") == 0) {
        if (strncmp(base, "zinnia:", 7) != 0) {
            JS_ThrowTypeError(c, "Unknown built-in module: %s", spec);
            return NULL;
        }
        return js_strdup(c, spec);
    }
    if (strncmp(spec, "file://", 7) == 0) spec += 7;
    else {
        const char *colon = strchr(spec, ':');
        const char *slash = strchr(spec, '/');
        if (colon && (!slash || colon < slash) && colon > spec) {
            JS_ThrowTypeError(c, "Unsupported scheme: %.*s. Zinnia can import local modules only.",
                              (int)(colon - spec), spec);
            return NULL;
        }
    }
    if (!(spec[0] == '/' || strncmp(spec, "./", 2) == 0 || strncmp(spec, "../", 3) == 0)) {
        JS_ThrowTypeError(c, "Relative import path \"%s\" not prefixed with / or ./ or ../", spec);
        return NULL;
    }
    const char *slash = strrchr(base, '/');
    size_t base_len = (slash && strncmp(base, "zinnia:", 7) != 0) ? (size_t)(slash - base) : 0;
    return normalize_path(c, base, base_len, spec);
}

/* Reads a file under the root; sets *err to errno on failure. */
static char *read_file(JSContext *c, const char *name, size_t *plen, int *err) {
    char path[4200];
    if (strlen(name) > 4096) {
        *err = ENAMETOOLONG;
        return NULL;
    }
    snprintf(path, sizeof path, "/%s", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *buf = js_malloc(c, cap);
    if (!buf) {
        close(fd);
        *err = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *grown = js_realloc(c, buf, cap * 2);
            if (!grown) {
                js_free(c, buf);
                close(fd);
                *err = ENOMEM;
                return NULL;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            *err = errno;
            js_free(c, buf);
            close(fd);
            return NULL;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    *plen = len;
    return buf;
}

static int json_module_init(JSContext *c, JSModuleDef *m) {
    JSValue v = JS_GetModulePrivateValue(c, m);
    return JS_SetModuleExport(c, m, "default", v);
}

static int internal_module_init(JSContext *c, JSModuleDef *m) {
    JSValue internals = JS_GetPropertyStr(c, hooks, "internals");
    return JS_SetModuleExport(c, m, "default", internals);
}

static bool attr_is_json(JSContext *c, JSValueConst attributes) {
    if (!JS_IsObject(attributes)) return false;
    JSValue type = JS_GetPropertyStr(c, attributes, "type");
    const char *s = JS_IsString(type) ? JS_ToCString(c, type) : NULL;
    bool json = s && strcmp(s, "json") == 0;
    if (s) JS_FreeCString(c, s);
    JS_FreeValue(c, type);
    return json;
}

static JSModuleDef *compile_module(JSContext *c, const char *name, const char *src, size_t len) {
    JSValue fn = sj_cache_compile(c, name, src, len, JS_EVAL_TYPE_MODULE);
    if (JS_IsException(fn)) return NULL;
    JSModuleDef *m = JS_VALUE_GET_PTR(fn);
    if (strncmp(name, "zinnia:", 7) != 0) {
        /* import.meta: url, filename, dirname, main (as Zinnia 0.24 / Deno). */
        JSValue meta = JS_GetImportMeta(c, m);
        if (!JS_IsException(meta)) {
            size_t n = strlen(name);
            char *buf = js_malloc(c, n + 16);
            if (buf) {
                snprintf(buf, n + 16, "file:///%s", name);
                JS_SetPropertyStr(c, meta, "url", JS_NewString(c, buf));
                snprintf(buf, n + 16, "/%s", name);
                JS_SetPropertyStr(c, meta, "filename", JS_NewString(c, buf));
                char *slash = strrchr(buf, '/');
                if (slash == buf) slash[1] = 0;
                else *slash = 0;
                JS_SetPropertyStr(c, meta, "dirname", JS_NewString(c, buf));
                js_free(c, buf);
            }
            JS_FreeValue(c, meta);
        }
    }
    JS_FreeValue(c, fn);
    return m;
}

static JSModuleDef *module_loader(JSContext *c, const char *name, void *opaque, JSValueConst attributes) {
    (void)opaque;
    if (strcmp(name, "zinnia:assert") == 0)
        return compile_module(c, name, assert_source, sizeof assert_source - 1);
    if (strcmp(name, "zinnia:test") == 0)
        return compile_module(c, name, test_source, sizeof test_source - 1);
    if (strcmp(name, "station:internal") == 0) {
        JSModuleDef *m = JS_NewCModule(c, name, internal_module_init);
        if (m) JS_AddModuleExport(c, m, "default");
        return m;
    }
    size_t len;
    int err = 0;
    char *src = read_file(c, name, &len, &err);
    if (!src) {
        if (err == ENOTCAPABLE || err == EPERM || err == EACCES)
            JS_ThrowTypeError(c, "Cannot import files outside of the module root directory. (\"/%s\")", name);
        else if (err == ENOENT || err == ENOTDIR)
            JS_ThrowTypeError(c, "Module not found \"file:///%s\".", name);
        else if (err == ENOMEM)
            JS_ThrowOutOfMemory(c);
        else
            JS_ThrowTypeError(c, "Cannot load module \"file:///%s\": %s", name, strerror(err));
        return NULL;
    }
    size_t n = strlen(name);
    bool json = attr_is_json(c, attributes) || (n > 5 && strcmp(name + n - 5, ".json") == 0);
    if (json) {
        JSValue v = JS_ParseJSON(c, src, len, name);
        js_free(c, src);
        if (JS_IsException(v)) return NULL;
        JSModuleDef *m = JS_NewCModule(c, name, json_module_init);
        if (!m || JS_AddModuleExport(c, m, "default") < 0) {
            JS_FreeValue(c, v);
            return NULL;
        }
        JS_SetModulePrivateValue(c, m, v);
        return m;
    }
    JSModuleDef *m = compile_module(c, name, src, len);
    js_free(c, src);
    return m;
}

static int check_attributes(JSContext *c, void *opaque, JSValueConst attributes) {
    (void)opaque;
    if (!JS_IsObject(attributes)) return 0;
    JSValue type = JS_GetPropertyStr(c, attributes, "type");
    int ok = 0;
    if (!JS_IsUndefined(type) && !attr_is_json(c, attributes)) {
        JS_ThrowTypeError(c, "import attribute \"type\" must be \"json\"");
        ok = -1;
    }
    JS_FreeValue(c, type);
    return ok;
}

/* ---- event loop ------------------------------------------------------------------------ */

static double call_number_hook(JSValue fn, int argc, JSValue *argv) {
    JSValue r = JS_Call(ctx, fn, JS_UNDEFINED, argc, argv);
    if (JS_IsException(r)) die_exception();
    double d = 0;
    JS_ToFloat64(ctx, &d, r);
    JS_FreeValue(ctx, r);
    return d;
}

static void run_loop(void) {
    for (;;) {
        drain_jobs();
        /* Due timers, one at a time, each followed by its microtasks. */
        double next;
        for (;;) {
            JSValue now = JS_NewFloat64(ctx, sj_now_ms());
            next = call_number_hook(hook_timers, 1, &now);
            if (next != -2) break;
            drain_jobs();
        }
        double refs = call_number_hook(hook_ref_timers, 0, NULL);
        size_t waits = sj_wait_count();
        if (waits == 0 && refs <= 0) {
            drain_jobs();
            if (sj_wait_count() == 0 && call_number_hook(hook_ref_timers, 0, NULL) <= 0) return;
            continue;
        }
        int64_t timeout = -1;
        if (next > 0) {
            double left = next - sj_now_ms();
            timeout = left <= 0 ? 0 : (int64_t)left + 1;
        }
        if (waits > 0) {
            if (sj_wait_dispatch(ctx, timeout) < 0) die_exception();
        } else if (timeout > 0) {
            struct timespec ts = {.tv_sec = timeout / 1000, .tv_nsec = (timeout % 1000) * 1000000};
            nanosleep(&ts, NULL); /* WASI poll_oneoff on a clock: the host ends it on a stop */
        }
    }
}

/* ---- start-up --------------------------------------------------------------------------- */

static size_t env_size(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) return 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    return (*end == 0 && n > 0 && n < (1ull << 32)) ? (size_t)n : 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        write_str(2, "usage: station-js <entry.js relative to the module root> [ARGS...]\n");
        return 2;
    }
    sj_set_args(argc, argv);
    rt = JS_NewRuntime();
    if (!rt) die_message("cannot create the JavaScript runtime (out of memory)");
    /* The host's linear-memory budget, when it tells us: keep the JS heap below it so an
     * over-limit allocation is a catchable error while C still has room to report it. */
    size_t budget = env_size("STATION_MEMORY_LIMIT");
    if (budget) {
        size_t reserve = STATION_JS_STACK + budget / 16 + (2u << 20);
        if (budget > reserve + (4u << 20)) JS_SetMemoryLimit(rt, budget - reserve);
    }
    /* Deep recursion must end in a catchable RangeError before the host's WebAssembly stack limit
     * (--stack, 1 MiB by default) traps: measured, a JS call costs ~330 bytes of our shadow stack
     * and up to ~4x that of the engine's native stack (WasmKit), so we allow 1/8 of the host's
     * budget (STATION_WASM_STACK, bytes) — 128 KiB, ~390 frames, by default. */
    size_t js_stack = env_size("STATION_JS_MAX_STACK");
    if (!js_stack) {
        size_t wasm_stack = env_size("STATION_WASM_STACK");
        js_stack = (wasm_stack ? wasm_stack : 1024 * 1024) / 8;
    }
    if (js_stack > STATION_JS_JS_STACK) js_stack = STATION_JS_JS_STACK;
    if (js_stack < 32 * 1024) js_stack = 32 * 1024;
    JS_SetMaxStackSize(rt, js_stack);
    JS_SetHostPromiseRejectionTracker(rt, rejection_tracker, NULL);
    JS_SetModuleLoaderFunc2(rt, module_normalize, module_loader, check_attributes, NULL);
    ctx = JS_NewContext(rt);
    if (!ctx) die_message("cannot create the JavaScript context (out of memory)");

    hooks = JS_NewObject(ctx);
    sj_cache_init();
    JSValue prelude_code = sj_cache_compile(ctx, "station:prelude", prelude_source, sizeof prelude_source - 1,
                                            JS_EVAL_TYPE_GLOBAL | JS_EVAL_FLAG_STRICT);
    if (JS_IsException(prelude_code)) die_exception();
    JSValue prelude = JS_EvalFunction(ctx, prelude_code); /* the prelude's value: its function */
    if (JS_IsException(prelude)) die_exception();
    JSValue native = sj_native_object(ctx);
    JSValue args[2] = {native, hooks};
    JSValue r = JS_Call(ctx, prelude, JS_UNDEFINED, 2, args);
    if (JS_IsException(r)) die_exception();
    JS_FreeValue(ctx, r);
    JS_FreeValue(ctx, prelude);
    JS_FreeValue(ctx, native);
    hook_timers = JS_GetPropertyStr(ctx, hooks, "timers");
    hook_ref_timers = JS_GetPropertyStr(ctx, hooks, "refTimers");
    hook_format_error = JS_GetPropertyStr(ctx, hooks, "formatError");
    if (!JS_IsFunction(ctx, hook_timers) || !JS_IsFunction(ctx, hook_ref_timers))
        die_message("the prelude did not install its event-loop hooks");
    drain_jobs();

    /* The entry module, resolved like an import from the root. */
    const char *entry = argv[1];
    char *name;
    if (entry[0] == '/' || strncmp(entry, "./", 2) == 0 || strncmp(entry, "../", 3) == 0) {
        name = module_normalize(ctx, "", entry, NULL);
    } else {
        size_t n = strlen(entry) + 3;
        char *dotted = malloc(n);
        if (!dotted) die_message("out of memory");
        snprintf(dotted, n, "./%s", entry);
        name = module_normalize(ctx, "", dotted, NULL);
        free(dotted);
    }
    if (!name) die_exception();
    size_t len;
    int err = 0;
    char *src = read_file(ctx, name, &len, &err);
    if (!src) {
        char msg[4400];
        snprintf(msg, sizeof msg, "cannot read the module \"%s\": %s", entry, strerror(err));
        die_message(msg);
    }
    JSValue value = sj_cache_compile(ctx, name, src, len, JS_EVAL_TYPE_MODULE);
    js_free(ctx, src);
    if (JS_IsException(value)) die_exception();
    /* Compiling resolves the imports; bytecode read from the cache has them still to load. */
    if (JS_ResolveModule(ctx, value) < 0) die_exception();
    {
        JSModuleDef *m = JS_VALUE_GET_PTR(value);
        JSValue meta = JS_GetImportMeta(ctx, m);
        char buf[4200];
        snprintf(buf, sizeof buf, "file:///%s", name);
        JS_SetPropertyStr(ctx, meta, "url", JS_NewString(ctx, buf));
        snprintf(buf, sizeof buf, "/%s", name);
        JS_SetPropertyStr(ctx, meta, "filename", JS_NewString(ctx, buf));
        char *slash = strrchr(buf, '/');
        if (slash == buf) slash[1] = 0;
        else *slash = 0;
        JS_SetPropertyStr(ctx, meta, "dirname", JS_NewString(ctx, buf));
        JS_SetPropertyStr(ctx, meta, "main", JS_TRUE);
        JS_FreeValue(ctx, meta);
    }
    js_free(ctx, name);
    JSValue result = JS_EvalFunction(ctx, value);
    if (JS_IsException(result)) die_exception();
    /* A module evaluates to a promise (top-level await); its rejection is reported by the tracker. */
    run_loop();
    if (JS_IsPromise(result)) {
        JSPromiseStateEnum state = JS_PromiseState(ctx, result);
        if (state == JS_PROMISE_REJECTED) die_with(JS_PromiseResult(ctx, result), 1);
        if (state == JS_PROMISE_PENDING) die_message("Top-level await promise never resolved");
    }
    JS_FreeValue(ctx, result);
    sj_cache_report();
    /* Flush the prelude's pending output (e.g. the final jobs report is the host's job). */
    return 0;
}
