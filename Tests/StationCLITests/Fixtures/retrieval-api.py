"""A local task API and trustless gateway for examples/js/retrieval-checker.js (JSModuleTests).

    python3 retrieval-api.py MEASUREMENTS_FILE [corrupt]

Prints its port on the first line of stdout, then serves on 127.0.0.1:
  GET  /task            {"cid": <CIDv1 raw sha2-256 of a 64 KiB block>, "gateway": "http://127.0.0.1:PORT"}
  GET  /ipfs/<cid>      that block as a CARv1 (application/vnd.ipld.car); with "corrupt", one byte
                        of the block is changed, so it no longer matches its CID
  POST /measurements    appends the JSON body as one line to MEASUREMENTS_FILE
"""
import base64
import hashlib
import http.server
import json
import sys

measurements_file = sys.argv[1]
corrupt = len(sys.argv) > 2 and sys.argv[2] == "corrupt"

block = bytes(i % 251 for i in range(64 * 1024))
cid_bytes = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(block).digest()
cid = "b" + base64.b32encode(cid_bytes).decode().lower().rstrip("=")


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def car():
    tagged = b"\x00" + cid_bytes
    header = (b"\xa2" + b"\x65roots" + b"\x81\xd8\x2a" + b"\x58" + bytes([len(tagged)]) + tagged
              + b"\x67version" + b"\x01")
    data = bytearray(block)
    if corrupt:
        data[100] ^= 0xFF
    section = cid_bytes + bytes(data)
    return varint(len(header)) + header + varint(len(section)) + section


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/task":
            port = self.server.server_address[1]
            task = {"cid": cid, "gateway": f"http://127.0.0.1:{port}"}
            self.reply(200, json.dumps(task).encode(), "application/json")
        elif self.path.startswith("/ipfs/" + cid):
            self.reply(200, car(), "application/vnd.ipld.car")
        else:
            self.reply(404, b"not found", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if self.path != "/measurements":
            self.reply(404, b"not found", "text/plain")
            return
        json.loads(body)
        with open(measurements_file, "a") as out:
            out.write(body.decode() + "\n")
        self.reply(200, b"{}", "application/json")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
