//! Crash-safe file replacement: a file in the store is either its old or its new content, never a mix.
//!
//! The new bytes go to `<name>.tmp`, which is flushed to disk (fsync) before it is renamed over the old
//! file, and the directory is flushed after the rename so that the rename itself survives a power cut.
//! A crash leaves at worst a stray `.tmp` file, which [`remove_stale_temporaries`] deletes on the next open.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The temporary name a file is written under before it replaces `name`.
pub(crate) fn temporary(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.tmp"))
}

/// Writes `bytes` to `<name>.tmp` and flushes it to disk; the caller renames it into place.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a directory's entries (renames, creations) to disk. Windows has no such call: a no-op there.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Replaces `dir/name` with `bytes`: write the temporary, fsync, rename, fsync the directory.
pub(crate) fn replace(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = temporary(dir, name);
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, dir.join(name))?;
    sync_dir(dir)
}

/// Reads `dir/name`, `None` when it does not exist.
pub(crate) fn read_if_present(dir: &Path, name: &str) -> io::Result<Option<Vec<u8>>> {
    match fs::read(dir.join(name)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes the `.tmp` files a crash left behind (they were never renamed into place, so never valid).
pub(crate) fn remove_stale_temporaries(dir: &Path, names: &[&str]) -> io::Result<()> {
    for name in names {
        match fs::remove_file(temporary(dir, name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}
