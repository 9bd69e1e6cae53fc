// fetch.js: fetches each URL given as an argument and prints its status and body size, reading
// the body as a stream. Every request is bounded by a 10 s timeout.
//
//   station run --allow-net http://127.0.0.1:8080 examples/js/fetch.js http://127.0.0.1:8080/
//
// Without --allow-net every request is refused with a TypeError, as a network error is in Zinnia.
for (const url of Station.args) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
    let bytes = 0
    for await (const chunk of res.body) bytes += chunk.length
    console.log(`${url} ${res.status} ${bytes}`)
  } catch (err) {
    console.log(`${url} ${err.name}: ${err.message}`)
  }
}
