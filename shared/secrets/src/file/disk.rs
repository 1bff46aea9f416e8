//! The file system side of `FileSecrets`: owner-only permissions, atomic replacement, and a
//! lock that serialises writers across threads and processes.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` (and missing parents) owner-only when it does not exist.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// The permission bits of `path`. A symbolic link is refused: writes replace the link, not
/// its target, so following it on read would read one file and write another.
pub(crate) fn permission_bits(path: &Path) -> io::Result<u32> {
    let metadata = fs::symlink_metadata(path)?;
    if metadata.file_type().is_symlink() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a symbolic link; give the real path",
        ));
    }
    Ok(metadata.permissions().mode() & 0o777)
}

/// Holds the exclusive lock on the directory until dropped.
pub(crate) fn lock_dir(dir: &Path) -> io::Result<File> {
    let handle = File::open(dir)?;
    handle.lock()?;
    Ok(handle)
}

/// Removes a temporary file a crash may have left; it is never the live data.
pub(crate) fn discard(temp: &Path) -> io::Result<()> {
    match fs::remove_file(temp) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Replaces `path` with `bytes` so that a crash at any point leaves either the old or the new
/// content: write a fresh owner-only temporary file, flush it to disk, rename it over `path`,
/// then flush the directory so the rename itself survives a power loss.
pub(crate) fn replace(dir: &Path, path: &Path, temp: &Path, bytes: &[u8]) -> io::Result<()> {
    discard(temp)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)?;
    File::open(dir)?.sync_all()
}

/// The file's bytes, `None` when it does not exist.
pub(crate) fn read_if_present(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}
