// p2p-echo.js: answers every stream of the protocol /station/echo/1.0.0 with the bytes it
// received, on the station's shared libp2p node. Runs until stopped.
//
//   station run --allow-p2p /station/echo/1.0.0 examples/js/p2p-echo.js
//
// Another module (or `station p2p request`) can then call it, e.g. from JavaScript:
//   const reply = await Zinnia.requestProtocol(addr, '/station/echo/1.0.0', new TextEncoder().encode('hi'))
const protocol = '/station/echo/1.0.0'

// The handler runs once per incoming stream; the stream is closed when it settles.
Station.p2p.handle(protocol, async (stream) => {
  let bytes = 0
  for await (const chunk of stream) {
    bytes += chunk.length
    await stream.write(chunk)
  }
  await stream.closeWrite()
  Zinnia.activity.info(`echoed ${bytes} bytes to ${stream.remotePeer}`)
  Zinnia.jobCompleted()
})

console.log(`echoing ${protocol} as peer ${Zinnia.peerId}`)
