// Web APIs from the spec: URL, URLSearchParams, TextEncoder/Decoder, atob/btoa, crypto, structuredClone, performance, AbortController, self.
// stdout: https://example.com/b/c?x=1%202#h example.com https: 1 2
// stdout: http://[::1]:8080/ [::1]:8080 80?
// stdout: a=1&b=x+y&a=3 3 1,3
// stdout: utf8 héllo €𝄞 14 �
// stdout: b64 aGVsbG8= hello
// stdout: sha1 a9993e364706816aba3e25717850c26c9cd0d89d
// stdout: sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
// stdout: sha384 cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7
// stdout: sha512 ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f
// stdout: uuid true 16
// stdout: clone true true Map(1) { 1 => { a: 2 } }
// stdout: perf number true
// stdout: abort true AbortError TimeoutError
// stdout: self true
const u = new URL('../b/c?x=1 2#h', 'https://example.COM:443/a/d');
console.log(u.href, u.host, u.protocol, u.searchParams.get('x'));
const v6 = new URL('http://[0:0::1]:8080');
console.log(v6.href, v6.host, `${new URL('http://h:80').port}80?`);
const p = new URLSearchParams('a=1&b=x%20y');
p.append('a', 3);
console.log(p.toString(), p.size, p.getAll('a').join(','));
const bytes = new TextEncoder().encode('héllo €𝄞');
console.log('utf8', new TextDecoder().decode(bytes), bytes.length, new TextDecoder().decode(new Uint8Array([0xff])));
console.log('b64', btoa('hello'), atob('aGVsbG8='));
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const abc = new TextEncoder().encode('abc');
for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
  console.log(alg.replace('-', '').toLowerCase(), hex(await crypto.subtle.digest(alg, abc)));
}
const id = crypto.randomUUID();
console.log('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), crypto.getRandomValues(new Uint8Array(16)).length);
const orig = { d: new Date(5), m: new Map([[1, { a: 2 }]]) };
orig.self = orig;
const c = structuredClone(orig);
console.log('clone', c.self === c, c.d.getTime() === 5, c.m);
console.log('perf', typeof performance.now(), performance.timeOrigin > 0);
const ac = new AbortController();
ac.abort();
const t = AbortSignal.timeout(1);
setTimeout(() => {}, 30); // AbortSignal.timeout does not keep the module alive (as in Deno)
await new Promise((r) => t.addEventListener('abort', r));
console.log('abort', ac.signal.aborted, ac.signal.reason.name, t.reason.name);
console.log('self', self === globalThis);
