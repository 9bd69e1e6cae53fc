//! Calls every wrapper of the crate once, so the module imports every station function the crate
//! binds. sdk/rust/test builds it for wasm32-wasi and checks those imports against docs/abi.md.
//! It is never run.

use std::time::Duration;

fn main() {
    let _ = station::identity::abi_version();
    let _ = station::identity::module_name();
    let _ = station::identity::station_id();
    let _ = station::identity::wallet_address();
    let _ = station::activity::info("info");
    let _ = station::activity::error("error");
    let _ = station::job_completed();
    let _ = station::kv::put("k", "v");
    let _ = station::kv::get("k");
    let _ = station::kv::delete("k");
    let _ = station::kv::list("");
    let _ = station::ipfs::put("data");
    let _ = station::ipfs::pin("cid");
    let _ = station::ipfs::unpin("cid");
    let _ = station::p2p::peer_id();
    let _ = station::block_on(async {
        let response = station::http::get("http://127.0.0.1/").await?;
        let _ = response.headers();
        let _ = response.url();
        let _ = station::http::Request::get("http://127.0.0.1/").manual_redirect().send().await;
        let _ = response.bytes().await;
        let content = station::ipfs::get("cid")?;
        let _ = content.handle().ready().await;
        let listener = station::p2p::listen("/p")?;
        let stream = listener.accept().await?;
        let _ = stream.remote_peer();
        let _ = stream.write_all(b"x").await;
        let _ = stream.close_write().await;
        let _ = stream.read_to_end(16).await;
        let _ = station::p2p::dial("/ip4/127.0.0.1/tcp/1", "/p").await;
        station::sleep(Duration::from_millis(1)).await;
        stream.handle().close_write().await
    });
}
