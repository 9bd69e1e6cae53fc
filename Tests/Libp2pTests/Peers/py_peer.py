"""A py-libp2p peer for Station's interop tests.

listen: prints its full multiaddr (with /p2p/) as the first stdout line, then serves
    /station-test/echo/1.0.0 (echoes every byte until EOF, then closes) until killed.
dial ADDR CMD [ARG]: connects to ADDR and runs CMD, printing one JSON object per result line:
    echo TEXT      one echo round trip
    big N          sends N bytes over echo and checks the echoed bytes
    many N         N concurrent echo streams on one connection
    ping N         N pings with py-libp2p's ping service
    identify       reads the remote's identify record
    sink N         sends N bytes on /station-test/sink/1.0.0 and reports MB/s
Options: --key ed25519|secp256k1|rsa (our identity type).
"""
import argparse
import hashlib
import json
import logging
import os
import secrets
import sys

import multiaddr
import trio

from libp2p import new_host
from libp2p.custom_types import TProtocol
from libp2p.host.ping import PingService
from libp2p.identity.identify.pb.identify_pb2 import Identify
from libp2p.network.stream.exceptions import StreamEOF
from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.utils import decode_varint_with_size

if os.environ.get("PY_PEER_LOG"):
    logging.basicConfig(filename=os.environ["PY_PEER_LOG"], level=logging.DEBUG)

ECHO = TProtocol("/station-test/echo/1.0.0")
# Sink: an 8-byte big-endian length N, then N bytes; the listener answers with the 8-byte count.
SINK = TProtocol("/station-test/sink/1.0.0")
CHUNK = 1 << 16


def make_key(kind):
    if kind == "secp256k1":
        from libp2p.crypto.secp256k1 import create_new_key_pair
        return create_new_key_pair(secrets.token_bytes(32))
    if kind == "rsa":
        from libp2p.crypto.rsa import create_new_key_pair
        return create_new_key_pair()
    from libp2p.crypto.ed25519 import create_new_key_pair
    return create_new_key_pair(secrets.token_bytes(32))


def emit(obj):
    print(json.dumps(obj), flush=True)


async def echo_handler(stream):
    try:
        while True:
            try:
                data = await stream.read(CHUNK)
            except StreamEOF:
                break
            if not data:
                break
            await stream.write(data)
        await stream.close()
    except Exception:
        try:
            await stream.reset()
        except Exception:
            pass


async def read_exact(stream, count):
    out = bytearray()
    while len(out) < count:
        data = await stream.read(count - len(out))
        if not data:
            raise EOFError("stream ended early")
        out += data
    return bytes(out)


async def sink_handler(stream):
    try:
        total = int.from_bytes(await read_exact(stream, 8), "big")
        received = 0
        while received < total:
            data = await stream.read(min(CHUNK * 16, total - received))
            if not data:
                break
            received += len(data)
        await stream.write(received.to_bytes(8, "big"))
        await stream.close()
    except Exception:
        try:
            await stream.reset()
        except Exception:
            pass


async def read_until_eof(stream, limit):
    out = bytearray()
    while len(out) <= limit:
        try:
            data = await stream.read(CHUNK)
        except StreamEOF:
            break
        if not data:
            break
        out += data
    return bytes(out)


async def echo_once(host, peer_id, payload):
    stream = await host.new_stream(peer_id, [ECHO])
    received = bytearray()

    async def reader():
        while len(received) < len(payload):
            data = await stream.read(CHUNK)
            if not data:
                break
            received.extend(data)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(reader)
        for start in range(0, len(payload), CHUNK):
            await stream.write(payload[start:start + CHUNK])
    await stream.close()
    return bytes(received)


async def run_dial(host, target, command, argument):
    info = info_from_p2p_addr(multiaddr.Multiaddr(target))
    await host.connect(info)
    peer = info.peer_id
    if command == "echo":
        reply = await echo_once(host, peer, argument.encode())
        emit({"echo": reply.decode(errors="replace")})
    elif command == "big":
        size = int(argument)
        payload = secrets.token_bytes(size)
        reply = await echo_once(host, peer, payload)
        emit({"size": len(reply), "match": reply == payload,
              "sha256": hashlib.sha256(reply).hexdigest()})
    elif command == "many":
        count = int(argument)
        results = []

        async def one(index):
            payload = f"stream {index} ".encode() * 8
            reply = await echo_once(host, peer, payload)
            results.append(reply == payload)

        async with trio.open_nursery() as nursery:
            for index in range(count):
                nursery.start_soon(one, index)
        emit({"streams": len(results), "ok": sum(results)})
    elif command == "sink":
        size = int(argument)
        chunk = bytes(CHUNK)
        started = trio.current_time()
        stream = await host.new_stream(peer, [SINK])
        await stream.write(size.to_bytes(8, "big"))
        sent = 0
        while sent < size:
            piece = chunk if size - sent >= CHUNK else chunk[: size - sent]
            await stream.write(piece)
            sent += len(piece)
        count = int.from_bytes(await read_exact(stream, 8), "big")
        elapsed = trio.current_time() - started
        await stream.close()
        emit({"bytes": count, "seconds": elapsed, "mb_per_s": count / 1e6 / elapsed})
    elif command == "ping":
        rtts = await PingService(host).ping(peer, int(argument))
        emit({"pings": len(rtts)})
    elif command == "identify":
        stream = await host.new_stream(peer, [TProtocol("/ipfs/id/1.0.0")])
        raw = await read_until_eof(stream, 1 << 16)
        length, size = decode_varint_with_size(raw)
        message = Identify()
        message.ParseFromString(raw[size:size + length])
        emit({"protocols": list(message.protocols), "agent": message.agent_version,
              "listen_addrs": len(message.listen_addrs)})
    else:
        raise SystemExit(f"unknown command {command}")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["listen", "dial"])
    parser.add_argument("target", nargs="?")
    parser.add_argument("command", nargs="?")
    parser.add_argument("argument", nargs="?", default="")
    parser.add_argument("--key", default="ed25519")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    host = new_host(key_pair=make_key(args.key), muxer_preference="YAMUX")
    if args.mode == "listen":
        from libp2p.utils.address_validation import find_free_port
        port = args.port or find_free_port()
        listen = [multiaddr.Multiaddr(f"/ip4/127.0.0.1/tcp/{port}")]
        async with host.run(listen_addrs=listen):
            host.set_stream_handler(ECHO, echo_handler)
            host.set_stream_handler(SINK, sink_handler)
            print(f"/ip4/127.0.0.1/tcp/{port}/p2p/{host.get_id().to_string()}", flush=True)
            await trio.sleep_forever()
    else:
        async with host.run(listen_addrs=[multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")]):
            with trio.fail_after(float(os.environ.get("PY_PEER_TIMEOUT", "120"))):
                await run_dial(host, args.target, args.command, args.argument)


if __name__ == "__main__":
    try:
        trio.run(main)
    except KeyboardInterrupt:
        sys.exit(0)
