// fetch over the station HTTP ABI against the loopback test server.
// flags: --allow-net http://127.0.0.1:$PORT --allow-net http://127.0.0.1:1
// args: $PORT
// stdout: json 200 true application/json world a, b
// stdout: post 201 ping text/plain;charset=UTF-8
// stdout: streamed 262144 true
// stdout: followed 200 world
// stdout: redirected true true
// stdout: manual 302 /json false true
// stdout: redirect-error TypeError
// stdout: headers true
// stdout: 404 false not found
// stdout: refused TypeError true
// stdout: denied TypeError true
// stdout: file TypeError NetworkError when attempting to fetch resource.
// stdout: aborted AbortError
// stdout: timeout TimeoutError
// stdout: Response json {"x":1} application/json
const base = `http://127.0.0.1:${Station.args[0]}`;
const r = await fetch(`${base}/json`);
console.log('json', r.status, r.ok, r.headers.get('content-type'), (await r.json()).hello, r.headers.get('x-multi'));
const p = await fetch(`${base}/echo`, { method: 'POST', body: 'ping' });
console.log('post', p.status, await p.text(), p.headers.get('content-type'));
const big = await fetch(`${base}/big`);
let n = 0; let ok = true;
for await (const chunk of big.body) { for (let i = 0; i < chunk.length; i++) if (chunk[i] !== ((n + i) & 255)) ok = false; n += chunk.length; }
console.log('streamed', n, ok);
const rr = await fetch(`${base}/redirect`);
console.log('followed', rr.status, (await rr.json()).hello);
console.log('redirected', rr.redirected, rr.url === `${base}/json`);
const manual = await fetch(`${base}/redirect`, { redirect: 'manual' });
console.log('manual', manual.status, manual.headers.get('location'), manual.redirected, manual.url === `${base}/redirect`);
await fetch(`${base}/redirect`, { redirect: 'error' }).then(() => console.log('redirect-error none'), (e) => console.log('redirect-error', e.name));
const h = await (await fetch(`${base}/headers`, { headers: { 'X-Test': 'yes' } })).text();
console.log('headers', h.includes('x-test=yes'));
const nf = await fetch(`${base}/missing`);
console.log(nf.status, nf.ok, await nf.text());
try { await fetch('http://127.0.0.1:1/'); } catch (e) { console.log('refused', e.name, e.message.includes('tcp connect error')); }
try { await fetch('http://10.1.2.3/'); } catch (e) { console.log('denied', e.name, e.message.includes('denied')); }
try { await fetch('file:///etc/passwd'); } catch (e) { console.log('file', e.name, e.message); }
const ac = new AbortController();
const pending = fetch(`${base}/slow`, { signal: ac.signal });
setTimeout(() => ac.abort(), 50);
try { await pending; } catch (e) { console.log('aborted', e.name); }
try { await fetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }); } catch (e) { console.log('timeout', e.name); }
const made = Response.json({ x: 1 });
console.log('Response json', await made.text(), made.headers.get('content-type'));
