// The Station global (beyond Zinnia): key-value store, IPFS content, incoming and outgoing p2p
// streams. Every call maps to one station ABI call (docs/abi.md); failures throw an Error whose
// `code` is the ABI error name (e.g. 'denied', 'quota-exceeded').

const keyBytes = (key) => (typeof key === 'string' ? key : bufferSourceBytes(key, 'key'));
const valueBytes = (value) => (typeof value === 'string' ? value : bufferSourceBytes(value, 'value'));
const decodeText = (bytes) => utf8Decode(bytes, false, false)[0];

const kv = ObjectFreeze({
  // Resolves to the value's bytes, or null when the key is absent.
  async get(key) {
    const r = native.kvGet(keyBytes(key));
    if (r === E.NOT_FOUND) return null;
    if (typeof r === 'number') throw stationError(r);
    return r;
  },
  async getText(key) { const v = await kv.get(key); return v === null ? null : decodeText(v); },
  async getJSON(key) { const v = await kv.get(key); return v === null ? null : JSONParse(decodeText(v)); },
  async put(key, value) {
    const r = native.kvPut(keyBytes(key), valueBytes(value));
    if (r < 0) throw stationError(r);
  },
  async putJSON(key, value) { return kv.put(key, JSONStringify(value)); },
  // Resolves to true when the key existed.
  async delete(key) {
    const r = native.kvDelete(keyBytes(key));
    if (r === E.NOT_FOUND) return false;
    if (r < 0) throw stationError(r);
    return true;
  },
  // Async iteration over the keys (strings) starting with prefix, in byte order.
  async *list(options = {}) {
    const prefix = options.prefix === undefined ? '' : keyBytes(options.prefix);
    let after = options.after === undefined ? '' : keyBytes(options.after);
    let left = options.limit === undefined ? Infinity : NumberCtor(options.limit);
    while (left > 0) {
      const page = native.kvList(prefix, after);
      if (typeof page === 'number') throw stationError(page);
      if (page.length === 0) return;
      for (const k of page) {
        if (left-- <= 0) return;
        yield decodeText(k);
      }
      after = page[page.length - 1];
    }
  },
});

const ipfs = ObjectFreeze({
  // Resolves to the bytes of a UnixFS file (CID[/path]) or, with { format: 'car' }, a CARv1.
  async get(path, options = {}) {
    const format = options.format === 'car' ? 1 : 0;
    const handle = native.ipfsGet(`${path}`, format, options.timeout === undefined ? 0 : NumberCtor(options.timeout));
    if (handle < 0) throw stationError(handle);
    try { return await readAll(handle, options.maxBytes === undefined ? 256 * 1024 * 1024 : options.maxBytes); }
    finally { native.unwait(handle); native.close(handle); }
  },
  // Stores bytes (or a string) as a UnixFS file, pinned for the module; resolves to its CID.
  async put(data) {
    const r = native.ipfsPut(valueBytes(data));
    if (typeof r === 'number') throw stationError(r);
    return r;
  },
  async pin(cid) { const r = native.ipfsPin(`${cid}`, false); if (r < 0) throw stationError(r); },
  async unpin(cid) { const r = native.ipfsPin(`${cid}`, true); if (r < 0) throw stationError(r); },
});

// A libp2p stream: async-iterable chunks (Uint8Array), write(), closeWrite(), close().
class P2PStream {
  #handle; #closed = false;
  constructor(handle) {
    this.#handle = handle;
    const peer = native.p2pRemotePeer(handle);
    this.remotePeer = typeof peer === 'string' ? peer : null;
  }
  async read() {
    for (;;) {
      if (this.#closed) return null;
      const r = native.read(this.#handle, 65536);
      if (r === null) return null;
      if (r === E.WOULD_BLOCK) { await waitHandle(this.#handle); continue; }
      if (typeof r === 'number') throw stationError(r);
      return r;
    }
  }
  async readAll(limit = 64 * 1024 * 1024) { return readAll(this.#handle, limit); }
  async write(data) { await writeAll(this.#handle, typeof data === 'string' ? utf8Encode(data) : bufferSourceBytes(data, 'data')); }
  async closeWrite() { const r = native.closeWrite(this.#handle); if (r < 0) throw stationError(r); }
  close() { if (!this.#closed) { this.#closed = true; native.unwait(this.#handle); native.close(this.#handle); } }
  async *[SymbolAsyncIterator]() {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }
}
tagClass(P2PStream, 'P2PStream');

const p2p = ObjectFreeze({
  get peerId() { return Zinnia.peerId; },
  // Handles inbound streams of a granted protocol: handler(stream) runs for each; its stream is
  // closed when the handler settles (after closeWrite, the queued data still goes out). Returns
  // { close() } to stop listening. An error thrown by a handler is uncaught (ends the module).
  handle(protocol, handler) {
    if (typeof protocol !== 'string') throw new TypeErrorCtor('protocol must be a string');
    if (typeof handler !== 'function') throw new TypeErrorCtor('handler must be a function');
    const listener = native.p2pListen(protocol);
    if (listener < 0) throw stationError(listener);
    let open = true;
    const accept = () => {
      if (!open) return;
      for (;;) {
        const s = native.p2pAccept(listener);
        if (s === E.WOULD_BLOCK) break;
        if (s < 0) { open = false; native.close(listener); throw stationError(s); }
        const stream = new P2PStream(s);
        PromisePrototypeThen(PromiseResolve().then(() => handler(stream)), () => stream.close(), (err) => { stream.close(); throw err; });
      }
      native.wait(listener, accept);
    };
    native.wait(listener, accept);
    return ObjectFreeze({ close() { if (open) { open = false; native.unwait(listener); native.close(listener); } } });
  },
  // Opens a stream to a peer (multiaddr ending in /p2p/<peer id>) for a granted protocol.
  async dial(address, protocol, options = {}) {
    const h = native.p2pDial(`${address}`, `${protocol}`, options.timeout === undefined ? 0 : NumberCtor(options.timeout));
    if (h < 0) throw stationError(h);
    await waitHandle(h);
    return new P2PStream(h);
  },
});

const Station = ObjectCreate(null);
ObjectDefineProperties(Station, {
  kv: { value: kv, enumerable: true },
  ipfs: { value: ipfs, enumerable: true },
  p2p: { value: p2p, enumerable: true },
  moduleName: { get() { const n = native.moduleName(); return typeof n === 'string' ? n : ''; }, enumerable: true },
  args: { value: ObjectFreeze(ArrayPrototypeSlice(native.args(), 2)), enumerable: true },
});
