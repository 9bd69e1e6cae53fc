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

#endif
