//! Forwards imageguard's `log` records to a logger the app implements (Logcat, os.Logger, ...).
//!
//! Only records whose target starts with `imageguard` pass, so the app never sees other crates' chatter,
//! and imageguard never logs hash material or anything about non-matching images. The foreign logger is
//! called without any lock held, so it may itself call back into imageguard (even `set_logger`).

use crate::{guard, ImageGuardError};
use std::sync::{Arc, OnceLock, RwLock};

/// Severity, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn to_filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }

    fn from_level(level: log::Level) -> LogLevel {
        match level {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        }
    }
}

/// Implemented by the app: receives imageguard's log messages, from any thread.
#[uniffi::export(with_foreign)]
pub trait Logger: Send + Sync {
    fn log(&self, level: LogLevel, message: String);
}

/// The `log` implementation installed (once) in the process; it forwards to the current foreign logger.
struct Bridge {
    logger: RwLock<Option<Arc<dyn Logger>>>,
}

static BRIDGE: Bridge = Bridge { logger: RwLock::new(None) };
static INSTALLED: OnceLock<bool> = OnceLock::new();

impl log::Log for Bridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("imageguard") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Clone the Arc and release the lock before calling out (see the module doc).
        let logger = match self.logger.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(logger) = logger {
            let message = record.args().to_string();
            // A misbehaving foreign logger must not take down the code that happened to log.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                logger.log(LogLevel::from_level(record.level()), message)
            }));
        }
    }

    fn flush(&self) {}
}

fn replace_logger(logger: Option<Arc<dyn Logger>>) {
    match BRIDGE.logger.write() {
        Ok(mut guard) => *guard = logger,
        Err(poisoned) => *poisoned.into_inner() = logger,
    }
}

/// Sends imageguard's log messages at `level_filter` and more severe to `logger`, replacing any previous one.
#[uniffi::export]
pub fn set_logger(logger: Arc<dyn Logger>, level_filter: LogLevel) -> Result<(), ImageGuardError> {
    guard::call(|| {
        let installed = *INSTALLED.get_or_init(|| log::set_logger(&BRIDGE).is_ok());
        if !installed {
            return Err(ImageGuardError::internal("another `log` implementation is already installed in this process"));
        }
        replace_logger(Some(logger));
        log::set_max_level(level_filter.to_filter());
        log::info!(target: "imageguard_ffi", "logger installed at level {level_filter:?}");
        Ok(())
    })
}

/// Stops forwarding log messages and releases the foreign logger.
#[uniffi::export]
pub fn clear_logger() {
    log::set_max_level(log::LevelFilter::Off);
    replace_logger(None);
}
