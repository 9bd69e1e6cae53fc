// A rejection handled later in the same turn is not reported.
// stdout: handled bad
const p = Promise.reject(new Error('bad'));
await null;
p.catch((e) => console.log('handled', e.message));
