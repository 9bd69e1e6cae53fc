"""Loopback HTTP server for the station-js conformance tests: prints its port, serves until killed."""
import http.server
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client aborted (the abort tests do that on purpose)

    def do_GET(self):
        if self.path == "/json":
            self._send(200, b'{"hello":"world","n":[1,2,3]}', [("Content-Type", "application/json"), ("X-Multi", "a"), ("X-Multi", "b")])
        elif self.path == "/big":
            self._send(200, bytes(range(256)) * 1024, [("Content-Type", "application/octet-stream")])
        elif self.path == "/redirect":
            self._send(302, b"", [("Location", "/json")])
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b"late")
        elif self.path == "/headers":
            text = "".join(f"{k.lower()}={v}\n" for k, v in self.headers.items())
            self._send(200, text.encode())
        else:
            self._send(404, b"not found")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        data = self.rfile.read(n)
        self._send(201, data, [("Content-Type", self.headers.get("Content-Type", ""))])

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
