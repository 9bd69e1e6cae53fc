// fetch('ipfs://CID?dag-scope=…') over ipfs_get: only the blocks the scope selects, as a trustless
// gateway answers (Spark's retrieval URL gets the root block alone).
// flags: --allow-ipfs --repo $TMP/ipfs
// stdout: whole 6 blocks
// stdout: block 200 application/vnd.ipld.car; version=1 1 blocks
// stdout: spark 1 blocks
// stdout: range 2 blocks
// stdout: bad TypeError
// stdout: done

// The number of blocks of a CARv1: a varint-framed header, then varint-framed
// sections (CID + block); only the framing is read here.
function carBlocks(bytes) {
  let at = 0;
  const varint = () => {
    let value = 0, shift = 0;
    for (;;) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      shift += 7;
    }
  };
  const headerLength = varint();
  at += headerLength;
  let count = 0;
  while (at < bytes.length) {
    const length = varint();
    at += length;
    count++;
  }
  if (at !== bytes.length) throw new Error(`CAR framing ends at ${at} of ${bytes.length}`);
  return count;
}

// Five 256 KiB leaves and a root (the importer's CIDv1 raw-leaf layout).
const data = new Uint8Array(5 * 262144 - 1000);
for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 9) + 7 * Math.floor(i / 262144)) & 0xff; // no two leaves alike
const cid = await Station.ipfs.put(data);

const whole = new Uint8Array(await (await fetch(`ipfs://${cid}`)).arrayBuffer());
console.log('whole', carBlocks(whole), 'blocks');

const response = await fetch(`ipfs://${cid}?dag-scope=block`);
const car = new Uint8Array(await response.arrayBuffer());
console.log('block', response.status, response.headers.get('content-type'), carBlocks(car), 'blocks');

// Spark's retrieval URL: the other parameters are ignored.
const spark = await fetch(`ipfs://${cid}?dag-scope=block&protocols=bitswap&providers=${encodeURIComponent('/ip4/127.0.0.1/tcp/1/p2p/12D3KooWAbc')}`);
console.log('spark', carBlocks(new Uint8Array(await spark.arrayBuffer())), 'blocks');

const range = await fetch(`ipfs://${cid}?dag-scope=entity&entity-bytes=0:99`);
console.log('range', carBlocks(new Uint8Array(await range.arrayBuffer())), 'blocks');

try {
  await fetch(`ipfs://${cid}?dag-scope=everything`);
  console.log('bad accepted');
} catch (err) {
  console.log('bad', err.constructor.name, err.message);
}
console.log('done');
