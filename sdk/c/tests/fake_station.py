"""A simulated station host for testing C guests without the real runtime or a network.

It implements the `station` imports of docs/abi.md on wasmtime-py (PyPI `wasmtime`), with HTTP
answered by a deterministic, seeded simulation whose readiness arrives over several `poll` rounds
in a shuffled order, so guests meet would-block, partial bodies and out-of-order completion.

Simulated URLs (anything else fails `http_request` with invalid-argument):
    http://ok/N          200 with an N-byte body, delivered in chunks
    http://status/CODE   that status, empty body
    http://denied/...    http_request fails at once with denied (-6)
    http://refused/...   the handle fails with io (-10) before a response head
    http://cut/N         200, then the body fails with io (-10) after N bytes
"""
import os
import random
import tempfile

import wasmtime

E_INVALID_ARGUMENT, E_FAULT, E_BAD_HANDLE, E_WOULD_BLOCK = -1, -2, -3, -4
E_LIMIT_REACHED, E_NOT_FOUND, E_IO = -7, -8, -10

I32, I64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()


class SimulatedRequest:
    """One simulated exchange: a head after some polls, then body chunks, then the end or a failure."""

    def __init__(self, url, rng):
        self.events = []  # (polls to wait, kind, value): kind in head / chunk / end / fail
        kind, _, rest = url[len("http://"):].partition("/")
        delay = lambda: rng.randint(0, 3)
        if kind == "ok":
            size = int(rest)
            self.events.append((delay(), "head", 200))
            while size > 0:
                chunk = min(size, rng.randint(1, 3000))
                self.events.append((delay(), "chunk", chunk))
                size -= chunk
            self.events.append((delay(), "end", 0))
        elif kind == "status":
            self.events += [(delay(), "head", int(rest)), (delay(), "end", 0)]
        elif kind == "refused":
            self.events.append((delay(), "fail", "connection refused by the simulation"))
        elif kind == "cut":
            self.events += [(delay(), "head", 200), (delay(), "chunk", int(rest)),
                            (delay(), "fail", "the simulated server closed the connection mid-body")]
        self.status = None
        self.available = 0
        self.ended = False
        self.failure = None

    def tick(self):
        """Advances one poll round: delivers the next event once its wait is over."""
        if not self.events:
            return
        wait, kind, value = self.events[0]
        if wait > 0:
            self.events[0] = (wait - 1, kind, value)
            return
        self.events.pop(0)
        if kind == "head":
            self.status = value
        elif kind == "chunk":
            self.available += value
        elif kind == "end":
            self.ended = True
        else:
            self.failure = value

    def ready(self, head_collected):
        if self.failure is not None:
            return True
        if not head_collected:
            return self.status is not None
        return self.available > 0 or self.ended


class FakeStation:
    """Runs one guest module against simulated station imports and records what it did."""

    def __init__(self, seed=1, kv=None):
        self.rng = random.Random(seed)
        self.kv = {} if kv is None else kv
        self.handles = {}  # handle -> [SimulatedRequest, head_collected]
        self.next_handle = 1
        self.last_error = b""
        self.max_open = 0
        self.requests_started = 0
        self.activities = []
        self.jobs = 0
        self.calls = 0

    # ---- running ---------------------------------------------------------------------------

    def run(self, wasm_path, args):
        """Runs the module's _start with args; returns (exit code, stdout text, stderr text)."""
        engine = wasmtime.Engine()
        store = wasmtime.Store(engine)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        self._define_imports(linker)
        with tempfile.TemporaryDirectory() as folder:
            out, err = os.path.join(folder, "out"), os.path.join(folder, "err")
            wasi = wasmtime.WasiConfig()
            wasi.argv = [os.path.basename(wasm_path)] + list(args)
            wasi.stdout_file = out
            wasi.stderr_file = err
            store.set_wasi(wasi)
            code = 0
            try:
                instance = linker.instantiate(store, wasmtime.Module.from_file(engine, wasm_path))
                instance.exports(store)["_start"](store)
            except wasmtime.ExitTrap as exit_trap:
                code = exit_trap.code
            with open(out, encoding="utf-8") as stdout, open(err, encoding="utf-8") as stderr:
                return code, stdout.read(), stderr.read()

    def _define_imports(self, linker):
        table = {
            "abi_version": ([], lambda c: 1),
            "last_error": ([I32, I32], self._last_error),
            "close": ([I32], self._close),
            "poll": ([I32, I32, I32, I64], self._poll),
            "read": ([I32, I32, I32], self._read),
            "http_request": ([I32] * 8 + [I64], self._http_request),
            "http_status": ([I32], self._http_status),
            "activity": ([I32, I32, I32], self._activity),
            "job_completed": ([], self._job_completed),
            "kv_get": ([I32] * 4, self._kv_get),
            "kv_put": ([I32] * 4, self._kv_put),
        }
        for name, (params, function) in table.items():
            linker.define_func("station", name, wasmtime.FuncType(params, [I32]),
                               self._counted(function), access_caller=True)

    def _counted(self, function):
        def call(caller, *args):
            self.calls += 1
            return function(caller, *args)
        return call

    # ---- memory ------------------------------------------------------------------------------

    @staticmethod
    def _memory(caller):
        return caller["memory"]

    def _load(self, caller, pointer, length):
        memory = self._memory(caller)
        if pointer + length > memory.data_len(caller):
            raise IndexError("fault")
        return bytes(memory.read(caller, pointer, pointer + length))

    def _store(self, caller, pointer, data):
        if data:
            self._memory(caller).write(caller, data, pointer)

    def _fail(self, code, message):
        self.last_error = message.encode()
        return code

    def _copy_out(self, caller, pointer, length, data):
        self._store(caller, pointer, data[:length])
        return len(data)

    # ---- imports -----------------------------------------------------------------------------

    def _last_error(self, caller, pointer, length):
        return self._copy_out(caller, pointer, length, self.last_error)

    def _close(self, caller, handle):
        if self.handles.pop(handle, None) is None:
            return self._fail(E_BAD_HANDLE, f"handle {handle} is not open")
        return 0

    def _http_request(self, caller, method, method_len, url, url_len, _h, headers_len, _b, body_len, _t):
        method_text = self._load(caller, method, method_len).decode()
        url_text = self._load(caller, url, url_len).decode()
        if method_text != "GET" or headers_len != 0 or body_len != 0:
            return self._fail(E_INVALID_ARGUMENT, "the simulation only does plain GETs")
        kind = url_text[len("http://"):].split("/")[0] if url_text.startswith("http://") else ""
        if kind == "denied":
            return self._fail(-6, f"{url_text} is not allowed: add --allow-net to grant it")
        if kind not in ("ok", "status", "refused", "cut"):
            return self._fail(E_INVALID_ARGUMENT, f"the simulation does not know {url_text}")
        handle = self.next_handle
        self.next_handle += 1
        self.handles[handle] = [SimulatedRequest(url_text, self.rng), False]
        self.requests_started += 1
        self.max_open = max(self.max_open, len(self.handles))
        return handle

    def _http_status(self, caller, handle):
        entry = self.handles.get(handle)
        if entry is None:
            return self._fail(E_BAD_HANDLE, f"handle {handle} is not open")
        request = entry[0]
        if request.status is None:
            if request.failure is not None:
                return self._fail(E_IO, request.failure)
            return E_WOULD_BLOCK
        entry[1] = True
        return request.status

    def _read(self, caller, handle, pointer, length):
        entry = self.handles.get(handle)
        if entry is None:
            return self._fail(E_BAD_HANDLE, f"handle {handle} is not open")
        request = entry[0]
        if request.available > 0:
            count = min(length, request.available)
            request.available -= count
            self._store(caller, pointer, b"x" * count)
            return count
        if request.failure is not None:
            return self._fail(E_IO, request.failure)
        return 0 if request.ended else E_WOULD_BLOCK

    def _poll(self, caller, handles_pointer, count, ready_pointer, _timeout):
        raw = self._load(caller, handles_pointer, 4 * count)
        handles = [int.from_bytes(raw[4 * i:4 * i + 4], "little", signed=True) for i in range(count)]
        for handle in handles:
            if handle not in self.handles:
                return self._fail(E_BAD_HANDLE, f"poll: handle {handle} is not open")
        ready = []
        for _ in range(10_000):  # a guest polling handles that can never become ready gets 0
            for handle in self.rng.sample(handles, len(handles)):
                self.handles[handle][0].tick()
            ready = [h for h in handles if self.handles[h][0].ready(self.handles[h][1])]
            if ready or not handles:
                break
        self._store(caller, ready_pointer, b"".join(h.to_bytes(4, "little", signed=True) for h in ready))
        return len(ready)

    def _activity(self, caller, level, pointer, length):
        if level not in (0, 1):
            return self._fail(E_INVALID_ARGUMENT, f"unknown activity level {level}")
        self.activities.append((level, self._load(caller, pointer, length).decode()))
        return 0 if len(self.activities) <= 20 else self._fail(E_LIMIT_REACHED, "activity rate limit")

    def _job_completed(self, caller):
        self.jobs += 1
        return 0

    def _kv_get(self, caller, key, key_len, pointer, length):
        name = self._load(caller, key, key_len)
        if name not in self.kv:
            return self._fail(E_NOT_FOUND, f"no key {name!r}")
        return self._copy_out(caller, pointer, length, self.kv[name])

    def _kv_put(self, caller, key, key_len, value, value_len):
        self.kv[self._load(caller, key, key_len)] = self._load(caller, value, value_len)
        return 0
