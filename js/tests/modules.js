// ES modules: JSON imports, dynamic import(), top-level await, import.meta, confinement to the root.
// stdout: helper:fixture file:///lib/helper.js
// stdout: json 3
// stdout: meta file:///modules.js /modules.js true
// stdout: TypeError Cannot import files outside of the module root directory.
// stdout: TypeError Unsupported scheme: https. Zinnia can import local modules only.
// stdout: TypeError Relative import path "lodash" not prefixed with / or ./ or ../
// stdout: TypeError Module not found "file:///lib/nope.js".
// stdout: done
import { helper, meta } from './lib/helper.js';
console.log(helper, meta);
const json = await import('./lib/data.json', { with: { type: 'json' } });
console.log('json', json.default.values.length);
console.log('meta', import.meta.url, import.meta.filename, import.meta.main);
for (const spec of ['../../etc/passwd', 'https://example.com/x.js', 'lodash', './lib/nope.js']) {
  try { await import(spec); console.log('imported?!', spec); } catch (e) { console.log(e.name, e.message); }
}
await new Promise((r) => setTimeout(r, 1));
console.log('done');
