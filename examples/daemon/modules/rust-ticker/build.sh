#!/usr/bin/env bash
# Builds rust-ticker.wasm next to this script (the manifest's wasm). Debian's tools by absolute
# path: rustup's cargo, often first on PATH, has no wasm32-wasi target. Offline: no crates needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_WASM32_WASI_LINKER=/usr/lib/llvm-14/bin/wasm-ld \
  /usr/bin/cargo build --quiet --release --offline --target wasm32-wasi
cp target/wasm32-wasi/release/rust-ticker.wasm rust-ticker.wasm
echo "$here/rust-ticker.wasm"
