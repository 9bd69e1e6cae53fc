#!/usr/bin/env python3
"""Runs the C example guests (examples/c) against the simulated host in fake_station.py.

    python3 sdk/c/tests/guest_tests.py BUILD_DIR     (BUILD_DIR holds fetch.wasm, kv-counter.wasm, jobs.wasm)

Exit status 0 when every test passes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_station import FakeStation  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else ".build-examples"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def fetch(args, seed=1):
    host = FakeStation(seed=seed)
    code, out, err = host.run(os.path.join(BUILD, "fetch.wasm"), args)
    return host, code, out, err


def test_fetch_prints_in_argument_order():
    urls = ["http://ok/5000", "http://status/404", "http://denied/x", "http://refused/y",
            "http://cut/700", "http://ok/0", "http://ok/12345"]
    host, code, out, err = fetch(["-c", "3"] + urls, seed=7)
    expected = ["http://ok/5000 200 5000", "http://status/404 404 0",
                "http://denied/x error denied: http://denied/x is not allowed: add --allow-net to grant it",
                "http://refused/y error io: connection refused by the simulation",
                "http://cut/700 error io: the simulated server closed the connection mid-body",
                "http://ok/0 200 0", "http://ok/12345 200 12345"]
    check(out.splitlines() == expected, f"fetch output:\n{out}\nexpected:\n" + "\n".join(expected))
    check(code == 1, f"fetch with failures should exit 1, got {code} ({err})")
    check(host.max_open <= 3, f"fetch -c 3 had {host.max_open} handles open")
    check(not host.handles, f"fetch left handles open: {sorted(host.handles)}")


def test_fetch_quiet_summary_with_repeats():
    urls = ["http://ok/1024", "http://ok/10", "http://status/500"]
    host, code, out, err = fetch(["-q", "-c", "16", "-n", "300"] + urls, seed=3)
    check(out == "requests=900 ok=900 errors=0 bytes=310200\n", f"quiet summary: {out!r} {err}")
    check(code == 0, f"fetch without failures should exit 0, got {code}")
    check(host.requests_started == 900, f"started {host.requests_started} requests, expected 900")
    check(host.max_open == 16, f"fetch -c 16 reached {host.max_open} open handles, expected exactly 16")


def test_fetch_quiet_counts_errors_and_timing():
    host, code, out, err = fetch(["-q", "-t", "-n", "5", "http://ok/1", "http://refused/z"])
    fields = dict(part.split("=") for part in out.split())
    check(fields.get("requests") == "10" and fields.get("ok") == "5" and fields.get("errors") == "5"
          and fields.get("bytes") == "5", f"summary with errors: {out!r}")
    check("seconds" in fields and float(fields["seconds"]) >= 0, f"-t adds seconds: {out!r}")
    check(code == 1, f"exit status with errors: {code}")


def test_fetch_usage_errors():
    for args in ([], ["-c", "0", "http://ok/1"], ["-n", "x", "http://ok/1"], ["-z", "http://ok/1"]):
        host, code, out, err = fetch(args)
        check(code == 2 and out == "", f"fetch {args}: expected usage error, got {code} {out!r} {err!r}")
        check(host.requests_started == 0, f"fetch {args} started requests")


def test_kv_counter_counts_across_runs():
    store = {}
    outputs = []
    for args in ([], [], ["50"]):
        code, out, err = FakeStation(kv=store).run(os.path.join(BUILD, "kv-counter.wasm"), args)
        check(code == 0, f"kv-counter {args} exit {code}: {err}")
        outputs.append(out)
    check(outputs == ["1\n", "2\n", "52\n"], f"kv-counter outputs {outputs}")
    check(store == {b"counter": b"52"}, f"kv-counter store {store}")


def test_kv_counter_refuses_garbage():
    store = {b"counter": b"12abc"}
    code, out, err = FakeStation(kv=store).run(os.path.join(BUILD, "kv-counter.wasm"), [])
    check(code == 1 and out == "" and "not a decimal" in err, f"kv-counter on garbage: {code} {out!r} {err!r}")
    check(store == {b"counter": b"12abc"}, "kv-counter must not overwrite a value it cannot parse")


def test_jobs_reports_activity_and_jobs():
    host = FakeStation()
    code, out, err = host.run(os.path.join(BUILD, "jobs.wasm"), ["--fail", "4"])
    check(code == 0, f"jobs exit {code}: {err}")
    check(host.jobs == 4, f"jobs counted {host.jobs}, expected 4")
    check(out.splitlines() == [f"job {i} completed" for i in range(1, 5)], f"jobs output {out!r}")
    check(host.activities[0] == (0, "starting"), f"first activity {host.activities[:1]}")
    errors = [message for level, message in host.activities if level == 1]
    check(len(errors) == 1, f"--fail should report one error activity, got {errors}")
    check(len(host.activities) == 6, f"activities {host.activities}")


def test_jobs_default_and_rate_limit():
    host = FakeStation()
    code, out, err = host.run(os.path.join(BUILD, "jobs.wasm"), [])
    check(code == 0 and host.jobs == 3 and not any(level == 1 for level, _ in host.activities),
          f"jobs default: {code} jobs={host.jobs} {host.activities}")
    host = FakeStation()
    code, out, err = host.run(os.path.join(BUILD, "jobs.wasm"), ["40"])
    check(code == 0 and host.jobs == 40 and err == "", f"jobs past the activity rate: {code} {host.jobs} {err!r}")


def main():
    tests = [value for name, value in sorted(globals().items()) if name.startswith("test_")]
    for test in tests:
        before = len(failures)
        test()
        print(("ok   " if len(failures) == before else "FAIL ") + test.__name__)
    for failure in failures:
        print("  " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
