#!/usr/bin/env python3
"""A trustless gateway that sends the first CUT bytes of a CAR file and then stalls, so a test can
see what a client writes while its fetch is still running (loopback only).

Usage: stalling_gateway.py CAR CUT
Prints the gateway's base URL (http://127.0.0.1:PORT). Every GET is answered 200 with the CAR's
content type and the first CUT bytes of CAR, then held open. The command `finish` on stdin ends the
answers held so far (the connection closes, so the CAR ends early; later GETs are held again) and
prints `ok`; end of input ends them all and exits.
"""
import http.server
import sys
import threading


def main(argv):
    if len(argv) != 2:
        print("usage: stalling_gateway.py CAR CUT", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as handle:
        car = handle.read()
    cut = int(argv[1])
    # The event the answers in progress wait on; `finish` sets it and arms a fresh one for later GETs.
    current = {"release": threading.Event()}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # no length: the body ends when the connection closes

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.ipld.car; version=1")
            self.end_headers()
            release = current["release"]
            self.wfile.write(car[:cut])
            self.wfile.flush()
            release.wait()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    for line in sys.stdin:
        if line.strip() == "finish":
            held, current["release"] = current["release"], threading.Event()
            held.set()
            print("ok", flush=True)
    current["release"].set()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
