// benchmarks/js/server.mjs: a loopback HTTP/1.1 server for the fetch benchmark (node). GET /1k
// answers 1,024 bytes with keep-alive. Prints "listening on http://127.0.0.1:PORT/" once ready.
import http from 'node:http'
const body = Buffer.alloc(1024, 'x')
const server = http.createServer((req, res) => {
  if (req.url === '/1k') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
    res.end(body)
  } else {
    res.writeHead(404, { 'content-length': 0 })
    res.end()
  }
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}/`))
