// URL and URLSearchParams: the WHATWG URL rules for the cases modules use (special schemes with
// hosts, opaque paths such as data: or mailto:, relative references, percent-encoding, IPv4/IPv6
// hosts, default ports). Internationalised domain names are lower-cased but not punycoded.

const SPECIAL_PORTS = { 'ftp:': '21', 'file:': '', 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };
const isSpecial = (protocol) => protocol in SPECIAL_PORTS;

function percentEncode(str, keep) {
  let out = '';
  const bytes = utf8Encode(str);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const ch = StringFromCharCode(b);
    if (b >= 0x21 && b < 0x7f && !StringPrototypeIncludes(keep, ch)) out += ch;
    else if (ch === '%' ) out += ch;
    else out += '%' + StringPrototypeToUpperCase(StringPrototypePadStart(b.toString(16), 2, '0'));
  }
  return out;
}
const PATH_ENCODE = ' "#<>?`{}';
const QUERY_ENCODE = ' "#<>';
const SPECIAL_QUERY_ENCODE = ' "#<>\'';
const FRAGMENT_ENCODE = ' "<>`';
const USERINFO_ENCODE = ' "#<>?`{}/:;=@[\\]^|';

function parseIPv4(host) {
  const parts = StringPrototypeSplit(host, '.');
  if (parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const nums = [];
  for (const p of parts) {
    if (p === '') return null;
    let n;
    if (RegExpPrototypeTest(/^0[xX][0-9a-fA-F]*$/, p)) n = p.length === 2 ? 0 : parseInt(StringPrototypeSlice(p, 2), 16);
    else if (RegExpPrototypeTest(/^0[0-7]+$/, p)) n = parseInt(StringPrototypeSlice(p, 1), 8);
    else if (RegExpPrototypeTest(/^[0-9]+$/, p)) n = parseInt(p, 10);
    else return null;
    ArrayPrototypePush(nums, n);
  }
  let value = 0;
  for (let i = 0; i < nums.length - 1; i++) { if (nums[i] > 255) throw new TypeErrorCtor('Invalid URL'); value = value * 256 + nums[i]; }
  const last = nums[nums.length - 1];
  if (last >= 256 ** (5 - nums.length)) throw new TypeErrorCtor('Invalid URL');
  value = value * 256 ** (5 - nums.length) + last;
  return `${MathFloor(value / 16777216) % 256}.${MathFloor(value / 65536) % 256}.${MathFloor(value / 256) % 256}.${value % 256}`;
}

function parseHost(input, special) {
  if (StringPrototypeStartsWith(input, '[')) {
    if (!StringPrototypeEndsWith(input, ']') || !RegExpPrototypeTest(/^\[[0-9a-fA-F:.]+\]$/, input)) throw new TypeErrorCtor('Invalid URL');
    return StringPrototypeToLowerCase(compressIPv6(StringPrototypeSlice(input, 1, -1)));
  }
  if (!special) {
    if (RegExpPrototypeTest(/[\x00\t\n\r #/<>?@[\\\]^|]/, input)) throw new TypeErrorCtor('Invalid URL');
    return percentEncode(input, '');
  }
  let host;
  try { host = decodeURIComponent(input); } catch { host = input; }
  host = StringPrototypeToLowerCase(host);
  if (host === '' || RegExpPrototypeTest(/[\x00-\x20#%/:<>?@[\\\]^|\x7f]/, host)) throw new TypeErrorCtor('Invalid URL');
  const last = StringPrototypeSplit(host, '.').filter((x, i, a) => i < a.length - 1 || x !== '').pop() || '';
  if (RegExpPrototypeTest(/^(0[xX][0-9a-fA-F]*|[0-9]+)$/, last)) return parseIPv4(host);
  return host;
}

function compressIPv6(addr) {
  // Expand, then print the canonical form (longest zero run as ::).
  let parts = StringPrototypeSplit(addr, '::');
  if (parts.length > 2) throw new TypeErrorCtor('Invalid URL');
  const toWords = (s) => {
    if (s === '') return [];
    const ws = StringPrototypeSplit(s, ':');
    const out = [];
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i];
      if (i === ws.length - 1 && StringPrototypeIncludes(w, '.')) {
        const v4 = parseIPv4(w);
        if (!v4) throw new TypeErrorCtor('Invalid URL');
        const o = StringPrototypeSplit(v4, '.').map(NumberCtor);
        ArrayPrototypePush(out, (o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else {
        if (!RegExpPrototypeTest(/^[0-9a-fA-F]{1,4}$/, w)) throw new TypeErrorCtor('Invalid URL');
        ArrayPrototypePush(out, parseInt(w, 16));
      }
    }
    return out;
  };
  const head = toWords(parts[0]);
  const tail = parts.length === 2 ? toWords(parts[1]) : [];
  if (parts.length === 1 && head.length !== 8) throw new TypeErrorCtor('Invalid URL');
  if (head.length + tail.length > (parts.length === 2 ? 7 : 8)) throw new TypeErrorCtor('Invalid URL');
  const words = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) { out += i === 0 ? '::' : ':'; i += bestLen - 1; continue; }
    out += words[i].toString(16) + (i < 7 ? ':' : '');
  }
  return `[${out}]`;
}

function normalizePath(segments, special) {
  const out = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const lower = StringPrototypeToLowerCase(seg);
    const isLast = i === segments.length - 1;
    if (seg === '..' || lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e') {
      if (out.length) ArrayPrototypePop(out);
      if (isLast) ArrayPrototypePush(out, '');
    } else if (seg === '.' || lower === '%2e') {
      if (isLast) ArrayPrototypePush(out, '');
    } else {
      ArrayPrototypePush(out, percentEncode(seg, PATH_ENCODE));
    }
  }
  return out;
}

// Parses input (against base record) into a record {protocol, username, password, hostname, port,
// path: array | string (opaque), query: string|null, fragment: string|null}.
function parseURL(input, base) {
  input = StringPrototypeReplace(StringPrototypeReplace(`${input}`, /^[\x00-\x20]+|[\x00-\x20]+$/g, ''), /[\t\n\r]/g, '');
  const rec = { protocol: '', username: '', password: '', hostname: null, port: '', path: [], query: null, fragment: null };
  let rest = input;
  const hashAt = StringPrototypeIndexOf(rest, '#');
  if (hashAt >= 0) { rec.fragment = percentEncode(StringPrototypeSlice(rest, hashAt + 1), FRAGMENT_ENCODE); rest = StringPrototypeSlice(rest, 0, hashAt); }
  const m = RegExpPrototypeExec(/^([A-Za-z][A-Za-z0-9+.-]*):/, rest);
  if (m) {
    rec.protocol = StringPrototypeToLowerCase(m[1]) + ':';
    rest = StringPrototypeSlice(rest, m[0].length);
    const special = isSpecial(rec.protocol);
    if (special) rest = StringPrototypeReplace(rest, /\\/g, '/');
    if (special && base && base.protocol === rec.protocol && !StringPrototypeStartsWith(rest, '/')) {
      return resolveRelative(rest, base, rec);
    }
    if (special && rec.protocol !== 'file:') return parseAuthorityAndRest(StringPrototypeReplace(rest, /^\/*/, ''), rec, true);
    if (!special && StringPrototypeStartsWith(rest, '//')) return parseAuthorityAndRest(StringPrototypeSlice(rest, 2), rec, false);
    if (rec.protocol === 'file:') return parseAuthorityAndRest(StringPrototypeReplace(rest, /^\/\//, ''), rec, true);
    // Opaque path (data:, mailto:, ipfs:cid without //) or a path-only URL.
    const q = StringPrototypeIndexOf(rest, '?');
    if (q >= 0) { rec.query = percentEncode(StringPrototypeSlice(rest, q + 1), QUERY_ENCODE); rest = StringPrototypeSlice(rest, 0, q); }
    if (StringPrototypeStartsWith(rest, '/')) rec.path = normalizePath(StringPrototypeSplit(StringPrototypeSlice(rest, 1), '/'), false);
    else rec.path = percentEncode(rest, '');
    return rec;
  }
  if (!base) throw new TypeErrorCtor(`Invalid URL: '${input}'`);
  return resolveRelative(isSpecial(base.protocol) ? StringPrototypeReplace(rest, /\\/g, '/') : rest, base, rec);
}

function resolveRelative(rest, base, rec) {
  rec.protocol = base.protocol;
  if (typeof base.path === 'string') {
    if (rest !== '') throw new TypeErrorCtor('Invalid URL');
    ObjectAssignRecord(rec, base); rec.fragment = rec.fragment; return rec;
  }
  const special = isSpecial(base.protocol);
  if (StringPrototypeStartsWith(rest, '//')) return parseAuthorityAndRest(StringPrototypeSlice(rest, 2), rec, special);
  rec.username = base.username; rec.password = base.password; rec.hostname = base.hostname; rec.port = base.port;
  const q = StringPrototypeIndexOf(rest, '?');
  let pathPart = rest;
  if (q >= 0) { rec.query = percentEncode(StringPrototypeSlice(rest, q + 1), special ? SPECIAL_QUERY_ENCODE : QUERY_ENCODE); pathPart = StringPrototypeSlice(rest, 0, q); }
  if (pathPart === '') {
    rec.path = ArrayPrototypeSlice(base.path);
    if (q < 0) rec.query = base.query;
  } else if (StringPrototypeStartsWith(pathPart, '/')) {
    rec.path = normalizePath(StringPrototypeSplit(StringPrototypeSlice(pathPart, 1), '/'), special);
  } else {
    const dir = ArrayPrototypeSlice(base.path, 0, -1);
    rec.path = normalizePath([...dir, ...StringPrototypeSplit(pathPart, '/')], special);
  }
  return rec;
}

function ObjectAssignRecord(dst, src) {
  dst.username = src.username; dst.password = src.password; dst.hostname = src.hostname; dst.port = src.port;
  dst.path = src.path; dst.query = src.query;
}

function parseAuthorityAndRest(rest, rec, special) {
  let end = rest.length;
  for (const ch of ['/', '?', special ? '\\' : '/']) { const i = StringPrototypeIndexOf(rest, ch); if (i >= 0 && i < end) end = i; }
  let authority = StringPrototypeSlice(rest, 0, end);
  rest = StringPrototypeSlice(rest, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = StringPrototypeSlice(authority, 0, at);
    authority = StringPrototypeSlice(authority, at + 1);
    const colon = StringPrototypeIndexOf(userinfo, ':');
    rec.username = percentEncode(colon >= 0 ? StringPrototypeSlice(userinfo, 0, colon) : userinfo, USERINFO_ENCODE);
    rec.password = colon >= 0 ? percentEncode(StringPrototypeSlice(userinfo, colon + 1), USERINFO_ENCODE) : '';
  }
  const portMatch = RegExpPrototypeExec(/:([0-9]*)$/, authority);
  let host = authority;
  if (portMatch && !(StringPrototypeStartsWith(authority, '[') && !StringPrototypeIncludes(StringPrototypeSlice(authority, authority.lastIndexOf(']')), ':'))) {
    host = StringPrototypeSlice(authority, 0, authority.length - portMatch[0].length);
    if (portMatch[1] !== '') {
      const port = parseInt(portMatch[1], 10);
      if (port > 65535) throw new TypeErrorCtor(`Invalid URL`);
      rec.port = SPECIAL_PORTS[rec.protocol] === `${port}` ? '' : `${port}`;
    }
  } else if (StringPrototypeIncludes(StringPrototypeReplace(authority, /^\[.*\]/, ''), ':')) {
    throw new TypeErrorCtor('Invalid URL');
  }
  if (host === '' && special && rec.protocol !== 'file:') throw new TypeErrorCtor('Invalid URL');
  rec.hostname = host === '' ? '' : parseHost(host, special);
  if (rec.protocol === 'file:' && rec.hostname === 'localhost') rec.hostname = '';
  const q = StringPrototypeIndexOf(rest, '?');
  let pathPart = rest;
  if (q >= 0) { rec.query = percentEncode(StringPrototypeSlice(rest, q + 1), special ? SPECIAL_QUERY_ENCODE : QUERY_ENCODE); pathPart = StringPrototypeSlice(rest, 0, q); }
  if (special) pathPart = StringPrototypeReplace(pathPart, /\\/g, '/');
  rec.path = pathPart === '' ? (special ? [''] : []) : normalizePath(StringPrototypeSplit(StringPrototypeSlice(pathPart, 1), '/'), special);
  return rec;
}

function serializePath(rec) {
  if (typeof rec.path === 'string') return rec.path;
  if (rec.hostname === null && rec.path.length > 1 && rec.path[0] === '') return '/.' + '/' + ArrayPrototypeJoin(rec.path, '/');
  return rec.path.length === 0 ? '' : '/' + ArrayPrototypeJoin(rec.path, '/');
}

function serializeURL(rec, excludeFragment) {
  let out = rec.protocol;
  if (rec.hostname !== null) {
    out += '//';
    if (rec.username !== '' || rec.password !== '') out += rec.username + (rec.password !== '' ? ':' + rec.password : '') + '@';
    out += rec.hostname;
    if (rec.port !== '') out += ':' + rec.port;
  }
  out += serializePath(rec);
  if (rec.query !== null) out += '?' + rec.query;
  if (!excludeFragment && rec.fragment !== null) out += '#' + rec.fragment;
  return out;
}

const urlRecords = new WeakMapCtor();
const urlSearchParamsOf = new WeakMapCtor();
function recordOf(url) {
  const r = WeakMapPrototypeGet(urlRecords, url);
  if (!r) throw new TypeErrorCtor('Illegal invocation');
  return r;
}

class URL {
  constructor(url, base = undefined) {
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'URL': 1 argument required, but only 0 present.");
    let baseRecord = null;
    if (base !== undefined) {
      try { baseRecord = parseURL(`${base}`, null); } catch { throw new TypeErrorCtor(`Invalid base URL: '${base}'`); }
    }
    let rec;
    try { rec = parseURL(`${url}`, baseRecord); } catch { throw new TypeErrorCtor(`Invalid URL: '${url}'${base !== undefined ? ` with base '${base}'` : ''}`); }
    WeakMapPrototypeSet(urlRecords, this, rec);
  }
  static parse(url, base) { try { return new URL(url, base); } catch { return null; } }
  static canParse(url, base) { try { new URL(url, base); return true; } catch { return false; } }
  get href() { return serializeURL(recordOf(this)); }
  set href(v) { const rec = parseURL(`${v}`, null); WeakMapPrototypeSet(urlRecords, this, rec); syncParams(this); }
  get origin() {
    const r = recordOf(this);
    if (r.protocol === 'blob:') { try { return new URL(serializePath(r)).origin; } catch { return 'null'; } }
    if (!isSpecial(r.protocol) || r.protocol === 'file:') return 'null';
    return `${r.protocol}//${r.hostname}${r.port !== '' ? ':' + r.port : ''}`;
  }
  get protocol() { return recordOf(this).protocol; }
  set protocol(v) {
    const r = recordOf(this);
    const p = StringPrototypeToLowerCase(StringPrototypeReplace(`${v}`, /:.*$/, '')) + ':';
    if (!RegExpPrototypeTest(/^[a-z][a-z0-9+.-]*:$/, p) || isSpecial(p) !== isSpecial(r.protocol)) return;
    r.protocol = p;
    if (SPECIAL_PORTS[p] === r.port) r.port = '';
  }
  get username() { return recordOf(this).username; }
  set username(v) { const r = recordOf(this); if (r.hostname) r.username = percentEncode(`${v}`, USERINFO_ENCODE); }
  get password() { return recordOf(this).password; }
  set password(v) { const r = recordOf(this); if (r.hostname) r.password = percentEncode(`${v}`, USERINFO_ENCODE); }
  get host() { const r = recordOf(this); return r.hostname === null ? '' : r.hostname + (r.port !== '' ? ':' + r.port : ''); }
  set host(v) {
    const r = recordOf(this);
    if (typeof r.path === 'string') return;
    try { const t = parseAuthorityAndRest(`${v}`, { ...r, path: [], query: null }, isSpecial(r.protocol)); r.hostname = t.hostname; r.port = t.port; } catch { /* ignore */ }
  }
  get hostname() { const r = recordOf(this); return r.hostname === null ? '' : r.hostname; }
  set hostname(v) { const r = recordOf(this); if (typeof r.path === 'string') return; try { r.hostname = parseHost(`${v}`, isSpecial(r.protocol)); } catch { /* ignore */ } }
  get port() { return recordOf(this).port; }
  set port(v) {
    const r = recordOf(this);
    const s = `${v}`;
    if (s === '') { r.port = ''; return; }
    const m = RegExpPrototypeExec(/^[0-9]+/, s);
    if (!m || +m[0] > 65535) return;
    r.port = SPECIAL_PORTS[r.protocol] === `${+m[0]}` ? '' : `${+m[0]}`;
  }
  get pathname() { return serializePath(recordOf(this)); }
  set pathname(v) {
    const r = recordOf(this);
    if (typeof r.path === 'string') return;
    let s = `${v}`;
    if (isSpecial(r.protocol)) s = StringPrototypeReplace(s, /\\/g, '/');
    if (StringPrototypeStartsWith(s, '/')) s = StringPrototypeSlice(s, 1);
    r.path = normalizePath(StringPrototypeSplit(s, '/'), isSpecial(r.protocol));
  }
  get search() { const q = recordOf(this).query; return q === null || q === '' ? '' : '?' + q; }
  set search(v) {
    const r = recordOf(this);
    let s = `${v}`;
    if (StringPrototypeStartsWith(s, '?')) s = StringPrototypeSlice(s, 1);
    r.query = s === '' ? null : percentEncode(s, isSpecial(r.protocol) ? SPECIAL_QUERY_ENCODE : QUERY_ENCODE);
    syncParams(this);
  }
  get searchParams() {
    let p = WeakMapPrototypeGet(urlSearchParamsOf, this);
    if (!p) {
      p = new URLSearchParams(this.search);
      p[urlOwner] = this;
      WeakMapPrototypeSet(urlSearchParamsOf, this, p);
    }
    return p;
  }
  get hash() { const f = recordOf(this).fragment; return f === null || f === '' ? '' : '#' + f; }
  set hash(v) {
    let s = `${v}`;
    if (StringPrototypeStartsWith(s, '#')) s = StringPrototypeSlice(s, 1);
    recordOf(this).fragment = s === '' ? null : percentEncode(s, FRAGMENT_ENCODE);
  }
  toString() { return this.href; }
  toJSON() { return this.href; }
  [customInspect]() {
    const keys = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'hash', 'search'];
    const o = {};
    for (const k of keys) o[k] = this[k];
    return `URL ${inspect(o)}`;
  }
}
tagClass(URL, 'URL');

const urlOwner = SymbolCtor('url owner');
function syncParams(url) {
  const p = WeakMapPrototypeGet(urlSearchParamsOf, url);
  if (p) p[paramsList] = parseQuery(url.search);
}

const paramsList = SymbolCtor('params list');
function formDecode(s) {
  s = StringPrototypeReplace(s, /\+/g, ' ');
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%' && RegExpPrototypeTest(/^[0-9a-fA-F]{2}$/, StringPrototypeSlice(s, i + 1, i + 3))) {
      ArrayPrototypePush(bytes, parseInt(StringPrototypeSlice(s, i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of utf8Encode(c)) ArrayPrototypePush(bytes, b);
    }
  }
  return utf8Decode(new Uint8ArrayCtor(bytes), false, false)[0];
}
function formEncode(s) {
  const bytes = utf8Encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const ch = StringFromCharCode(b);
    if (b === 0x20) out += '+';
    else if (RegExpPrototypeTest(/[A-Za-z0-9*\-._]/, ch)) out += ch;
    else out += '%' + StringPrototypeToUpperCase(StringPrototypePadStart(b.toString(16), 2, '0'));
  }
  return out;
}
function parseQuery(s) {
  if (StringPrototypeStartsWith(s, '?')) s = StringPrototypeSlice(s, 1);
  const list = [];
  for (const part of StringPrototypeSplit(s, '&')) {
    if (part === '') continue;
    const eq = StringPrototypeIndexOf(part, '=');
    ArrayPrototypePush(list, eq >= 0 ? [formDecode(StringPrototypeSlice(part, 0, eq)), formDecode(StringPrototypeSlice(part, eq + 1))] : [formDecode(part), '']);
  }
  return list;
}

class URLSearchParams {
  constructor(init = undefined) {
    this[paramsList] = [];
    this[urlOwner] = null;
    if (init === undefined || init === null) return;
    if (typeof init === 'object' || typeof init === 'function') {
      if (typeof init[SymbolIterator] === 'function') {
        for (const pair of init) {
          const p = [...pair];
          if (p.length !== 2) throw new TypeErrorCtor("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple");
          ArrayPrototypePush(this[paramsList], [`${p[0]}`, `${p[1]}`]);
        }
      } else {
        for (const k of ObjectKeys(init)) ArrayPrototypePush(this[paramsList], [k, `${init[k]}`]);
      }
    } else {
      this[paramsList] = parseQuery(`${init}`);
    }
  }
  #update() {
    const url = this[urlOwner];
    if (url) {
      const s = this.toString();
      recordOf(url).query = s === '' ? null : s;
    }
  }
  get size() { return this[paramsList].length; }
  append(name, value) { ArrayPrototypePush(this[paramsList], [`${name}`, `${value}`]); this.#update(); }
  delete(name, value = undefined) {
    name = `${name}`;
    this[paramsList] = this[paramsList].filter(([k, v]) => !(k === name && (value === undefined || v === `${value}`)));
    this.#update();
  }
  get(name) { name = `${name}`; for (const [k, v] of this[paramsList]) if (k === name) return v; return null; }
  getAll(name) { name = `${name}`; return this[paramsList].filter(([k]) => k === name).map(([, v]) => v); }
  has(name, value = undefined) { name = `${name}`; return this[paramsList].some(([k, v]) => k === name && (value === undefined || v === `${value}`)); }
  set(name, value) {
    name = `${name}`; value = `${value}`;
    const list = this[paramsList];
    const i = list.findIndex(([k]) => k === name);
    if (i < 0) ArrayPrototypePush(list, [name, value]);
    else { list[i] = [name, value]; this[paramsList] = list.filter(([k], j) => j <= i || k !== name); }
    this.#update();
  }
  sort() {
    const list = this[paramsList];
    const sorted = list.map((e, i) => [e, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1]));
    this[paramsList] = sorted.map(([e]) => e);
    this.#update();
  }
  forEach(callback, thisArg = undefined) { for (const [k, v] of this[paramsList]) ReflectApply(callback, thisArg, [v, k, this]); }
  keys() { return this[paramsList].map(([k]) => k)[SymbolIterator](); }
  values() { return this[paramsList].map(([, v]) => v)[SymbolIterator](); }
  entries() { return this[paramsList].map(([k, v]) => [k, v])[SymbolIterator](); }
  [SymbolIterator]() { return this.entries(); }
  toString() { return ArrayPrototypeJoin(this[paramsList].map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`), '&'); }
  [customInspect]() { return `URLSearchParams ${inspect(ObjectFreeze(this[paramsList].map(([k, v]) => [k, v])))}`; }
}
tagClass(URLSearchParams, 'URLSearchParams');
