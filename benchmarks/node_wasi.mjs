// Runs a WASI preview 1 command under node's built-in WASI, for side-by-side benchmarks.
//   node --no-warnings benchmarks/node_wasi.mjs MODULE.wasm ARGS...
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import { argv, env, exit } from "node:process";

const [path, ...args] = argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [path, ...args], env, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
