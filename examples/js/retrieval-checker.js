// retrieval-checker.js: a retrieval checker in the pattern of Spark, the Station module that
// checked whether storage providers serve the content they store.
//
// Each round it fetches a task from a local HTTP API, retrieves the task's CID as a CAR (through
// the station's IPFS layer with ipfs://, or from the trustless gateway the task names), verifies
// that the CAR holds the root block and that the block hashes to the CID, POSTs a measurement
// back to the API and counts a job.
//
//   station run --allow-net http://127.0.0.1:8000 --allow-ipfs \
//       examples/js/retrieval-checker.js http://127.0.0.1:8000 [ROUNDS]
//
// The API: GET /task answers {"cid": "bafy...", "gateway": "http://127.0.0.1:8080"} ("gateway"
// optional: without it the content is retrieved with ipfs://); POST /measurements takes the JSON
// measurement. Without ROUNDS the checker runs until stopped, one task every 10 seconds.
const [api = 'http://127.0.0.1:8000', rounds = 'forever'] = Station.args
const ROUND_DELAY_MS = 10_000
const MAX_CAR_BYTES = 200 * 1024 * 1024

async function checkOne () {
  const task = await (await fetch(`${api}/task`, { signal: AbortSignal.timeout(10_000) })).json()
  const measurement = {
    cid: task.cid,
    protocol: task.gateway ? 'http' : 'ipfs',
    stationId: Zinnia.stationId,
    participantAddress: Zinnia.walletAddress,
    zinniaVersion: Zinnia.versions.zinnia,
    startAt: new Date().toISOString(),
    statusCode: null,
    byteLength: 0,
    carValid: false,
    error: null
  }
  const started = performance.now()
  try {
    const url = task.gateway
      ? `${task.gateway}/ipfs/${task.cid}?dag-scope=block`
      : `ipfs://${task.cid}?dag-scope=block`
    const res = await fetch(url, {
      headers: { accept: 'application/vnd.ipld.car' },
      signal: AbortSignal.timeout(60_000)
    })
    measurement.statusCode = res.status
    const chunks = []
    for await (const chunk of res.body) {
      measurement.byteLength += chunk.length
      if (measurement.byteLength > MAX_CAR_BYTES) throw new Error('the CAR is larger than 200 MiB')
      chunks.push(chunk)
    }
    if (res.ok) measurement.carValid = await carHoldsVerifiedRoot(concat(chunks), task.cid)
  } catch (err) {
    // Network errors are TypeErrors, timeouts DOMExceptions named TimeoutError or AbortError.
    measurement.error = `${err.name}: ${err.message}`
  }
  measurement.duration = Math.round(performance.now() - started)

  const res = await fetch(`${api}/measurements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(measurement),
    signal: AbortSignal.timeout(10_000)
  })
  if (!res.ok) throw new Error(`the API refused the measurement: ${res.status} ${await res.text()}`)
  console.log('%s %s status=%d bytes=%d valid=%s', measurement.protocol, task.cid,
    measurement.statusCode ?? 0, measurement.byteLength, measurement.carValid)
  Zinnia.jobCompleted()
}

// ---- CAR verification (CARv1, sha2-256 CIDs) ------------------------------------------------

/** True when `car` has a block whose CID is `cidText` and whose bytes hash to that CID. */
async function carHoldsVerifiedRoot (car, cidText) {
  const root = decodeCid(cidText)
  let [headerLength, offset] = readVarint(car, 0)
  offset += headerLength
  while (offset < car.length) {
    const [sectionLength, start] = readVarint(car, offset)
    const end = start + sectionLength
    if (end > car.length) throw new Error('the CAR is truncated')
    const cidEnd = start + cidLength(car, start)
    if (equal(car.subarray(start, cidEnd), root.bytes)) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', car.subarray(cidEnd, end)))
      return equal(digest, root.digest)
    }
    offset = end
  }
  return false
}

/** The byte length of the binary CID at `offset`. */
function cidLength (bytes, offset) {
  if (bytes[offset] === 0x12 && bytes[offset + 1] === 0x20) return 34 // CIDv0: a bare multihash
  let p = offset
  for (let field = 0; field < 3; field++) p = readVarint(bytes, p)[1] // version, codec, hash code
  const [digestLength, digestStart] = readVarint(bytes, p)
  return digestStart + digestLength - offset
}

/** A CID string (CIDv0 "Qm..." or base32 CIDv1 "b...") as its binary form and sha2-256 digest. */
function decodeCid (text) {
  let bytes
  if (text.startsWith('Qm')) {
    bytes = base58(text)
  } else if (text.startsWith('b')) {
    bytes = base32(text.slice(1))
  } else {
    throw new Error(`unsupported CID encoding: ${text}`)
  }
  let p = 0
  if (!(bytes[0] === 0x12 && bytes[1] === 0x20)) {
    const [version, next] = readVarint(bytes, 0)
    if (version !== 1) throw new Error(`unsupported CID version ${version}`)
    p = readVarint(bytes, next)[1] // codec
  }
  const [hashCode, lengthAt] = readVarint(bytes, p)
  const [digestLength, digestAt] = readVarint(bytes, lengthAt)
  if (hashCode !== 0x12 || digestLength !== 32) throw new Error('only sha2-256 CIDs are checked')
  return { bytes, digest: bytes.subarray(digestAt, digestAt + 32) }
}

function readVarint (bytes, offset) {
  let value = 0
  let shift = 0
  for (let p = offset; p < bytes.length && shift < 49; p++) {
    value += (bytes[p] & 0x7f) * 2 ** shift
    if ((bytes[p] & 0x80) === 0) return [value, p + 1]
    shift += 7
  }
  throw new Error('malformed varint in the CAR')
}

function base32 (text) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  const out = []
  let bits = 0
  let value = 0
  for (const char of text) {
    const digit = alphabet.indexOf(char)
    if (digit < 0) throw new Error(`not base32: ${char}`)
    value = (value << 5) | digit
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((value >> bits) & 0xff)
    }
  }
  return new Uint8Array(out)
}

function base58 (text) {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  let number = 0n
  for (const char of text) {
    const digit = alphabet.indexOf(char)
    if (digit < 0) throw new Error(`not base58: ${char}`)
    number = number * 58n + BigInt(digit)
  }
  const out = []
  while (number > 0n) {
    out.unshift(Number(number & 0xffn))
    number >>= 8n
  }
  for (const char of text) {
    if (char !== '1') break
    out.unshift(0)
  }
  return new Uint8Array(out)
}

function concat (chunks) {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

function equal (a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

// ---- The loop ---------------------------------------------------------------------------------

const total = rounds === 'forever' ? Infinity : Number(rounds)
for (let round = 1; round <= total; round++) {
  try {
    await checkOne()
  } catch (err) {
    console.error(err)
    Zinnia.activity.error(`Retrieval checker failed a round: ${err.message}`)
  }
  if (round < total) await new Promise((resolve) => setTimeout(resolve, ROUND_DELAY_MS))
}
