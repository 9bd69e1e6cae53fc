//! Events for Station front ends: activity messages and completed jobs.
//!
//! Messages become `activity:info` / `activity:error` event lines (`station run --json`). They are
//! rate-limited per module (a burst of 20, then 5 per second); a message over the rate is dropped
//! and [`info()`]/[`error()`] return [`crate::ErrorCode::LimitReached`]. The [`info!`](crate::activity::info!)
//! and [`error!`](crate::activity::error!) macros format a message and ignore that result, since a
//! dropped message is not a failure of the module.
//!
//! ```no_run
//! use station::activity;
//! activity::info!("checked {} of {} CIDs", 3, 10);
//! activity::error!("the task list did not answer");
//! station::job_completed()?;
//! # Ok::<(), station::Error>(())
//! ```

use crate::error::{check, Result};
use crate::sys;

/// Reports an informational message.
pub fn info(message: &str) -> Result<()> {
    report(0, message)
}

/// Reports an error message.
pub fn error(message: &str) -> Result<()> {
    report(1, message)
}

fn report(level: i32, message: &str) -> Result<()> {
    check(unsafe { sys::activity(level, message.as_ptr(), message.len()) }).map(|_| ())
}

/// Counts one completed job (never dropped; reported as `jobs-completed` events).
pub fn job_completed() -> Result<()> {
    check(unsafe { sys::job_completed() }).map(|_| ())
}

#[doc(hidden)]
#[macro_export]
macro_rules! __station_activity_info {
    ($($arg:tt)*) => {{
        let _ = $crate::activity::info(&::std::format!($($arg)*));
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __station_activity_error {
    ($($arg:tt)*) => {{
        let _ = $crate::activity::error(&::std::format!($($arg)*));
    }};
}

/// Reports an informational message, formatted like `format!`; a rate-limited message is dropped
/// silently.
#[doc(inline)]
pub use crate::__station_activity_info as info;

/// Reports an error message, formatted like `format!`; a rate-limited message is dropped silently.
#[doc(inline)]
pub use crate::__station_activity_error as error;
