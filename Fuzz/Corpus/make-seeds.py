#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/Corpus/<Target>/: a few small valid and invalid inputs each.

Run from anywhere: python3 Fuzz/Corpus/make-seeds.py (needs wat2wasm from wabt for ModuleInfo).
Everything is built here from the specs; nothing is copied from other projects' corpora.
"""
import base64, hashlib, os, shutil, subprocess, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def sha256_mh(data):
    return b"\x12\x20" + hashlib.sha256(data).digest()


def cid_v1(codec, data):
    return varint(1) + varint(codec) + sha256_mh(data)


def b58(data):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b32(data):
    return "b" + base64.b32encode(data).decode().lower().rstrip("=")


def field(number, wire, payload):
    tag = varint(number << 3 | wire)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload


RAW, DAG_PB, DAG_CBOR = 0x55, 0x70, 0x71
hello_raw = cid_v1(RAW, b"hello")
empty_pb = b""
v0 = sha256_mh(b"\x0a\x02\x08\x01")  # a CIDv0 is a bare sha2-256 multihash of a dag-pb block
identity = varint(1) + varint(RAW) + b"\x00\x03abc"

seeds = {}

seeds["Varint"] = {
    "zero": b"\x00", "one-byte-max": b"\x7f", "two-bytes": b"\xac\x02", "max63": b"\xff" * 8 + b"\x7f",
    "ten-bytes": b"\xff" * 9 + b"\x01", "not-minimal": b"\x80\x00", "truncated": b"\xff\xff",
    "packed": varint(1) + varint(300) + varint(1 << 40),
}

payload = b"\x00\x01station\xff"
seeds["Multibase"] = {
    "base16": ("f" + payload.hex()).encode(), "base16-upper": ("F" + payload.hex().upper()).encode(),
    "base32": b32(payload).encode(), "base32-pad": ("c" + base64.b32encode(payload).decode().lower()).encode(),
    "base58": ("z" + b58(payload)).encode(), "base64": ("m" + base64.b64encode(payload).decode().rstrip("=")).encode(),
    "base64url-pad": ("U" + base64.urlsafe_b64encode(payload).decode()).encode(),
    "base36": b"k2lcpzo5yikidynfl", "bad-char": b"f0g", "unknown-prefix": b"?abc", "empty": b"",
}

seeds["CID"] = {
    "v1-raw-bytes": hello_raw, "v0-bytes": v0, "identity-bytes": identity,
    "v1-text": b32(hello_raw).encode(), "v0-text": b58(v0).encode(),
    "v1-base16-text": ("f" + cid_v1(DAG_CBOR, b"{}").hex()).encode(),
    "v1-base58-text": ("z" + b58(hello_raw)).encode(),
    "v2-bytes": varint(2) + varint(RAW) + sha256_mh(b"x"), "truncated": hello_raw[:10],
}

peer = b"\x00\x24\x08\x01\x12\x20" + hashlib.sha256(b"peer").digest()  # identity multihash of an Ed25519 key
seeds["Multiaddr"] = {
    "ip4-tcp": b"/ip4/127.0.0.1/tcp/4001", "ip6-udp-quic": b"/ip6/::1/udp/4001/quic-v1",
    "dns-tls-http": b"/dns4/example.com/tcp/443/tls/http", "p2p": ("/ip4/192.0.2.7/tcp/4001/p2p/" + b58(peer)).encode(),
    "circuit": ("/ip4/192.0.2.7/tcp/4001/p2p/" + b58(peer) + "/p2p-circuit").encode(),
    "ip4-tcp-bytes": varint(4) + bytes([127, 0, 0, 1]) + varint(6) + (4001).to_bytes(2, "big"),
    "dns-bytes": varint(53) + varint(9) + b"localhost" + varint(6) + b"\x00\x50",
    "bad-port": b"/ip4/1.2.3.4/tcp/70000", "no-slash": b"ip4/1.2.3.4",
}

seeds["Protobuf"] = {
    "varint-field": field(1, 0, varint(150)),
    "nested": field(2, 2, field(1, 2, b"abc") + field(3, 0, varint(7))) + field(1, 2, b"data"),
    "fixed": field(1, 1, b"\x01" * 8) + field(2, 5, b"\x02" * 4),
    "packed": field(4, 2, varint(1) + varint(2) + varint(300)),
    "bad-wire-type": b"\x0b\x00", "field-zero": b"\x00\x01", "length-past-end": b"\x0a\x10ab",
}

station_toml = b'''# station.toml
[daemon]
state = "state"
engine = "auto"

[budget]
memory = "1GiB"
cpu = 150
storage = "4GiB"

[status]
listen = "127.0.0.1:7834"

[p2p]
listen = ["/ip4/127.0.0.1/tcp/4001"]

[ipfs]
gateways = ["http://127.0.0.1:8080"]

[supervisor]
max-backoff = "2m"

[[module]]
manifest = "module.toml"
enabled = false
'''
module_toml = b'''name = "ticker"
version = "1.0.0"
wasm = "ticker.wasm"
args = ["--every", "5s"]
restart = "always"

[env]
GREETING = "hello"

[grants]
net = ["https://*.example.com"]
kv = true

[limits]
memory = "64MiB"
cpu = 10
kv-quota = "16MiB"
'''
toml_syntax = b'''title = "TOML \\u00e9 \\U0001F600"
ints = [1_000, 0xff, 0o17, 0b101, -3]
floats = [1.5, -2e3, inf, nan]
"quoted key" = 'literal'
a.b.c = true
inline = { x = 1, y = [ { z = "deep" } ] }
multi = """
line \\
  continued"""
[[points]]
x = 1
[[points]]
x = 2
'''
seeds["TOML"] = {
    "station": station_toml, "module": module_toml, "syntax": toml_syntax,
    "duplicate-key": b"a = 1\na = 2\n", "date": b"when = 1979-05-27\n", "deep": b"a = " + b"[" * 70 + b"]" * 70 + b"\n",
    "bad-utf8": b"a = \"\xff\"\n",
}
seeds["ConfigLoader"] = {
    "station": station_toml, "module": module_toml,
    "bad-values": b'[budget]\nmemory = "lots"\ncpu = -1\n[daemon]\nengine = "v8"\nbogus = 1\n',
    "bad-module": b'name = "../x"\nwasm = ""\nrestart = "sometimes"\n[limits]\nmemory = "1PiB"\ntimeout = "-5s"\n',
}


def cbor_header(roots, version=1):
    out = b"\xa2" + b"\x65roots" + bytes([0x80 + len(roots)])
    for root in roots:
        body = b"\x00" + root
        out += b"\xd8\x2a" + bytes([0x58, len(body)]) + body
    return out + b"\x67version" + bytes([version])


def car_v1(blocks, roots=None):
    header = cbor_header(roots if roots is not None else [blocks[0][0]])
    out = varint(len(header)) + header
    for cid, data in blocks:
        out += varint(len(cid) + len(data)) + cid + data
    return out


block_a = (cid_v1(RAW, b"hello"), b"hello")
node = field(2, 2, field(1, 2, block_a[0]) + field(2, 2, b"hello.txt") + field(3, 0, varint(5))) + field(1, 2, b"\x08\x01")
block_b = (cid_v1(DAG_PB, node), node)
car = car_v1([block_b, block_a])
inner = car
v2 = bytes([0x0A, 0xA1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6F, 0x6E, 0x02])
v2 += b"\x00" * 16 + (51).to_bytes(8, "little") + len(inner).to_bytes(8, "little") + b"\x00" * 8 + inner
seeds["CAR"] = {
    "v1-two-blocks": car, "v2": v2, "identity-block": car_v1([(identity, b"abc")]),
    "bad-hash": car_v1([(block_a[0], b"jello")]), "truncated": car[:-3], "no-roots": car_v1([block_a], roots=[]),
    "v3": varint(len(cbor_header([block_a[0]], 3))) + cbor_header([block_a[0]], 3),
}

unixfs_file = field(1, 0, varint(2)) + field(3, 0, varint(10)) + field(4, 0, varint(5)) + field(4, 0, varint(5))
unixfs_dir = field(1, 0, varint(1))
seeds["DagPB"] = {
    "file-node": node, "multi-block-file": field(2, 2, field(1, 2, block_a[0]) + field(3, 0, varint(5))) * 2 + field(1, 2, unixfs_file),
    "directory": field(2, 2, field(1, 2, block_a[0]) + field(2, 2, b"a") + field(3, 0, varint(5))) + field(1, 2, unixfs_dir),
    "unixfs-raw": field(1, 0, varint(0)) + field(2, 2, b"inline data"),
    "unixfs-packed-sizes": field(1, 0, varint(2)) + field(4, 2, varint(3) + varint(4)),
    "hamt": field(1, 0, varint(5)) + field(5, 0, varint(0x22)) + field(6, 0, varint(256)),
    "data-before-link": field(1, 2, b"x") + field(2, 2, field(1, 2, block_a[0])), "empty": b"",
}

text_cid = b32(block_b[0])
seeds["GatewayRequest"] = {
    "car-entity": f"/ipfs/{text_cid}/a/b?format=car&dag-scope=entity&entity-bytes=0:99".encode(),
    "raw-accept": f"/ipfs/{text_cid}\napplication/vnd.ipld.raw".encode(),
    "car-accept": f"/ipfs/{text_cid}/x%20y\napplication/vnd.ipld.car; version=1; order=dfs; dups=y".encode(),
    "v0": f"/ipfs/{b58(v0)}?format=raw".encode(),
    "block-scope": f"/ipfs/{text_cid}?dag-scope=block&format=car".encode(),
    "negative-range": f"/ipfs/{text_cid}?format=car&dag-scope=entity&entity-bytes=-100:*".encode(),
    "dot-dot": f"/ipfs/{text_cid}/../etc".encode(), "range-only": b"10:-1", "ipns": b"/ipns/example.com",
}

entry = field(1, 2, block_a[0]) + field(2, 0, varint(1)) + field(4, 0, varint(1)) + field(5, 0, varint(1))
wantlist = field(1, 2, entry) + field(2, 0, varint(1))
prefix = varint(1) + varint(RAW) + varint(0x12) + varint(32)
seeds["Bitswap"] = {
    "want-have": field(1, 2, wantlist),
    "cancel": field(1, 2, field(1, 2, field(1, 2, block_a[0]) + field(3, 0, varint(1)))),
    "payload": field(3, 2, field(1, 2, prefix) + field(2, 2, b"hello")),
    "legacy-block": field(2, 2, node),
    "presence": field(4, 2, field(1, 2, block_a[0]) + field(2, 0, varint(1))) + field(5, 0, varint(1024)),
    "bad-cid": field(1, 2, field(1, 2, field(1, 2, b"\x01\x55"))),
}

wat_modules = {
    "add": b'(module (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))',
    "wasi": b'''(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 16)
  (data (i32.const 8) "hi\\n")
  (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0)))))''',
    "control": b'''(module (table 2 funcref) (global $g (mut i64) (i64.const 0))
  (type $t (func (param i64) (result i64)))
  (func $f (type $t) (local i32)
    (block $out (loop $l (br_if $out (i64.eqz (local.get 0)))
      (global.set $g (i64.add (global.get $g) (local.get 0)))
      (local.set 0 (i64.sub (local.get 0) (i64.const 1))) (br $l)))
    (global.get $g))
  (elem (i32.const 0) $f) (start $s) (func $s))''',
    "station": b'''(module (import "station" "poll" (func (param i32) (result i32)))
  (import "env" "memory" (memory 1)) (export "run" (func 0)))''',
    "bad-syntax": b"(module (func (i32.add)))", "unterminated": b'(module (func "x',
}
seeds["WAT"] = wat_modules

module_info = {"header-only": b"\x00asm\x01\x00\x00\x00", "bad-magic": b"\x00wasm\x01\x00\x00\x00",
               "bad-version": b"\x00asm\x02\x00\x00\x00",
               "truncated-section": b"\x00asm\x01\x00\x00\x00\x01\x05\x01\x60"}
with tempfile.TemporaryDirectory() as tmp:
    for name in ("add", "wasi", "control", "station"):
        source, output = os.path.join(tmp, name + ".wat"), os.path.join(tmp, name + ".wasm")
        with open(source, "wb") as f:
            f.write(wat_modules[name])
        subprocess.run(["wat2wasm", source, "-o", output], check=True)
        with open(output, "rb") as f:
            module_info[name] = f.read()
seeds["ModuleInfo"] = module_info

# multistream-select 1.0: varint length, then the line and "\n".
def ms(line):
    body = line + b"\n"
    return varint(len(body)) + body


seeds["Multistream"] = {
    "header": ms(b"/multistream/1.0.0"),
    "negotiation": ms(b"/multistream/1.0.0") + ms(b"/yamux/1.0.0") + ms(b"na") + ms(b"/noise"),
    "ls": ms(b"ls"), "no-newline": varint(3) + b"abc", "too-long": varint(2000) + b"x" * 20,
    "truncated": ms(b"/noise")[:-2], "bad-utf8": varint(3) + b"\xff\xfe\n", "empty-message": b"\x00",
    "long-varint": b"\xff" * 10,
}


# Yamux: version, type, flags, stream id, length (big-endian), then a data frame's payload.
def yamux(version, kind, flags, stream, length, payload=b""):
    return bytes([version, kind]) + flags.to_bytes(2, "big") + stream.to_bytes(4, "big") + length.to_bytes(4, "big") + payload


seeds["Yamux"] = {
    "syn-data": yamux(0, 0, 1, 1, 5, b"hello"), "window-update": yamux(0, 1, 2, 1, 262144),
    "ping": yamux(0, 2, 1, 0, 42), "go-away": yamux(0, 3, 0, 0, 1),
    "session": yamux(0, 0, 1, 3, 2, b"hi") + yamux(0, 1, 0, 3, 1024) + yamux(0, 0, 4, 3, 0) + yamux(0, 1, 8, 5, 0),
    "bad-version": yamux(1, 0, 0, 1, 0), "bad-type": yamux(0, 7, 0, 1, 0),
    "oversized-data": yamux(0, 0, 0, 1, 0xFFFFFFFF), "truncated": yamux(0, 2, 1, 0, 42)[:7],
}

# libp2p keys (crypto.proto: Type = 1, Data = 2); the Ed25519 base point and the secp256k1 generator
# are valid public keys.
ed25519 = field(1, 0, varint(1)) + field(2, 2, bytes.fromhex("58" + "66" * 31))
secp256k1 = field(1, 0, varint(2)) + field(2, 2, bytes.fromhex(
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"))
ecdsa_garbage = field(1, 0, varint(3)) + field(2, 2, b"\x30\x0a\x06\x08" + b"\x2a" * 8)
ed_peer = b"\x00" + varint(len(ed25519)) + ed25519  # identity multihash of the key
ip4_tcp = varint(4) + bytes([192, 0, 2, 7]) + varint(6) + (4001).to_bytes(2, "big")
identify = (field(1, 2, ed25519) + field(2, 2, ip4_tcp) + field(2, 2, b"\x99") + field(3, 2, b"/ipfs/id/1.0.0")
            + field(3, 2, b"/ipfs/ping/1.0.0") + field(4, 2, ip4_tcp) + field(5, 2, b"ipfs/0.1.0")
            + field(6, 2, b"station/0.1") + field(8, 2, b"record"))
seeds["Libp2pMessages"] = {
    "key-ed25519": ed25519, "key-secp256k1": secp256k1, "key-ecdsa-garbage": ecdsa_garbage,
    "key-rsa-garbage": field(1, 0, varint(0)) + field(2, 2, b"\x30\x03\x02\x01\x01"),
    "key-unknown-type": field(1, 0, varint(9)) + field(2, 2, b"x"),
    "identify": identify, "identify-framed": varint(len(identify)) + identify,
    "peer-id-bytes": ed_peer, "peer-id-text": b58(ed_peer).encode(),
    "peer-id-sha256": sha256_mh(b"\x08\x00\x12\x05rsa-key"),
    "bad-wire-type": b"\x0f",
}


# UnixFS (Data: Type = 1, Data = 2, filesize = 3, blocksizes = 4) in dag-pb nodes (Links = 2 with
# Hash = 1, Name = 2, Tsize = 3; Data = 1), packed into CAR files whose first root is the content.
def pb_link(cid, name=None, size=None):
    out = field(1, 2, cid)
    if name is not None:
        out += field(2, 2, name)
    if size is not None:
        out += field(3, 0, varint(size))
    return field(2, 2, out)


def pb_node(links, unixfs):
    return b"".join(links) + field(1, 2, unixfs)


def unixfs(kind, data=None, filesize=None, blocksizes=()):
    out = field(1, 0, varint(kind))
    if data is not None:
        out += field(2, 2, data)
    if filesize is not None:
        out += field(3, 0, varint(filesize))
    for size in blocksizes:
        out += field(4, 0, varint(size))
    return out


def pb_block(node):
    return (cid_v1(DAG_PB, node), node)


hello = block_a
world = (cid_v1(RAW, b"world"), b"world")
two_leaves = pb_block(pb_node([pb_link(hello[0], size=5), pb_link(world[0], size=5)], unixfs(2, filesize=10, blocksizes=(5, 5))))
inline_file = pb_block(pb_node([], unixfs(2, data=b"inline", filesize=6)))
sub = pb_block(pb_node([pb_link(hello[0], b"a.txt", 5)], unixfs(1)))
tree = pb_block(pb_node([pb_link(sub[0], b"sub", 60), pb_link(inline_file[0], b"b.txt", 20), pb_link(two_leaves[0], b"c", 90)], unixfs(1)))
escaping = pb_block(pb_node([pb_link(hello[0], b"..", 5), pb_link(world[0], b"ok", 5)], unixfs(1)))
liar = pb_block(pb_node([pb_link(hello[0], size=5)], unixfs(2, filesize=100, blocksizes=(100,))))
missing = pb_block(pb_node([pb_link(cid_v1(RAW, b"absent"), size=6)], unixfs(2, filesize=6, blocksizes=(6,))))
symlink = pb_block(pb_node([], unixfs(4, data=b"/etc/passwd")))
repeated = pb_block(pb_node([pb_link(hello[0], size=5)] * 8, unixfs(2, filesize=40, blocksizes=(5,) * 8)))
# Nodes that link one child over and over: four blocks, a 64 x 64 x N-leaf file (or a 16^4-path
# tree); each call must stop at the exporter's maxBlockLoads instead of loading the same blocks
# hundreds of thousands of times.
def repeat_file(child, child_size, fanout):
    return pb_block(pb_node([pb_link(child[0], size=len(child[1]))] * fanout,
                            unixfs(2, filesize=child_size * fanout, blocksizes=(child_size,) * fanout)))


mid64 = repeat_file(hello, 5, 64)
upper64 = repeat_file(mid64, 5 * 64, 64)
small_repeat = repeat_file(mid64, 5 * 64, 8)  # 2 560 bytes from 65 loads: fine
big_repeat = repeat_file(upper64, 5 * 64 * 64, 64)  # 1.25 MiB from 266 305 loads
dir_levels = [hello]
for _ in range(4):
    dir_levels.append(pb_block(pb_node([pb_link(dir_levels[-1][0], b"e%d" % i, 5) for i in range(16)], unixfs(1))))
seeds["UnixFSExport"] = {
    "raw-file": car_v1([hello]), "two-leaf-file": car_v1([two_leaves, hello, world]),
    "inline-file": car_v1([inline_file]),
    "tree": car_v1([tree, sub, inline_file, two_leaves, hello, world]),
    "dot-dot-entry": car_v1([escaping, hello, world]), "size-liar": car_v1([liar, hello]),
    "missing-block": car_v1([missing]), "symlink": car_v1([symlink]), "repeated-leaf": car_v1([repeated, hello]),
    "repeated-links-small": car_v1([small_repeat, mid64, hello]),
    "repeated-links-file": car_v1([upper64, mid64, hello]),
    "repeated-links-huge-file": car_v1([big_repeat, upper64, mid64, hello]),
    "repeated-links-tree": car_v1(list(reversed(dir_levels))),
    "directory-v1": car,
}

seeds["NetworkPattern"] = {
    "https-name": b"https://api.example.com", "subdomains": b"*.example.com\nhttps://a.b.example.com/x?y=1",
    "loopback-port": b"http://127.0.0.1:8080\nhttp://127.0.0.1:8080/", "localhost-any-port": b"localhost:*\nhttp://localhost:3000",
    "ipv6": b"[::1]:443\nhttps://[::1]/", "loose-ipv4": b"http://0x7f.1\nhttp://0x7f.1/",
    "any-private": b"*\nhttp://10.0.0.1/", "trailing-dot": b"*\nhttps://EXAMPLE.com./path",
    "denied": b"https://other.example\nhttp://user@[::ffff:7f00:1]:99/",
    "bad-port": b"https://example.com:99999", "user": b"http://user@host", "wildcard-ip": b"*.127.0.0.1",
}

seeds["HostAuthority"] = {
    "ipv4-port": b"127.0.0.1:7834", "ipv6-port": b"[::1]:7834", "localhost-sub": b"app.localhost:80",
    "localhost": b"localhost", "private": b"10.0.0.1:80", "ipv6-no-brackets": b"::1:80", "unclosed": b"[::1",
    "empty-port": b"host:", "big-port": b"host:65536", "trailing-dot": b"LOCALHOST.", "mapped": b"[::ffff:127.0.0.1]:1",
    "loopback-8": b"127.255.0.9",
    "bracket-in-brackets": b"[[1]",  # libFuzzer found it: the host "[1" printed as "[1", which does not parse
}


# GatewayVerifier: a request target, "\n", then the gateway's response body.
def gw(target, body): return target.encode() + b"\n" + body
tree_text, two_text, hello_text = b32(tree[0]), b32(two_leaves[0]), b32(hello[0])
seeds["GatewayVerifier"] = {
    "raw-ok": gw(f"/ipfs/{hello_text}?format=raw", b"hello"),
    "raw-wrong": gw(f"/ipfs/{hello_text}?format=raw", b"jello"),
    "car-all": gw(f"/ipfs/{two_text}?format=car", car_v1([two_leaves, hello, world])),
    "car-entity-path": gw(f"/ipfs/{tree_text}/sub/a.txt?format=car&dag-scope=entity", car_v1([tree, sub, hello])),
    "car-block-scope": gw(f"/ipfs/{tree_text}/c?format=car&dag-scope=block", car_v1([tree, two_leaves])),
    "car-entity-bytes": gw(f"/ipfs/{two_text}?format=car&dag-scope=entity&entity-bytes=6:8", car_v1([two_leaves, world])),
    "car-missing-leaf": gw(f"/ipfs/{two_text}?format=car", car_v1([two_leaves, hello])),
    "car-extra-block": gw(f"/ipfs/{hello_text}?format=car", car_v1([hello, world])),
    "car-wrong-root": gw(f"/ipfs/{two_text}?format=car", car_v1([hello])),
    "car-bad-hash": gw(f"/ipfs/{hello_text}?format=car", car_v1([(hello[0], b"jello")])),
    "car-identity": gw(f"/ipfs/{b32(identity)}?format=car", car_v1([(identity, b"abc")])),
    "car-duplicate": gw(f"/ipfs/{hello_text}?format=car", car_v1([hello, hello])),
    "car-truncated": gw(f"/ipfs/{two_text}?format=car", car_v1([two_leaves, hello, world])[:-2]),
}

# KVFile: database files for the key-value store's opener. The layout follows docs/kv.md (a store
# is SQLite with application_id "STKV", user_version 1, a WITHOUT ROWID entries table and a
# used_bytes counter); the seeds are examples, and a layout change only makes them foreign files.
import sqlite3
def kv_file(statements, entries=(), used=None, after=""):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kv.sqlite")
        db = sqlite3.connect(path)
        db.execute("PRAGMA page_size = 512")
        db.executescript(statements)
        for key, value in entries:
            db.execute("INSERT INTO station_kv (key, value) VALUES (?, ?)", (key, value))
        if used is not None:
            db.execute("INSERT OR REPLACE INTO station_kv_meta (name, value) VALUES ('used_bytes', ?)", (used,))
        db.commit()
        db.executescript(after)
        db.execute("VACUUM")
        db.close()
        with open(path, "rb") as f:
            return f.read()
kv_schema = """CREATE TABLE station_kv (key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE station_kv_meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
PRAGMA application_id = 1398033238; PRAGMA user_version = 1;"""
kv_entries = [(b"a", b"1"), (b"fuzz", b"value"), (b"\xff\x00", b"")]
store_file = kv_file(kv_schema, kv_entries, used=sum(len(k) + len(v) for k, v in kv_entries))
seeds["KVFile"] = {
    "empty": b"", "store": store_file, "store-empty": kv_file(kv_schema, used=0),
    "store-wrong-usage": kv_file(kv_schema, kv_entries, used=999999),
    "store-version-2": kv_file(kv_schema.replace("user_version = 1", "user_version = 2"), kv_entries, used=9),
    "plain-sqlite": kv_file("CREATE TABLE t (x);"),
    # Opened, then refused every put, until the opener refused schema objects a store never creates.
    "store-with-trigger": kv_file(kv_schema, kv_entries, used=10, after="CREATE TRIGGER no_insert BEFORE INSERT ON station_kv BEGIN SELECT RAISE(ABORT, 'no'); END;"),
    "store-extra-table": kv_file(kv_schema + "CREATE TABLE extra (x); CREATE VIEW v AS SELECT * FROM station_kv;", kv_entries, used=10),
    "header-only": b"SQLite format 3\x00", "truncated-store": store_file[:700], "foreign": b"not a database at all\n",
    # libFuzzer found it (a record's type flipped to the integer 0): get("a") trapped in GRDB.
    "foreign-types": kv_file(kv_schema, [(b"a", 0), (b"fuzz", 1.5), (b"t", "text"), (7, b"\x01")], used=12),
    # libFuzzer found it: a damaged schema-less file the opener used to set up as a store, which
    # then failed its next open (now refused at once, as integrity_check already flags it).
    "uninitialized-short-file": base64.b64decode("".join([
        "U1FMaXRlIGZvcm1hdCAzAAIAAQEAQCAgAAAAAgAAAAIAAAAAAAAAAAAAAAIAAAAEAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAE8AAAAAAAAAAAAAAAACAC5jAQ0AAAAAAPz8AAAABAAAAAAAAAAAAAAAAQAAAAEAAAAAU1RLVjHAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGAC5jAQ0AAAACAPIAAYMA8gAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAGAC4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAFN0cmluAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAA",
    ])),
    "corrupt-page": store_file[:600] + bytes(b ^ 0x5A for b in store_file[600:700]) + store_file[700:],
}

# Noise: flags (bit 0 initiator, bit 1 the harness sends the multistream lines for /noise first),
# a chunk size, then the bytes a peer sends. Noise frames are a 2-byte big-endian length + payload.
def noise_frame(payload): return len(payload).to_bytes(2, "big") + payload
ephemeral = bytes((7 * i + 3) & 0xFF for i in range(32))
seeds["Noise"] = {
    "listener-msg1": b"\x02\x00" + noise_frame(ephemeral),
    "listener-msg1-msg3": b"\x02\x00" + noise_frame(ephemeral) + noise_frame(bytes(range(200))),
    "listener-msg1-chunks": b"\x02\x03" + noise_frame(ephemeral + b"payload"),
    "listener-short-msg1": b"\x02\x00" + noise_frame(ephemeral[:10]),
    "listener-huge-frame": b"\x02\x00\xff\xff" + bytes(300),
    "listener-empty-frame": b"\x02\x00" + noise_frame(b""),
    "dialer-msg2": b"\x03\x00" + noise_frame(ephemeral + bytes(range(48)) + bytes(range(100))),
    "dialer-garbage": b"\x03\x05" + noise_frame(bytes(range(255))),
    "raw-multistream": b"\x00\x00" + ms(b"/multistream/1.0.0") + ms(b"/noise") + noise_frame(ephemeral),
    "raw-wrong-protocol": b"\x00\x01" + ms(b"/multistream/1.0.0") + ms(b"/tls/1.0.0"),
    "raw-bytes": b"\x01\x00GET / HTTP/1.1\r\n\r\n",
}

# WasmLoad: binary modules through the loader, the loop instrumentation and both engines.
wasm_load_text = {
    "loops": b"""(module (memory 1) (global $g (mut i32) (i32.const 0))
  (func (export "f") (param i32) (result i32) (local i32)
    (block $out (loop $l (br_if $out (i32.eqz (local.get 0)))
      (loop $inner (br_if $inner (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 3))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br $l)))
    (block $a (block $b (br_table $a $b $a (local.get 1))))
    (local.get 1)))""",
    "start-loops-forever": b"(module (func $s (loop $l (br $l))) (start $s))",
    "loop-with-results": b"""(module (type $t (func (param i32) (result i32 i64)))
  (func (export "g") (param i32) (result i32 i64)
    (local.get 0) (loop $l (type $t) (i64.extend_i32_u) (drop) (i32.const 1) (i64.const 2))))""",
    "imports-and-table": b"""(module (import "env" "f" (func $f (param i32) (result i32)))
  (import "station" "poll" (func (param i32 i32 i32 i64) (result i32)))
  (table 2 funcref) (elem (i32.const 0) $f $h) (memory 1) (data (i32.const 4) "abc")
  (func $h (param i32) (result i32) (loop $l (br_if $l (call $f (local.get 0)))) (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
  (export "h" (func $h)))""",
    "imports-checkpoint-name": b"""(module (import "station:sandbox" "checkpoint" (func (param i32) (result i32)))
  (func (loop $l (br $l))))""",
    "start-traps": b"(module (func $s unreachable) (start $s))",
    "big-memory": b"(module (memory 100) (func (loop)))",
}
wasm_load = {"header-only": b"\x00asm\x01\x00\x00\x00", "text": b"(module)", "truncated-code": b"\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x06\x01\x04\x00\x03\x40\x0b",
             "invalid-body": b"\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x07\x01\x05\x00\x03\x40\x6a\x0b\x0b"}
with tempfile.TemporaryDirectory() as tmp:
    for name, text in wasm_load_text.items():
        source, output = os.path.join(tmp, name + ".wat"), os.path.join(tmp, name + ".wasm")
        with open(source, "wb") as f:
            f.write(text)
        subprocess.run(["wat2wasm", source, "-o", output], check=True)
        with open(output, "rb") as f:
            wasm_load[name] = f.read()
for name in ("add", "wasi", "control"):
    wasm_load["module-info-" + name] = module_info[name]
seeds["WasmLoad"] = wasm_load

# StationABI: a guest program (see Harness.stationABI): engine byte, data length + data, then calls.
# Function indexes come from the ABI table in Sources/StationHost/ABI/StationImports.swift (read,
# not restated): each call is the index, then each argument as a selector byte plus operands.
import re
with open(os.path.join(HERE, "..", "..", "Sources", "StationHost", "ABI", "StationImports.swift")) as f:
    abi = re.findall(r'^\s*\.init\("([a-z0-9_]+)"', f.read(), re.M)
(CIDTXT, IPFSPATH, HELLO, GET, URL, KEY, HEADERS, DEEPPATH, IDENTITY, IDPATH, ECHO, RAWS, CARS, K, IP4, QM) = range(16)
Z, M1, E64K, E64K1, MAXI, MINI, LAST = b"\x00", b"\x03", b"\x04", b"\x05", b"\x07", b"\x08", b"\x09"
def small(n): return b"\x01" + bytes([n])
def s(k): return b"\x02" + bytes([k])           # address of fixed string k
def slen(k): return b"\x0f" + bytes([k])        # its length
def buf(n): return b"\x0d" + bytes([n])         # 2048 + 64 n: scratch space
def handle(n): return b"\x0c" + bytes([n - 1])  # 1 ... 8
def huge(n): return b"\x0e" + bytes([n])        # n << 24
T0, TMINUS1, TMAX, TMIN, TLAST = b"\x00", b"\x02", b"\x03", b"\x04", b"\x07"
def tms(n): return b"\x01" + bytes([n])
def call(name, *args): return bytes([abi.index(name)]) + b"".join(args)
def guest(*calls, engine=0, data=b""): return bytes([engine, len(data)]) + data + b"".join(calls)

kv = [call("kv_put", s(KEY), slen(KEY), s(HELLO), slen(HELLO)), call("kv_get", s(KEY), slen(KEY), buf(0), small(64)),
      call("kv_put", s(K), slen(K), s(URL), slen(URL)), call("kv_list", s(K), slen(K), Z, Z, buf(1), small(200)),
      call("kv_list", Z, Z, s(KEY), slen(KEY), buf(1), small(200)), call("kv_delete", s(KEY), slen(KEY)),
      call("kv_get", s(KEY), slen(KEY), buf(0), small(64))]
ipfs = [call("ipfs_put", s(HELLO), slen(HELLO), buf(0), small(100)), call("ipfs_pin", s(CIDTXT), slen(CIDTXT)),
        call("ipfs_get", s(IPFSPATH), slen(IPFSPATH), Z, T0), call("read", LAST, buf(1), small(100)),
        call("ipfs_get", s(CIDTXT), slen(CIDTXT), small(1), tms(5)), call("poll", Z, small(1), buf(2), tms(5)),
        call("read", handle(2), buf(1), small(200)), call("close", handle(1)), call("close", handle(2)),
        call("ipfs_unpin", s(CIDTXT), slen(CIDTXT)), call("ipfs_get", s(IDPATH), slen(IDPATH), Z, T0),
        call("ipfs_get", s(DEEPPATH), slen(DEEPPATH), Z, T0)]
http = [call("http_request", s(GET), slen(GET), s(URL), slen(URL), s(HEADERS), slen(HEADERS), Z, Z, T0),
        call("last_error", buf(0), small(200)), call("http_status", LAST), call("http_headers", handle(1), buf(1), small(100)),
        call("http_request_options", s(GET), slen(GET), s(URL), slen(URL), Z, Z, s(HELLO), slen(HELLO), TMAX, Z),
        call("http_url", handle(1), buf(1), small(100))]
hostile = [call("read", M1, huge(0xFF), MAXI), call("kv_get", E64K, small(10), M1, MAXI), call("module_name", E64K1, small(200)),
           call("wallet_address", buf(0), small(3)), call("station_id", huge(0x80), Z), call("abi_version"),
           call("activity", small(1), s(HELLO), slen(HELLO)), call("activity", small(9), M1, MAXI), call("job_completed"),
           call("p2p_dial", s(IP4), slen(IP4), s(ECHO), slen(ECHO), T0), call("p2p_listen", s(ECHO), slen(ECHO)),
           call("p2p_peer_id", buf(0), small(100)), call("write", handle(1), s(HELLO), slen(HELLO)), call("close_write", MINI),
           call("ipfs_put", Z, E64K, buf(0), small(100)), call("ipfs_pin", s(QM), slen(QM)), call("kv_put", Z, MAXI, Z, E64K),
           call("poll", E64K1, MAXI, Z, TMIN), call("last_error", M1, small(10))]
seeds["StationABI"] = {
    "empty": b"", "abi-version": guest(call("abi_version")),
    "kv": guest(*kv), "ipfs": guest(*ipfs), "http-denied": guest(*http), "hostile-pointers": guest(*hostile),
    "kv-wasmtime": guest(*kv, engine=1), "ipfs-wasmtime": guest(*ipfs, engine=1), "hostile-wasmtime": guest(*hostile, engine=1),
    "handles-exhausted": guest(*([call("ipfs_get", s(IDPATH), slen(IDPATH), Z, T0)] * 10 + [call("close", handle(n)) for n in range(1, 9)])),
    "poll-huge-timeouts": guest(call("ipfs_get", s(IDPATH), slen(IDPATH), Z, T0), call("poll", Z, small(1), buf(0), TMAX),
                                call("poll", Z, small(1), buf(0), TMIN), call("poll", Z, small(1), buf(0), TMINUS1),
                                call("poll", Z, small(0), buf(0), TMAX), data=b"\x01\x00\x00\x00"),
    "kv-quota": guest(*[call("kv_put", small(n), small(8), Z, small(0xFF)) for n in range(12)], data=bytes(range(1, 65))),
    "data-segment-key": guest(call("kv_put", Z, small(3), small(4), small(5)), call("kv_get", Z, small(3), buf(0), small(10)),
                              data=b"abc\x00hello"),
}

for target, files in seeds.items():
    folder = os.path.join(HERE, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, content in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(content)
    print(f"{target}: {len(files)} seeds, {sum(len(c) for c in files.values())} bytes")
