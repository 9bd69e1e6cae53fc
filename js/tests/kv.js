// Station.kv over the station key-value ABI.
// flags: --kv $TMP/kv.sqlite
// stdout: get hello null
// stdout: json 2
// stdout: keys a/1,a/2
// stdout: deleted true false
await Station.kv.put('a/1', 'hello');
await Station.kv.putJSON('a/2', { n: 2 });
await Station.kv.put('b/1', new Uint8Array([1, 2]));
console.log('get', await Station.kv.getText('a/1'), await Station.kv.get('nope'));
console.log('json', (await Station.kv.getJSON('a/2')).n);
const keys = [];
for await (const k of Station.kv.list({ prefix: 'a/' })) keys.push(k);
console.log('keys', keys.join(','));
console.log('deleted', await Station.kv.delete('a/1'), await Station.kv.delete('a/1'));
