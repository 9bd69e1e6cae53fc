// kv-counter.js: a counter that survives restarts, kept in the module's key-value store.
//
//   station run --kv /tmp/counter.sqlite examples/js/kv-counter.js
//
// Each run adds one and prints the new value. In the daemon, grant [grants] kv = true.
const count = Number(await Station.kv.getText('count') ?? 0) + 1
await Station.kv.put('count', String(count))
console.log(count)
Zinnia.activity.info(`run number ${count}`)
Zinnia.jobCompleted()
