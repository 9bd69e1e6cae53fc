/*
 * engine.h — shared declarations of the station-js glue (main.c, native.c, sha.c).
 */
#ifndef STATION_JS_ENGINE_H
#define STATION_JS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "quickjs.h"

/** Version of our glue (prelude + C), reported as Zinnia.versions.station and in manifest.json. */
#ifndef STATION_JS_VERSION
#define STATION_JS_VERSION "0.1.0"
/** The bytecode cache (cache.c): reads STATION_JS_CACHE. */
void sj_cache_init(void);
/** Compiles src (JS_Eval with flags | JS_EVAL_FLAG_COMPILE_ONLY), or reads the bytecode a previous
 *  run wrote for the same name and source from the cache, verified; writes it on a miss. */
JSValue sj_cache_compile(JSContext *ctx, const char *name, const char *src, size_t len, int flags);
/** Prints hits/misses/writes on stderr when STATION_JS_CACHE_STATS=1 (tests, benchmarks). */
void sj_cache_report(void);

#endif

/** Creates the private `native` object handed to the prelude (never reachable from module code). */
JSValue sj_native_object(JSContext *ctx);

/** Registers a one-shot wait: `cb(handle)` runs when `handle` is ready (native.c owns the table). */
size_t sj_wait_count(void);
/** Polls the registered handles for at most timeout_ms (-1: no timeout) and runs the callbacks of
 *  the ready ones. Returns -1 after an uncaught exception (already stored in the context). */
int sj_wait_dispatch(JSContext *ctx, int64_t timeout_ms);

/** Keeps argv for native.args(). */
void sj_set_args(int argc, char **argv);

/** Milliseconds on the monotonic clock, starting near 1 (so 0 can mean "none"). */
double sj_now_ms(void);

/** Writes all of buf to fd (1 or 2), ignoring short writes. */
void sj_write_all(int fd, const char *buf, size_t len);

/** Hash functions used by crypto.subtle.digest. alg: 1 SHA-1, 256, 384, 512. Returns digest
 *  length, 0 for an unknown algorithm. out must hold 64 bytes. */
size_t sj_digest(int alg, const uint8_t *data, size_t len, uint8_t *out);

/** The bytecode cache (cache.c): reads STATION_JS_CACHE. */
void sj_cache_init(void);
/** Compiles src (JS_Eval with flags | JS_EVAL_FLAG_COMPILE_ONLY), or reads the bytecode a previous
 *  run wrote for the same name and source from the cache, verified; writes it on a miss. */
JSValue sj_cache_compile(JSContext *ctx, const char *name, const char *src, size_t len, int flags);
/** Prints hits/misses/writes on stderr when STATION_JS_CACHE_STATS=1 (tests, benchmarks). */
void sj_cache_report(void);

#endif
