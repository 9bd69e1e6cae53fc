/*
 * cache.c — the bytecode cache: compiled scripts and modules kept between runs, so a start-up does
 * not parse the same sources again (QuickJS-ng parses about 4 MB/s inside WebAssembly; a module
 * with a 1.2 MB bundle would spend ~0.3 s on it every start).
 *
 * The host turns it on by preopening a folder of its own and naming it in STATION_JS_CACHE (a guest
 * path). station keeps that folder per engine version and per module in its cache folder, and no
 * one but this engine writes into it: JavaScript code has no file API, and the folder is granted to
 * no other module. Even so, an entry is only used when everything checks:
 *
 *   "SJBC" u32le(format) key[32] u64le(payload length) sha256(payload)[32] payload
 *
 * key = SHA-256(SHA-256(source) || SHA-256(module name)): the entry is found by the content it was
 * compiled from, and both are checked again after reading. The payload's SHA-256 catches a torn or
 * damaged file. Anything unexpected (short file, other format, wrong key or hash, a payload QuickJS
 * refuses or of the wrong kind) is a miss: the source is compiled and the entry written again,
 * atomically (temporary file + rename). Failing to read or write the cache never fails a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"

#define SJ_CACHE_MAGIC "SJBC"
#define SJ_CACHE_FORMAT 1u
#define SJ_CACHE_HEADER (4 + 4 + 32 + 8 + 32)
/* Entries larger than this are neither written nor read (a 1.2 MB bundle compiles to ~1 MB). */
#define SJ_CACHE_MAX_ENTRY (64u << 20)

static const char *cache_dir; /* guest path, or NULL when off */
static int cache_stats[3];    /* hits, misses, writes (STATION_JS_CACHE_STATS=1 prints them) */

void sj_cache_init(void) {
    const char *dir = getenv("STATION_JS_CACHE");
    cache_dir = (dir && dir[0] == '/') ? dir : NULL;
}

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void entry_path(char *out, size_t cap, const uint8_t key[32]) {
    static const char hex[] = "0123456789abcdef";
    char name[65];
    for (int i = 0; i < 32; i++) {
        name[2 * i] = hex[key[i] >> 4];
        name[2 * i + 1] = hex[key[i] & 15];
    }
    name[64] = 0;
    snprintf(out, cap, "%s/%s.qbc", cache_dir, name);
}

static void make_key(const char *name, const char *src, size_t len, uint8_t key[32]) {
    uint8_t both[64];
    sj_digest(256, (const uint8_t *)src, len, both);
    sj_digest(256, (const uint8_t *)name, strlen(name), both + 32);
    sj_digest(256, both, sizeof both, key);
}

/* Reads the whole entry file; NULL when missing, unreadable or of an impossible size. */
static uint8_t *read_entry(const char *path, size_t *plen) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < SJ_CACHE_HEADER ||
        (uint64_t)st.st_size > SJ_CACHE_HEADER + (uint64_t)SJ_CACHE_MAX_ENTRY) {
        close(fd);
        return NULL;
    }
    size_t len = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(len);
    while (buf && got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            free(buf);
            buf = NULL;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    *plen = len;
    return buf;
}

JSValue sj_cache_compile(JSContext *ctx, const char *name, const char *src, size_t len, int flags) {
    if (!cache_dir) return JS_Eval(ctx, src, len, name, flags | JS_EVAL_FLAG_COMPILE_ONLY);
    uint8_t key[32];
    make_key(name, src, len, key);
    char path[4200];
    entry_path(path, sizeof path, key);
    int want_tag = (flags & JS_EVAL_TYPE_MASK) == JS_EVAL_TYPE_MODULE ? JS_TAG_MODULE : JS_TAG_FUNCTION_BYTECODE;

    size_t file_len = 0;
    uint8_t *file = read_entry(path, &file_len);
    if (file) {
        uint8_t digest[32];
        uint64_t payload_len = get_u64(file + 40);
        bool ok = memcmp(file, SJ_CACHE_MAGIC, 4) == 0 && file[4] == SJ_CACHE_FORMAT && !file[5] && !file[6] &&
                  !file[7] && memcmp(file + 8, key, 32) == 0 && payload_len == file_len - SJ_CACHE_HEADER;
        if (ok) {
            sj_digest(256, file + SJ_CACHE_HEADER, (size_t)payload_len, digest);
            ok = memcmp(digest, file + 48, 32) == 0;
        }
        if (ok) {
            JSValue v = JS_ReadObject(ctx, file + SJ_CACHE_HEADER, (size_t)payload_len, JS_READ_OBJ_BYTECODE);
            free(file);
            if (!JS_IsException(v) && JS_VALUE_GET_TAG(v) == want_tag) {
                cache_stats[0]++;
                return v;
            }
            if (JS_IsException(v)) JS_FreeValue(ctx, JS_GetException(ctx));
            else JS_FreeValue(ctx, v);
        } else {
            free(file);
        }
    }
    cache_stats[1]++;

    JSValue v = JS_Eval(ctx, src, len, name, flags | JS_EVAL_FLAG_COMPILE_ONLY);
    if (JS_IsException(v)) return v;
    size_t payload_len = 0;
    uint8_t *payload = JS_WriteObject(ctx, &payload_len, v, JS_WRITE_OBJ_BYTECODE);
    if (!payload) {
        JS_FreeValue(ctx, JS_GetException(ctx)); /* best effort: the run goes on without an entry */
        return v;
    }
    if (payload_len <= SJ_CACHE_MAX_ENTRY) {
        uint8_t header[SJ_CACHE_HEADER];
        memcpy(header, SJ_CACHE_MAGIC, 4);
        put_u32(header + 4, SJ_CACHE_FORMAT);
        memcpy(header + 8, key, 32);
        put_u64(header + 40, payload_len);
        sj_digest(256, payload, payload_len, header + 48);
        char tmp[4300];
        uint32_t nonce = arc4random();
        snprintf(tmp, sizeof tmp, "%s.%08x.tmp", path, nonce);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            bool ok = true;
            const uint8_t *parts[2] = {header, payload};
            size_t sizes[2] = {sizeof header, payload_len};
            for (int i = 0; i < 2 && ok; i++) {
                size_t done = 0;
                while (done < sizes[i]) {
                    ssize_t n = write(fd, parts[i] + done, sizes[i] - done);
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0) {
                        ok = false;
                        break;
                    }
                    done += (size_t)n;
                }
            }
            close(fd);
            if (ok && rename(tmp, path) == 0) cache_stats[2]++;
            else unlink(tmp);
        }
    }
    js_free(ctx, payload);
    return v;
}

void sj_cache_report(void) {
    const char *want = getenv("STATION_JS_CACHE_STATS");
    if (!want || strcmp(want, "1") != 0) return;
    char line[128];
    int n = snprintf(line, sizeof line, "station-js cache: %s, %d hits, %d misses, %d written\n",
                     cache_dir ? "on" : "off", cache_stats[0], cache_stats[1], cache_stats[2]);
    sj_write_all(2, line, (size_t)n);
}
