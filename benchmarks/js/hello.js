// benchmarks/js/hello.js: the start-up benchmark's smallest module, runnable on station and node.
const args = globalThis.Station ? Station.args : process.argv.slice(2)
console.log(`Hello, ${args[0] ?? 'world'}!`)
