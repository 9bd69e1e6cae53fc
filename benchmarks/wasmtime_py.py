"""Runs a WASI command with wasmtime-py (the same libwasmtime 50.0.1), for side-by-side benchmarks.

    python benchmarks/wasmtime_py.py MODULE.wasm ARGS...

Compiled modules are cached next to the module (as station caches them), so a warm run measures
start-up plus execution, not Cranelift.
"""
import hashlib
import os
import sys
import time

import wasmtime


def main() -> int:
    path, args = sys.argv[1], sys.argv[2:]
    config = wasmtime.Config()
    engine = wasmtime.Engine(config)
    wasm = open(path, "rb").read()
    cache = os.path.join(os.environ.get("BENCH_CACHE", "/tmp"), "wtpy-" + hashlib.sha256(wasm).hexdigest()[:16] + ".cwasm")
    if os.path.exists(cache):
        module = wasmtime.Module.deserialize_file(engine, cache)
    else:
        module = wasmtime.Module(engine, wasm)
        with open(cache + ".tmp", "wb") as out:
            out.write(module.serialize())
        os.replace(cache + ".tmp", cache)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [path] + args
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    start = time.perf_counter()
    instance = linker.instantiate(store, module)
    status = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        status = exit_trap.code
    if os.environ.get("BENCH_REPORT"):
        # Instantiate + run, the part station's --stats "wall" also measures after loading.
        print(f"bench: run {time.perf_counter() - start:.6f}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
