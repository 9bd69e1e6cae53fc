#!/usr/bin/env python3
"""timeit.py RUNS CMD...: runs CMD once to warm caches, then RUNS times; prints
"median_ms min_ms" of the wall time from exec to exit. Fails if any run fails."""
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmd = sys.argv[2:]


def once():
    start = time.perf_counter()
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"timeit: {' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


once()
times = [once() for _ in range(runs)]
print(f"{statistics.median(times):.1f} {min(times):.1f}")
