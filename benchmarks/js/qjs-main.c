/*
 * qjs-main.c: a minimal native QuickJS-ng runner for benchmarks/bench-js (the "native QuickJS" row of
 * the CPU benchmark). Built by the bench script with the host C compiler from the same sdist
 * sources as station-js.wasm, into a scratch folder; never committed as a binary.
 *
 *   qjs-main FILE.js [ARGS...]
 *
 * Evaluates FILE.js as an ES module with `console.log` (stdout) and `scriptArgs` as its only
 * additions to the standard library, runs pending jobs until none are left, and exits 1 with the
 * error on stderr after an exception or a rejected top-level promise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quickjs.h"

static JSValue console_log(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    (void)this_val;
    for (int i = 0; i < argc; i++) {
        const char *s = JS_ToCString(ctx, argv[i]);
        if (!s) return JS_EXCEPTION;
        fputs(i ? " " : "", stdout);
        fputs(s, stdout);
        JS_FreeCString(ctx, s);
    }
    fputc('\n', stdout);
    return JS_UNDEFINED;
}

static int fail(JSContext *ctx, JSValue err) {
    const char *s = JS_ToCString(ctx, err);
    fprintf(stderr, "error: %s\n", s ? s : "(unprintable)");
    if (s) JS_FreeCString(ctx, s);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: qjs-main FILE.js [ARGS...]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc((size_t)size + 1);
    if (!src || fread(src, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    src[size] = 0;
    fclose(f);

    JSRuntime *rt = JS_NewRuntime();
    JSContext *ctx = JS_NewContext(rt);
    JSValue global = JS_GetGlobalObject(ctx);
    JSValue console = JS_NewObject(ctx);
    JS_SetPropertyStr(ctx, console, "log", JS_NewCFunction(ctx, console_log, "log", 1));
    JS_SetPropertyStr(ctx, global, "console", console);
    JSValue args = JS_NewArray(ctx);
    for (int i = 2; i < argc; i++) JS_SetPropertyUint32(ctx, args, (uint32_t)(i - 2), JS_NewString(ctx, argv[i]));
    JS_SetPropertyStr(ctx, global, "scriptArgs", args);
    JS_FreeValue(ctx, global);

    JSValue result = JS_Eval(ctx, src, (size_t)size, argv[1], JS_EVAL_TYPE_MODULE);
    if (JS_IsException(result)) return fail(ctx, JS_GetException(ctx));
    for (;;) {
        JSContext *job;
        int r = JS_ExecutePendingJob(rt, &job);
        if (r < 0) return fail(ctx, JS_GetException(ctx));
        if (r == 0) break;
    }
    if (JS_IsPromise(result) && JS_PromiseState(ctx, result) == JS_PROMISE_REJECTED)
        return fail(ctx, JS_PromiseResult(ctx, result));
    fflush(stdout);
    return 0;
}
