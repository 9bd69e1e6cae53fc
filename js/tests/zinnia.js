// The Zinnia global: identity from the environment, versions, activity/jobs, requestProtocol argument checks.
// flags: --env STATION_ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567 --env FIL_WALLET_ADDRESS=f410fabc
// stdout: wallet f410fabc
// stdout: station 88
// stdout: versions string string true
// stdout: readonly f410fabc null
// stdout: TypeError remoteAddress must be string (found: number)
// stdout: TypeError protocolName must be string (found: undefined)
// stdout: TypeError requestPayload must be Uint8Array (found: String)
// stdout: Error remote address must contain a valid peer ID
// stderr: hello from js
console.log('wallet', Zinnia.walletAddress);
console.log('station', Zinnia.stationId.length);
console.log('versions', typeof Zinnia.versions.zinnia, typeof Zinnia.versions.quickjs, Object.isFrozen(Zinnia.versions));
try { Zinnia.walletAddress = 'x'; } catch { /* strict mode module: TypeError */ }
console.log('readonly', Zinnia.walletAddress, Object.getPrototypeOf(Zinnia));
Zinnia.activity.info('hello from js');
Zinnia.jobCompleted();
const cases = [[1, 'p', new Uint8Array()], ['/ip4/1.2.3.4/tcp/1/p2p/12D3Koo', undefined, new Uint8Array()], ['/ip4/1.2.3.4/tcp/1/p2p/12D3Koo', '/p', 'str'], ['/ip4/1.2.3.4/tcp/1', '/p', new Uint8Array()]];
for (const args of cases) {
  try { await Zinnia.requestProtocol(...args); } catch (e) { console.log(e.name, e.message); }
}
