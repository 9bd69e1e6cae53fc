// benchmarks/js/fetch.js URL COUNT IN_FLIGHT: COUNT GETs of URL with IN_FLIGHT at a time, each body
// read whole; prints "requests=N errors=E bytes=B seconds=S" (S timed inside, after start-up).
// Runs unchanged on station (fetch through the station ABI) and on node (undici's fetch).
const args = globalThis.Station ? Station.args : process.argv.slice(2)
const [url, countText = '1000', inFlightText = '32'] = args
const count = Number(countText)
const inFlight = Number(inFlightText)
let next = 0
let errors = 0
let bytes = 0
async function worker () {
  while (next < count) {
    next++
    try {
      const res = await fetch(url)
      const body = await res.arrayBuffer()
      if (res.status !== 200) errors++
      bytes += body.byteLength
    } catch (err) {
      errors++
      if (errors === 1) console.error(String(err))
    }
  }
}
const start = performance.now()
await Promise.all(Array.from({ length: inFlight }, worker))
const seconds = (performance.now() - start) / 1000
console.log(`requests=${count} errors=${errors} bytes=${bytes} seconds=${seconds.toFixed(4)}`)
