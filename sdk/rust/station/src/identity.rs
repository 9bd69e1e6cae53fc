//! Who is running the module: its name, the station's id, the wallet address, the ABI version.
//!
//! ```no_run
//! let name = station::identity::module_name()?;
//! let wallet = station::identity::wallet_address()?.unwrap_or_else(|| "(no wallet)".into());
//! # Ok::<(), station::Error>(())
//! ```

use crate::buffer::copy_out_string;
use crate::error::Result;
use crate::sys;

/// The ABI version of the host: `1` for everything in this crate.
pub fn abi_version() -> i32 {
    unsafe { sys::abi_version() }
}

/// The module's name.
pub fn module_name() -> Result<String> {
    copy_out_string(128, |buf| unsafe { sys::module_name(buf.as_mut_ptr(), buf.len()) })
}

/// `STATION_ID` of the runtime's environment, or `None` when unset.
pub fn station_id() -> Result<Option<String>> {
    copy_out_string(128, |buf| unsafe { sys::station_id(buf.as_mut_ptr(), buf.len()) }).map(non_empty)
}

/// `FIL_WALLET_ADDRESS` of the runtime's environment, or `None` when unset.
pub fn wallet_address() -> Result<Option<String>> {
    copy_out_string(128, |buf| unsafe { sys::wallet_address(buf.as_mut_ptr(), buf.len()) }).map(non_empty)
}

fn non_empty(text: String) -> Option<String> {
    if text.is_empty() {
        None
    } else {
        Some(text)
    }
}
