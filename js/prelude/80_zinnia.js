// The Zinnia global (zinnia-api.md §1): activity, jobs, identity, versions, inspect, libp2p.

const ZINNIA_COMPAT_VERSION = '0.20.2'; // the Zinnia API level implemented (Spark targeted Z20)
const DEFAULT_WALLET = '0x000000000000000000000000000000000000dEaD';

function identity(envName, nativeFn, fallback) {
  const fromEnv = native.getenv(envName);
  if (fromEnv) return fromEnv;
  const fromHost = nativeFn();
  return typeof fromHost === 'string' && fromHost !== '' ? fromHost : fallback;
}

const walletAddress = identity('FIL_WALLET_ADDRESS', native.walletAddress, DEFAULT_WALLET);
const stationId = identity('STATION_ID', native.stationId, StringPrototypeRepeat('0', 88));
if (!RegExpPrototypeTest(/^[0-9a-fA-F]{88}$/, stationId)) {
  throw new ErrorCtor('Invalid station_id format');
}

const versions = ObjectFreeze({
  zinnia: ZINNIA_COMPAT_VERSION,
  v8: 'n/a (QuickJS-ng)',
  quickjs: native.quickjs,
  station: native.version,
});

async function writeAll(handle, bytes) {
  let off = 0;
  while (off < bytes.length) {
    const n = native.write(handle, off === 0 ? bytes : TypedArrayPrototypeSubarray(bytes, off));
    if (n === E.WOULD_BLOCK) { await waitHandle(handle); continue; }
    if (n < 0) throw stationError(n);
    off += n;
  }
}

async function readAll(handle, limit) {
  const chunks = [];
  let total = 0;
  for (;;) {
    const r = native.read(handle, 65536);
    if (r === null) break;
    if (r === E.WOULD_BLOCK) { await waitHandle(handle); continue; }
    if (typeof r === 'number') throw stationError(r);
    total += r.length;
    if (total > limit) throw new ErrorCtor(`response larger than ${limit} bytes`);
    ArrayPrototypePush(chunks, r);
  }
  const out = new Uint8ArrayCtor(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

const typeName = (v) => (v === null || v === undefined ? `${v}` : (v.constructor && v.constructor.name) || 'Object');

async function requestProtocol(remoteAddress, protocolName, requestPayload) {
  if (typeof remoteAddress !== 'string') throw new TypeErrorCtor(`remoteAddress must be string (found: ${typeof remoteAddress})`);
  if (typeof protocolName !== 'string') throw new TypeErrorCtor(`protocolName must be string (found: ${typeof protocolName})`);
  if (requestPayload?.constructor !== Uint8ArrayCtor) throw new TypeErrorCtor(`requestPayload must be Uint8Array (found: ${typeName(requestPayload)})`);
  if (!RegExpPrototypeTest(/\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/, remoteAddress)) throw new ErrorCtor('remote address must contain a valid peer ID');
  const handle = native.p2pDial(remoteAddress, protocolName, 10000);
  if (handle < 0) throw stationError(handle);
  try {
    await waitHandle(handle);
    await writeAll(handle, requestPayload);
    const r = native.closeWrite(handle);
    if (r < 0) throw stationError(r);
    const response = await readAll(handle, 10 * 1024 * 1024);
    return { async *[SymbolAsyncIterator]() { yield response; } };
  } finally {
    native.unwait(handle);
    native.close(handle);
  }
}

const Zinnia = ObjectCreate(null);
ObjectDefineProperties(Zinnia, {
  activity: { value: ObjectFreeze({
    info(msg) { native.activity(0, '' + msg); },
    error(msg) { native.activity(1, '' + msg); },
  }), enumerable: true },
  jobCompleted: { value: function jobCompleted() { native.jobCompleted(); }, enumerable: true },
  walletAddress: { value: walletAddress, enumerable: true },
  stationId: { value: stationId, enumerable: true },
  versions: { value: versions, enumerable: true },
  inspect: { value: inspect, enumerable: true },
  peerId: {
    get() {
      const id = native.p2pPeerId();
      if (typeof id === 'number') throw stationError(id);
      return id;
    },
    enumerable: true,
  },
  requestProtocol: { value: requestProtocol, enumerable: true },
});
