//! The raw `station` imports, exactly as docs/abi.md declares them.
//!
//! Everything here is `unsafe` and speaks in raw codes; the rest of the crate wraps it. On a target
//! other than wasm32 (native `cargo test`) every import is replaced by a stub that fails with
//! `unsupported`, so the pure parts of the crate can be tested on the host.

#![allow(missing_docs)]

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "station")]
extern "C" {
    pub fn abi_version() -> i32;
    pub fn last_error(buf: *mut u8, len: usize) -> i32;
    pub fn close(handle: i32) -> i32;
    pub fn poll(handles: *const i32, count: usize, ready: *mut i32, timeout_ms: i64) -> i32;
    pub fn read(handle: i32, buf: *mut u8, len: usize) -> i32;
    pub fn write(handle: i32, buf: *const u8, len: usize) -> i32;
    pub fn close_write(handle: i32) -> i32;

    pub fn http_request(
        method: *const u8,
        method_len: usize,
        url: *const u8,
        url_len: usize,
        headers: *const u8,
        headers_len: usize,
        body: *const u8,
        body_len: usize,
        timeout_ms: i64,
    ) -> i32;
    pub fn http_status(handle: i32) -> i32;
    pub fn http_headers(handle: i32, buf: *mut u8, len: usize) -> i32;
    pub fn http_request_options(
        method: *const u8,
        method_len: usize,
        url: *const u8,
        url_len: usize,
        headers: *const u8,
        headers_len: usize,
        body: *const u8,
        body_len: usize,
        timeout_ms: i64,
        options: u32,
    ) -> i32;
    pub fn http_url(handle: i32, buf: *mut u8, len: usize) -> i32;

    pub fn p2p_peer_id(buf: *mut u8, len: usize) -> i32;
    pub fn p2p_dial(addr: *const u8, addr_len: usize, protocol: *const u8, protocol_len: usize, timeout_ms: i64) -> i32;
    pub fn p2p_listen(protocol: *const u8, protocol_len: usize) -> i32;
    pub fn p2p_accept(listener: i32) -> i32;
    pub fn p2p_remote_peer(stream: i32, buf: *mut u8, len: usize) -> i32;

    pub fn ipfs_get(path: *const u8, path_len: usize, format: i32, timeout_ms: i64) -> i32;
    pub fn ipfs_put(data: *const u8, len: usize, cid_buf: *mut u8, cid_len: usize) -> i32;
    pub fn ipfs_pin(cid: *const u8, cid_len: usize) -> i32;
    pub fn ipfs_unpin(cid: *const u8, cid_len: usize) -> i32;

    pub fn activity(level: i32, msg: *const u8, msg_len: usize) -> i32;
    pub fn job_completed() -> i32;

    pub fn kv_get(key: *const u8, key_len: usize, buf: *mut u8, len: usize) -> i32;
    pub fn kv_put(key: *const u8, key_len: usize, value: *const u8, value_len: usize) -> i32;
    pub fn kv_delete(key: *const u8, key_len: usize) -> i32;
    pub fn kv_list(prefix: *const u8, prefix_len: usize, after: *const u8, after_len: usize, buf: *mut u8, len: usize) -> i32;

    pub fn module_name(buf: *mut u8, len: usize) -> i32;
    pub fn station_id(buf: *mut u8, len: usize) -> i32;
    pub fn wallet_address(buf: *mut u8, len: usize) -> i32;
}

/// Native stand-ins: every call fails with `unsupported` (-13); `last_error` has no message.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    #![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]
    const UNSUPPORTED: i32 = -13;
    pub unsafe fn abi_version() -> i32 { UNSUPPORTED }
    pub unsafe fn last_error(_: *mut u8, _: usize) -> i32 { 0 }
    pub unsafe fn close(_: i32) -> i32 { UNSUPPORTED }
    pub unsafe fn poll(_: *const i32, _: usize, _: *mut i32, _: i64) -> i32 { UNSUPPORTED }
    pub unsafe fn read(_: i32, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn write(_: i32, _: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn close_write(_: i32) -> i32 { UNSUPPORTED }
    pub unsafe fn http_request(_: *const u8, _: usize, _: *const u8, _: usize, _: *const u8, _: usize, _: *const u8, _: usize, _: i64) -> i32 { UNSUPPORTED }
    pub unsafe fn http_status(_: i32) -> i32 { UNSUPPORTED }
    pub unsafe fn http_headers(_: i32, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn http_request_options(_: *const u8, _: usize, _: *const u8, _: usize, _: *const u8, _: usize, _: *const u8, _: usize, _: i64, _: u32) -> i32 { UNSUPPORTED }
    pub unsafe fn http_url(_: i32, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn p2p_peer_id(_: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn p2p_dial(_: *const u8, _: usize, _: *const u8, _: usize, _: i64) -> i32 { UNSUPPORTED }
    pub unsafe fn p2p_listen(_: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn p2p_accept(_: i32) -> i32 { UNSUPPORTED }
    pub unsafe fn p2p_remote_peer(_: i32, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn ipfs_get(_: *const u8, _: usize, _: i32, _: i64) -> i32 { UNSUPPORTED }
    pub unsafe fn ipfs_put(_: *const u8, _: usize, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn ipfs_pin(_: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn ipfs_unpin(_: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn activity(_: i32, _: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn job_completed() -> i32 { UNSUPPORTED }
    pub unsafe fn kv_get(_: *const u8, _: usize, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn kv_put(_: *const u8, _: usize, _: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn kv_delete(_: *const u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn kv_list(_: *const u8, _: usize, _: *const u8, _: usize, _: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn module_name(_: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn station_id(_: *mut u8, _: usize) -> i32 { UNSUPPORTED }
    pub unsafe fn wallet_address(_: *mut u8, _: usize) -> i32 { UNSUPPORTED }
}
#[cfg(not(target_arch = "wasm32"))]
pub use native::*;
