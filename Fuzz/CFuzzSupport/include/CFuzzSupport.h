#ifndef STATION_FUZZ_SUPPORT_H
#define STATION_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver entry point (compiler-rt, linked by `-sanitize=fuzzer`). It parses the
/// libFuzzer flags in argv and runs `callback` on every input, exactly as libFuzzer's own main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
