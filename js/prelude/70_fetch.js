// Headers, Request, Response and fetch over the station HTTP ABI (http_request/http_status/
// http_headers/read), and fetch('ipfs://CID[/path]') over ipfs_get (a CARv1, as Lassie answered).

const FORBIDDEN_HEADER_CHARS = /[^\t\x20-\x7e\x80-\xff]|^[\t ]|[\t ]$/;
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
function checkHeader(name, value) {
  if (!RegExpPrototypeTest(TOKEN_RE, name)) throw new TypeErrorCtor(`Invalid header name: "${name}"`);
  if (RegExpPrototypeTest(/[\0\r\n]/, value)) throw new TypeErrorCtor(`Invalid header value: "${value}"`);
}
const normalizeValue = (v) => StringPrototypeReplace(`${v}`, /^[\t\n\r ]+|[\t\n\r ]+$/g, '');

const headerList = SymbolCtor('header list');
const headerGuard = SymbolCtor('header guard');
class Headers {
  constructor(init = undefined) {
    this[headerList] = []; // [lowerName, value]
    this[headerGuard] = 'none';
    if (init === undefined || init === null) return;
    if (init instanceof Headers) { for (const [k, v] of init[headerList]) ArrayPrototypePush(this[headerList], [k, v]); return; }
    if (typeof init !== 'object') throw new TypeErrorCtor("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'");
    if (typeof init[SymbolIterator] === 'function') {
      for (const pair of init) {
        const p = [...pair];
        if (p.length !== 2) throw new TypeErrorCtor("Failed to construct 'Headers': Invalid value");
        this.append(p[0], p[1]);
      }
    } else {
      for (const k of ObjectKeys(init)) this.append(k, init[k]);
    }
  }
  #check() { if (this[headerGuard] === 'immutable') throw new TypeErrorCtor('Headers are immutable'); }
  append(name, value) {
    this.#check();
    name = `${name}`; value = normalizeValue(value);
    checkHeader(name, value);
    ArrayPrototypePush(this[headerList], [StringPrototypeToLowerCase(name), value]);
  }
  delete(name) {
    this.#check();
    const n = StringPrototypeToLowerCase(`${name}`);
    this[headerList] = this[headerList].filter(([k]) => k !== n);
  }
  get(name) {
    const n = StringPrototypeToLowerCase(`${name}`);
    const values = this[headerList].filter(([k]) => k === n).map(([, v]) => v);
    return values.length === 0 ? null : ArrayPrototypeJoin(values, ', ');
  }
  getSetCookie() { return this[headerList].filter(([k]) => k === 'set-cookie').map(([, v]) => v); }
  has(name) { const n = StringPrototypeToLowerCase(`${name}`); return this[headerList].some(([k]) => k === n); }
  set(name, value) {
    this.#check();
    name = `${name}`; value = normalizeValue(value);
    checkHeader(name, value);
    const n = StringPrototypeToLowerCase(name);
    const list = this[headerList];
    const i = list.findIndex(([k]) => k === n);
    if (i < 0) ArrayPrototypePush(list, [n, value]);
    else { list[i] = [n, value]; this[headerList] = list.filter(([k], j) => j <= i || k !== n); }
  }
  #sorted() {
    const names = [...new SetCtor(this[headerList].map(([k]) => k))].sort();
    const out = [];
    for (const n of names) {
      if (n === 'set-cookie') { for (const v of this.getSetCookie()) ArrayPrototypePush(out, [n, v]); }
      else ArrayPrototypePush(out, [n, this.get(n)]);
    }
    return out;
  }
  forEach(callback, thisArg = undefined) { for (const [k, v] of this.#sorted()) ReflectApply(callback, thisArg, [v, k, this]); }
  keys() { return this.#sorted().map(([k]) => k)[SymbolIterator](); }
  values() { return this.#sorted().map(([, v]) => v)[SymbolIterator](); }
  entries() { return this.#sorted()[SymbolIterator](); }
  [SymbolIterator]() { return this.entries(); }
  [customInspect]() { const o = {}; for (const [k, v] of this.#sorted()) o[k] = v; return `Headers ${inspect(o)}`; }
}
tagClass(Headers, 'Headers');

// ---- bodies ----

const bodyState = SymbolCtor('body');
// Extracts a body init into { stream, bytes, contentType }.
function extractBody(init) {
  if (init === null || init === undefined) return { stream: null, bytes: null, type: null };
  if (typeof init === 'string') return { bytes: utf8Encode(init), type: 'text/plain;charset=UTF-8' };
  if (init instanceof URLSearchParams) return { bytes: utf8Encode(init.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (init instanceof ArrayBufferCtor || ArrayBufferIsView(init)) return { bytes: bufferSourceBytes(init).slice(), type: null };
  if (init instanceof ReadableStream) return { stream: init, type: null };
  if (typeof init === 'object' && typeof init[SymbolAsyncIterator] === 'function') return { stream: ReadableStream.from(init), type: null };
  return { bytes: utf8Encode(`${init}`), type: 'text/plain;charset=UTF-8' };
}

function bytesStream(bytes) {
  return new ReadableStream({ start(c) { if (bytes.length) c.enqueue(bytes); c.close(); } });
}

async function readAllBytes(stream, limit = Infinity) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const chunk = value instanceof Uint8ArrayCtor ? value : typeof value === 'string' ? utf8Encode(value) : bufferSourceBytes(value, 'chunk');
    total += chunk.length;
    if (total > limit) { await reader.cancel(); throw new RangeErrorCtor(`body larger than ${limit} bytes`); }
    ArrayPrototypePush(chunks, chunk);
  }
  reader.releaseLock();
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8ArrayCtor(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

class Body {
  get body() {
    const b = this[bodyState];
    if (b.stream === null && b.bytes === null) return null;
    if (!b.stream) { b.stream = bytesStream(b.bytes); b.bytes = null; }
    return b.stream;
  }
  get bodyUsed() { const b = this[bodyState]; return b.used || (b.stream !== null && b.stream !== undefined && rsState(b.stream).state !== 'readable' && rsState(b.stream).locked); }
  async #consume() {
    const b = this[bodyState];
    if (b.used || (b.stream && b.stream.locked)) throw new TypeErrorCtor('Body already consumed.');
    b.used = true;
    if (b.stream) return readAllBytes(b.stream);
    return b.bytes || new Uint8ArrayCtor(0);
  }
  async arrayBuffer() { const bytes = await this.#consume(); return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : ArrayBufferPrototypeSlice(bytes.buffer, bytes.byteOffset, bytes.byteOffset + bytes.byteLength); }
  async bytes() { const bytes = await this.#consume(); return new Uint8ArrayCtor(bytes.buffer, bytes.byteOffset, bytes.byteLength); }
  async text() { return utf8Decode(await this.#consume(), false, false)[0]; }
  async json() { return JSONParse(await this.text()); }
  async formData() { throw new TypeErrorCtor('FormData bodies are not supported by this runtime'); }
  async blob() { throw new TypeErrorCtor('Blob is not supported by this runtime (as in Zinnia)'); }
}

function cloneBody(b) {
  if (b.used) throw new TypeErrorCtor('Body already consumed.');
  if (b.stream) {
    const [a, c] = b.stream.tee();
    b.stream = a;
    return { stream: c, bytes: null };
  }
  return { stream: null, bytes: b.bytes };
}

// ---- Request ----

const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH'];
class Request extends Body {
  #url; #method; #headers; #signal; #redirect;
  constructor(input, init = {}) {
    super();
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'Request': 1 argument required, but only 0 present.");
    init = init || {};
    let fromRequest = null;
    if (input instanceof Request) { fromRequest = input; this.#url = input.url; }
    else {
      let parsed;
      try { parsed = new URL(`${input}`); } catch { throw new TypeErrorCtor(`Invalid URL: '${input}'`); }
      if (parsed.username || parsed.password) throw new TypeErrorCtor('Request URL must not contain credentials');
      this.#url = parsed.href;
    }
    let method = init.method !== undefined ? `${init.method}` : fromRequest ? fromRequest.method : 'GET';
    if (!RegExpPrototypeTest(TOKEN_RE, method)) throw new TypeErrorCtor(`Invalid method: "${method}"`);
    const upper = StringPrototypeToUpperCase(method);
    if (ArrayPrototypeIncludes(METHODS, upper)) method = upper;
    if (upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK') throw new TypeErrorCtor(`Method is forbidden: "${method}"`);
    this.#method = method;
    this.#headers = new Headers(init.headers !== undefined ? init.headers : fromRequest ? fromRequest.headers : undefined);
    this.#redirect = init.redirect !== undefined ? `${init.redirect}` : fromRequest ? fromRequest.redirect : 'follow';
    if (!ArrayPrototypeIncludes(['follow', 'manual', 'error'], this.#redirect)) throw new TypeErrorCtor(`'${this.#redirect}' is not a valid value for redirect`);
    this.#signal = init.signal !== undefined ? init.signal : fromRequest ? fromRequest.signal : null;
    if (this.#signal === null) { const c = new AbortController(); this.#signal = c.signal; }
    let body;
    if (init.body !== undefined && init.body !== null) {
      if (method === 'GET' || method === 'HEAD') throw new TypeErrorCtor('Request with GET/HEAD method cannot have body.');
      body = extractBody(init.body);
      if (body.type && !this.#headers.has('content-type')) this.#headers.append('content-type', body.type);
    } else if (fromRequest && init.body === undefined) {
      body = cloneBody(fromRequest[bodyState]);
    } else {
      body = { stream: null, bytes: null };
    }
    this[bodyState] = { stream: body.stream || null, bytes: body.bytes || null, used: false };
    this.client = init.client;
  }
  get url() { return this.#url; }
  get method() { return this.#method; }
  get headers() { return this.#headers; }
  get signal() { return this.#signal; }
  get redirect() { return this.#redirect; }
  get cache() { return 'default'; }
  get credentials() { return 'same-origin'; }
  get mode() { return 'cors'; }
  get referrer() { return 'about:client'; }
  get integrity() { return ''; }
  get keepalive() { return false; }
  clone() {
    const r = new Request(this.#url, { method: this.#method, headers: this.#headers, signal: this.#signal, redirect: this.#redirect });
    r[bodyState] = { ...cloneBody(this[bodyState]), used: false };
    return r;
  }
  [customInspect]() { return `Request ${inspect({ method: this.method, url: this.url, headers: this.headers, redirect: this.redirect, bodyUsed: this.bodyUsed })}`; }
}
tagClass(Request, 'Request');

// ---- Response ----

const responseInternal = SymbolCtor('response internals');
const NULL_BODY_STATUS = [101, 103, 204, 205, 304];
class Response extends Body {
  #status; #statusText; #headers; #url = ''; #type = 'default'; #redirected = false;
  constructor(body = null, init = {}) {
    super();
    init = init || {};
    const status = init.status !== undefined ? NumberCtor(init.status) : 200;
    if (!(status >= 200 && status <= 599) && !(init[responseInternal] && status === 0)) throw new RangeErrorCtor(`The status provided (${init.status}) is outside the range [200, 599].`);
    this.#status = status;
    this.#statusText = init.statusText !== undefined ? `${init.statusText}` : '';
    this.#headers = new Headers(init.headers);
    let b = { stream: null, bytes: null };
    if (body !== null && body !== undefined) {
      if (ArrayPrototypeIncludes(NULL_BODY_STATUS, status)) throw new TypeErrorCtor('Response with null body status cannot have body');
      b = extractBody(body);
      if (b.type && !this.#headers.has('content-type')) this.#headers.append('content-type', b.type);
    }
    this[bodyState] = { stream: b.stream || null, bytes: b.bytes || null, used: false };
    if (init[responseInternal]) { this.#url = init[responseInternal].url; this.#type = init[responseInternal].type || 'basic'; this.#redirected = !!init[responseInternal].redirected; }
  }
  static json(data, init = {}) {
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeErrorCtor('The data is not JSON serializable');
    const headers = new Headers(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new Response(text, { ...init, headers });
  }
  static error() { const r = new Response(null, { status: 0, [responseInternal]: { url: '', type: 'error' } }); return r; }
  static redirect(url, status = 302) {
    if (!ArrayPrototypeIncludes([301, 302, 303, 307, 308], status)) throw new RangeErrorCtor('Invalid status code');
    return new Response(null, { status, headers: { location: new URL(url).href } });
  }
  get status() { return this.#status; }
  get statusText() { return this.#statusText; }
  get ok() { return this.#status >= 200 && this.#status <= 299; }
  get headers() { return this.#headers; }
  get url() { return this.#url; }
  get type() { return this.#type; }
  get redirected() { return this.#redirected; }
  clone() {
    const r = new Response(null, { status: this.#status === 0 ? 200 : this.#status, statusText: this.#statusText, headers: this.#headers, [responseInternal]: { url: this.#url, type: this.#type, redirected: this.#redirected } });
    r[bodyState] = { ...cloneBody(this[bodyState]), used: false };
    return r;
  }
  [customInspect]() {
    return `Response ${inspect({ body: this.body, bodyUsed: this.bodyUsed, headers: this.headers, ok: this.ok, redirected: this.redirected, status: this.status, statusText: this.statusText, url: this.url })}`;
  }
}
tagClass(Response, 'Response');

const STATUS_TEXT = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found',
  303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

// ---- fetch ----

const USER_AGENT = `station-js/${native.version}`;

// A network failure as a TypeError, with Deno's wording so modules matching on 'dns error' /
// 'tcp connect error' (Spark) keep working.
function networkError(url, code) {
  const message = stationMessage(code);
  const lower = StringPrototypeToLowerCase(message);
  let kind = '';
  if (code === E.DENIED) kind = 'network access denied: ';
  else if (StringPrototypeIncludes(lower, 'resolve') || StringPrototypeIncludes(lower, 'dns') || StringPrototypeIncludes(lower, 'name')) kind = 'dns error: ';
  else if (StringPrototypeIncludes(lower, 'connect') || StringPrototypeIncludes(lower, 'refused') || StringPrototypeIncludes(lower, 'unreachable')) kind = 'tcp connect error: ';
  else if (code === E.TIMED_OUT) kind = 'operation timed out: ';
  const err = new TypeErrorCtor(`error sending request for url (${url}): ${kind}${message}`);
  err.code = ERROR_NAMES[code] || `error ${code}`;
  return err;
}

// A readable stream over a station handle (HTTP body, IPFS content, p2p stream).
function handleStream(handle, onError, first = null) {
  let closed = false;
  const finish = () => { if (!closed) { closed = true; native.unwait(handle); native.close(handle); } };
  return new ReadableStream({
    start(c) { if (first) c.enqueue(first); },
    async pull(c) {
      for (;;) {
        if (closed) return;
        const r = native.read(handle, 65536);
        if (r === null) { finish(); c.close(); return; }
        if (typeof r !== 'number') { c.enqueue(r); return; }
        if (r === E.WOULD_BLOCK) { await waitHandle(handle); continue; }
        const err = onError(r);
        finish();
        c.error(err);
        return;
      }
    },
    cancel() { finish(); },
  }, { highWaterMark: 0 });
}

// Calls probe() until it stops answering would-block, waiting on the handle in between. An abort
// wakes the wait (ctl.wake) so the signal's reason is thrown at once.
async function waitUntil(handle, signal, probe, ctl) {
  for (;;) {
    if (signal && signal.aborted) throw signal.reason;
    const r = probe();
    if (r !== E.WOULD_BLOCK) return r;
    const d = deferred();
    ctl.wake = d.resolve;
    native.wait(handle, d.resolve);
    await d.promise;
    ctl.wake = null;
  }
}

function parseHeaderLines(text) {
  const headers = new Headers();
  for (const line of StringPrototypeSplit(text, /\r?\n/)) {
    const i = StringPrototypeIndexOf(line, ':');
    if (i <= 0) continue;
    try { headers.append(StringPrototypeSlice(line, 0, i), StringPrototypeSlice(line, i + 1)); } catch { /* skip a malformed line */ }
  }
  return headers;
}

// Statuses that are redirects (WHATWG Fetch: "redirect status").
const REDIRECT_STATUS = [301, 302, 303, 307, 308];

async function fetch(input, init = undefined) {
  const request = new Request(input, init);
  const signal = request.signal;
  if (signal.aborted) throw signal.reason;
  const url = request.url;
  if (StringPrototypeStartsWith(url, 'ipfs://')) return fetchIpfs(request);
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new TypeErrorCtor('NetworkError when attempting to fetch resource.');
  }
  // 'follow': the host follows redirects itself (each hop checked against the grants).
  // 'manual' and 'error': the host hands back the 3xx (http_request_options, bit 1); 'manual'
  // returns it with its Location readable (as Deno does), 'error' rejects.
  const manual = request.redirect !== 'follow';
  let lines = '';
  let hasUA = false;
  for (const [k, v] of request.headers[headerList]) { lines += `${k}: ${v}\n`; if (k === 'user-agent') hasUA = true; }
  if (!hasUA) lines += `user-agent: ${USER_AGENT}\n`;
  const b = request[bodyState];
  let body = null;
  if (b.stream) { b.used = true; body = await readAllBytes(b.stream); }
  else if (b.bytes) { b.used = true; body = b.bytes; }
  const handle = native.httpRequest(request.method, url, lines, body, 0, manual ? 1 : 0);
  if (handle < 0) throw networkError(url, handle);
  let aborted = false;
  const ctl = { wake: null };
  const onAbort = () => { aborted = true; native.unwait(handle); native.close(handle); if (ctl.wake) ctl.wake(); };
  addAbortAlgorithm(signal, onAbort);
  try {
    const status = await waitUntil(handle, signal, () => native.httpStatus(handle), ctl);
    if (status < 0) throw networkError(url, status);
    if (request.redirect === 'error' && ArrayPrototypeIncludes(REDIRECT_STATUS, status)) {
      throw new TypeErrorCtor(`fetch failed: ${url} answered with a redirect (${status}) and the request's redirect mode is 'error'`);
    }
    const headerText = native.httpHeaders(handle);
    const headers = typeof headerText === 'string' ? parseHeaderLines(headerText) : new Headers();
    const nullBody = request.method === 'HEAD' || ArrayPrototypeIncludes(NULL_BODY_STATUS, status);
    // The URL that answered (after the host's redirects); the request's when it cannot be read.
    const answered = native.httpUrl(handle);
    const finalUrl = typeof answered === 'string' && answered !== '' ? answered : url;
    const response = new Response(null, {
      status, statusText: STATUS_TEXT[status] || '', headers,
      [responseInternal]: { url: finalUrl, type: 'basic', redirected: finalUrl !== url }
    });
    if (nullBody) { native.close(handle); }
    else {
      const stream = handleStream(handle, (code) => (aborted ? signal.reason : networkError(url, code)));
      response[bodyState].stream = stream;
      addAbortAlgorithm(signal, () => { try { rsState(stream).controller.error(signal.reason); } catch { /* closed */ } });
    }
    response.headers[headerGuard] = 'immutable';
    return response;
  } catch (err) {
    if (!aborted) { native.unwait(handle); native.close(handle); }
    if (aborted) throw signal.reason;
    throw err;
  }
}

// fetch('ipfs://CID[/path][?dag-scope=…&entity-bytes=…]'): a verified CARv1 from the station IPFS
// layer, as a 200 response with content-type application/vnd.ipld.car (Zinnia answered through
// Lassie). dag-scope=block|entity fetches only the blocks the scope needs.
async function fetchIpfs(request) {
  if (request.headers.has('authorization')) throw new TypeErrorCtor("IPFS retrieval requests don't support Authorization header yet");
  const url = request.url;
  let rest = StringPrototypeSlice(url, 'ipfs://'.length);
  const h = StringPrototypeIndexOf(rest, '#');
  if (h >= 0) rest = StringPrototypeSlice(rest, 0, h);
  const q = StringPrototypeIndexOf(rest, '?');
  const query = q >= 0 ? StringPrototypeSlice(rest, q + 1) : '';
  if (q >= 0) rest = StringPrototypeSlice(rest, 0, q);
  const path = decodeURIComponent(rest);
  // ipfs_get reads '?' as the start of its query: a path naming one cannot be asked for.
  if (StringPrototypeIncludes(path, '?')) throw new TypeErrorCtor(`ipfs:// paths containing '?' are not supported: ${url}`);
  // The trustless-gateway parameters ipfs_get honours go on (the host checks them: a bad value is
  // a TypeError); the rest of Lassie's (protocols, providers, format, car-version…) are ignored.
  const params = new URLSearchParams(query);
  let scope = '';
  for (const name of ['dag-scope', 'entity-bytes']) {
    const value = params.get(name);
    if (value !== null) scope += `${scope ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
  }
  const signal = request.signal;
  const handle = native.ipfsGet(path + scope, 1, 0);
  if (handle < 0) throw networkError(url, handle);
  let aborted = false;
  const ctl = { wake: null };
  addAbortAlgorithm(signal, () => { aborted = true; native.unwait(handle); native.close(handle); if (ctl.wake) ctl.wake(); });
  // Read the first chunk so a missing CID or a timeout becomes an HTTP-like status.
  let first;
  try {
    first = await waitUntil(handle, signal, () => native.read(handle, 65536), ctl);
  } catch (err) {
    if (!aborted) { native.unwait(handle); native.close(handle); }
    throw aborted ? signal.reason : err;
  }
  const headers = new Headers({ 'content-type': 'application/vnd.ipld.car; version=1' });
  if (typeof first === 'number' && first < 0) {
    const message = stationMessage(first);
    native.close(handle);
    const status = first === E.TIMED_OUT ? 504 : first === E.NOT_FOUND ? 502 : first === E.DENIED ? 403 : 502;
    return new Response(message, { status, statusText: STATUS_TEXT[status], headers: { 'content-type': 'text/plain; charset=utf-8' }, [responseInternal]: { url, type: 'basic' } });
  }
  const response = new Response(null, { status: 200, statusText: 'OK', headers, [responseInternal]: { url, type: 'basic' } });
  if (first === null) { native.close(handle); response[bodyState].bytes = new Uint8ArrayCtor(0); }
  else response[bodyState].stream = handleStream(handle, (code) => (aborted ? signal.reason : networkError(url, code)), first);
  return response;
}
