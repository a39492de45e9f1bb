//! Per-file report text written out as each file is done, then copied out
//! in path order: for reports that list every file (the JSON inventory,
//! the inventory CSV), so a scan holds a path and an offset per file
//! instead of its statistics.
//!
//! The text goes to an unnamed temporary file (`tempfile::tempfile`): it
//! has no name, so nothing appears in any directory, and it goes away with
//! the process. It holds what the report will show (masked samples, keyed
//! hashes), never values.

use crate::inventory::{EntrySink, FileEntry};
use std::io::Write;
use std::time::SystemTime;

/// Renders the report text of one file: path, entry, the time ages are
/// counted to, and where the text goes.
pub type RenderFile = fn(
    &str,
    &FileEntry,
    Option<&[crate::retention::Overdue]>,
    SystemTime,
    &mut Vec<u8>,
) -> std::io::Result<()>;

/// Each file's text, in the order files were done, with an index to put
/// them in path order.
#[derive(Debug)]
pub struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    written: u64,
    /// Per file: its path, and where its text is in `file`.
    index: Vec<(Box<str>, u64, usize)>,
    /// The time file ages are counted to.
    now: SystemTime,
    render: RenderFile,
    text: Vec<u8>,
    /// The first write that failed; the report fails with it.
    error: Option<std::io::Error>,
    /// Flushed, and the index in path order.
    ready: bool,
}

impl Spill {
    /// Texts made by `render` in a new unnamed temporary file, ages counted
    /// to `now`.
    pub fn new(now: SystemTime, render: RenderFile) -> std::io::Result<Spill> {
        Ok(Spill {
            file: std::io::BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?),
            written: 0,
            index: Vec::new(),
            now,
            render,
            text: Vec::new(),
            error: None,
            ready: false,
        })
    }

    /// The time file ages are counted to.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// Ends the writing: fails with the first write that failed, else
    /// puts the texts in path order for [`Spill::for_each_in_order`].
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(std::io::Error::new(
                e.kind(),
                format!("writing the report's file sections to a temporary file: {e}"),
            ));
        }
        self.file.flush()?;
        self.index.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.ready = true;
        Ok(())
    }

    /// The spill `shared` with the inventory, its writing ended (see
    /// [`Spill::finish`]).
    pub fn finished(
        shared: &std::sync::Mutex<Spill>,
    ) -> std::io::Result<std::sync::MutexGuard<'_, Spill>> {
        let mut spill = shared
            .lock()
            .map_err(|_| std::io::Error::other("a scanning thread panicked"))?;
        spill.finish()?;
        Ok(spill)
    }

    /// Whether no file's text was written.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Calls `each` with every file's text in path order (after
    /// [`Spill::finish`]), and its place in that order.
    pub fn for_each_in_order(
        &self,
        each: &mut dyn FnMut(usize, &[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if !self.ready {
            return Err(std::io::Error::other("the spilled texts were not finished"));
        }
        let file = self.file.get_ref();
        let mut text = Vec::new();
        for (i, (_, offset, len)) in self.index.iter().enumerate() {
            text.resize(*len, 0);
            read_exact_at(file, &mut text, *offset)?;
            each(i, &text)?;
        }
        Ok(())
    }
}

impl EntrySink for Spill {
    fn entry(
        &mut self,
        path: &str,
        entry: &FileEntry,
        overdue: Option<&[crate::retention::Overdue]>,
    ) {
        if self.error.is_some() {
            return;
        }
        self.text.clear();
        let written = (self.render)(path, entry, overdue, self.now, &mut self.text)
            .and_then(|()| self.file.write_all(&self.text));
        match written {
            Ok(()) => {
                self.index
                    .push((path.into(), self.written, self.text.len()));
                self.written += self.text.len() as u64;
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// Reads `buf.len()` bytes of `file` at `offset` (one call where the
/// platform has positioned reads).
#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(mut file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_line(
        path: &str,
        _: &FileEntry,
        _: Option<&[crate::retention::Overdue]>,
        _: SystemTime,
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        writeln!(out, "{path}")
    }

    #[test]
    fn texts_come_out_in_path_order() {
        let mut spill = Spill::new(SystemTime::now(), path_line).unwrap();
        for path in ["b/2", "a", "c", "b/10"] {
            spill.entry(path, &FileEntry::default(), None);
        }
        let mut out = Vec::new();
        assert!(spill.for_each_in_order(&mut |_, _| Ok(())).is_err());
        spill.finish().unwrap();
        spill
            .for_each_in_order(&mut |i, text| {
                write!(out, "{i} ")?;
                out.write_all(text)
            })
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "0 a\n1 b/10\n2 b/2\n3 c\n");
    }
}
