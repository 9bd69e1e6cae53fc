#!/usr/bin/env python3
"""timeit.py RUNS CMD...: runs CMD once to warm caches, then RUNS times; prints
"median_ms min_ms median_cpu_ms": wall time from exec to exit (median, min) and the median CPU
time (user + system) the command used, which a loaded machine disturbs far less than wall time.
Fails if any run fails."""
import resource
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmd = sys.argv[2:]


def cpu_so_far():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once():
    cpu0 = cpu_so_far()
    start = time.perf_counter()
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"timeit: {' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed, (cpu_so_far() - cpu0) * 1000


once()
samples = [once() for _ in range(runs)]
walls = [w for w, _ in samples]
cpus = [c for _, c in samples]
print(f"{statistics.median(walls):.1f} {min(walls):.1f} {statistics.median(cpus):.1f}")
