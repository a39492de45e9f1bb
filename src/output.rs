//! Where reports go: stdout, or a file written atomically (a temporary file
//! beside the target, renamed over it when complete), so a reader never sees
//! a torn report. A target that exists and is not a regular file (`/dev/null`,
//! a named pipe, a terminal) is written in place: renaming over it would
//! replace the device or pipe with a plain file. A symbolic link is followed,
//! so the file it points to is replaced and the link stays.

use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub enum Output {
    Stdout(BufWriter<std::io::Stdout>),
    /// A device or pipe, written as it is.
    InPlace(BufWriter<std::fs::File>),
    File {
        target: PathBuf,
        temp: BufWriter<tempfile::NamedTempFile>,
    },
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Output> {
        match path {
            None => Ok(Output::Stdout(BufWriter::with_capacity(
                64 * 1024,
                std::io::stdout(),
            ))),
            Some(target) => {
                if let Ok(meta) = std::fs::metadata(target)
                    && !meta.is_file()
                    && !meta.is_dir()
                {
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(target)
                        .map_err(|e| Error::io(format!("cannot write {}", target.display()), e))?;
                    return Ok(Output::InPlace(BufWriter::with_capacity(64 * 1024, file)));
                }
                // Through a symbolic link, the file it names is replaced.
                let resolved = std::fs::canonicalize(target).ok();
                let target = resolved.as_deref().unwrap_or(target);
                let dir = match target.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let temp = tempfile::Builder::new()
                    .prefix(".piiscan-")
                    .suffix(".tmp")
                    .tempfile_in(dir)
                    .map_err(|e| {
                        Error::io(format!("cannot create a file in {}", dir.display()), e)
                    })?;
                Ok(Output::File {
                    target: target.to_path_buf(),
                    temp: BufWriter::with_capacity(64 * 1024, temp),
                })
            }
        }
    }

    /// True when writing to a terminal (for colour).
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, Output::Stdout(_)) && std::io::stdout().is_terminal()
    }

    /// Drops what was written: for a file, the temporary file is removed and
    /// the target left as it was; stdout is flushed (it cannot be taken back).
    pub fn abandon(self) {
        match self {
            Output::Stdout(mut w) => {
                let _ = w.flush();
            }
            Output::InPlace(mut w) => {
                let _ = w.flush();
            }
            Output::File { temp, .. } => {
                // Dropping the temporary file deletes it.
                drop(temp.into_inner().ok());
            }
        }
    }

    /// Flushes and, for a file, renames it into place.
    pub fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().map_err(|e| Error::io("writing to stdout", e)),
            Output::InPlace(mut w) => w.flush().map_err(|e| Error::io("writing the report", e)),
            Output::File { target, temp } => {
                let temp = temp
                    .into_inner()
                    .map_err(|e| Error::io("writing the report", e.into_error()))?;
                temp.as_file()
                    .sync_all()
                    .map_err(|e| Error::io("writing the report", e))?;
                temp.persist(&target).map_err(|e| {
                    Error::io(format!("cannot write {}", target.display()), e.error)
                })?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::InPlace(w) => w.write(buf),
            Output::File { temp, .. } => temp.write(buf),
        }
    }

    // Forwarded so a whole buffer goes to the BufWriter's own write_all
    // in one call, not piece by piece through `write`.
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::InPlace(w) => w.write_all(buf),
            Output::File { temp, .. } => temp.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::InPlace(w) => w.flush(),
            Output::File { temp, .. } => temp.flush(),
        }
    }
}
