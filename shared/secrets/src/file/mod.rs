//! The `Secrets` port on one JSON file, for single-machine installations: owner-only
//! permissions, atomic replacement, and the last two versions of each secret.

mod disk;
mod document;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use ohsync_engine::ports::{SecretName, SecretRef, Secrets, SecretsError};
use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use crate::version_id::fresh_version_id;
use document::{Document, parse_and_wipe};

/// The file's name inside the directory.
const FILE_NAME: &str = "secrets.json";
/// Where the next content is written before it replaces the file.
const TEMP_FILE_NAME: &str = ".secrets.json.tmp";

/// Why the secrets file cannot be used. Messages name paths and modes, never content.
#[derive(Debug, thiserror::Error)]
pub enum FileSecretsError {
    /// The directory or file lets group or others in.
    #[error(
        "{path} is open to other users (mode {mode:03o}); run `chmod {wanted:03o} {path}` and start again",
        path = path.display()
    )]
    TooOpen {
        /// The directory or file.
        path: PathBuf,
        /// The permission bits found.
        mode: u32,
        /// The mode it must have.
        wanted: u32,
    },
    /// The file system refused.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The file is not a secrets file this version can read.
    #[error("{path} is damaged: {reason}", path = path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// Where it is broken (never its content).
        reason: String,
    },
}

/// The directory, the file and the temporary file.
#[derive(Debug)]
struct Paths {
    dir: PathBuf,
    file: PathBuf,
    temp: PathBuf,
}

impl Paths {
    fn load(&self) -> Result<Document, SecretsError> {
        match disk::read_if_present(&self.file).map_err(|error| self.unavailable(error))? {
            None => Ok(Document::empty()),
            Some(bytes) => parse_and_wipe(bytes).map_err(|reason| {
                SecretsError::Invalid(format!("{} is damaged: {reason}", self.file.display()))
            }),
        }
    }

    fn save(&self, document: &Document) -> Result<(), SecretsError> {
        let mut bytes = document.to_bytes();
        let written = disk::replace(&self.dir, &self.file, &self.temp, &bytes);
        bytes.zeroize();
        written.map_err(|error| self.unavailable(error))
    }

    /// Loads, lets `change` edit (it answers whether it changed anything), and saves, holding
    /// the directory lock so that no other writer's change is lost in between.
    fn update(&self, change: impl FnOnce(&mut Document) -> bool) -> Result<(), SecretsError> {
        let _lock = disk::lock_dir(&self.dir).map_err(|error| self.unavailable(error))?;
        let mut document = self.load()?;
        if change(&mut document) {
            self.save(&document)?;
        }
        Ok(())
    }

    fn unavailable(&self, error: io::Error) -> SecretsError {
        SecretsError::Unavailable(format!("secrets file in {}: {error}", self.dir.display()))
    }
}

/// The port on `<dir>/secrets.json`. Give it a directory of its own: the directory must be
/// owner-only (0700) and the file owner-only (0600), and both are created that way.
#[derive(Debug, Clone)]
pub struct FileSecrets {
    paths: Arc<Paths>,
}

impl FileSecrets {
    /// Opens (creating when missing) the secrets file in `dir`. Refuses a directory or file
    /// that group or others can access, and a damaged file; removes what an interrupted write
    /// left behind.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, FileSecretsError> {
        let dir = dir.as_ref().to_path_buf();
        let io_at = |path: &Path| {
            let path = path.to_path_buf();
            move |source| FileSecretsError::Io { path, source }
        };
        disk::create_private_dir(&dir).map_err(io_at(&dir))?;
        ensure_private(&dir, 0o700)?;
        let paths = Paths {
            file: dir.join(FILE_NAME),
            temp: dir.join(TEMP_FILE_NAME),
            dir,
        };
        let _lock = disk::lock_dir(&paths.dir).map_err(io_at(&paths.dir))?;
        disk::discard(&paths.temp).map_err(io_at(&paths.temp))?;
        match disk::read_if_present(&paths.file).map_err(io_at(&paths.file))? {
            None => {
                let empty = Document::empty().to_bytes();
                disk::replace(&paths.dir, &paths.file, &paths.temp, &empty)
                    .map_err(io_at(&paths.file))?;
            }
            Some(bytes) => {
                ensure_private(&paths.file, 0o600)?;
                parse_and_wipe(bytes).map_err(|reason| FileSecretsError::Damaged {
                    path: paths.file.clone(),
                    reason,
                })?;
            }
        }
        Ok(Self {
            paths: Arc::new(paths),
        })
    }

    /// The secrets file.
    pub fn path(&self) -> &Path {
        &self.paths.file
    }

    /// Runs `job` on the blocking pool: file I/O and the lock wait must not stall the runtime.
    async fn blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Paths) -> Result<T, SecretsError> + Send + 'static,
    ) -> Result<T, SecretsError> {
        let paths = Arc::clone(&self.paths);
        tokio::task::spawn_blocking(move || job(&paths))
            .await
            .map_err(|error| {
                SecretsError::Unavailable(format!("the secrets file task failed: {error}"))
            })?
    }
}

/// Refuses `path` when group or others have any permission on it; `wanted` is the fix.
fn ensure_private(path: &Path, wanted: u32) -> Result<(), FileSecretsError> {
    let mode = disk::permission_bits(path).map_err(|source| FileSecretsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if mode & 0o077 == 0 {
        Ok(())
    } else {
        Err(FileSecretsError::TooOpen {
            path: path.to_path_buf(),
            mode,
            wanted,
        })
    }
}

#[async_trait]
impl Secrets for FileSecrets {
    async fn read(&self, reference: &SecretRef) -> Result<SecretString, SecretsError> {
        let reference = reference.clone();
        // No lock: the file is only ever replaced whole, so a reader sees one version of it.
        self.blocking(move |paths| paths.load()?.get(&reference).ok_or(SecretsError::NotFound))
            .await
    }

    async fn write(
        &self,
        name: &SecretName,
        value: &SecretString,
    ) -> Result<SecretRef, SecretsError> {
        let (name, value) = (name.clone(), value.clone());
        self.blocking(move |paths| {
            let version_id = fresh_version_id();
            paths.update(|document| {
                document.push(&name, &version_id, &value);
                true
            })?;
            Ok(SecretRef { name, version_id })
        })
        .await
    }

    async fn delete(&self, name: &SecretName) -> Result<(), SecretsError> {
        let name = name.clone();
        self.blocking(move |paths| paths.update(|document| document.remove(&name)))
            .await
    }
}
