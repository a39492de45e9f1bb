//! Third-party readers (PDF, spreadsheets) run on hostile input: a panic in
//! one must end the reading of that file, reported as damaged, never the
//! scan, and its message (which may quote the file's bytes) is not printed.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    /// Set while this thread runs reader code whose panics are caught.
    static IN_READER: Cell<bool> = const { Cell::new(false) };
}

/// A third-party reader panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panicked;

/// Runs `f` (a third-party reader's code) with its panics caught and kept
/// quiet; panics anywhere else are printed as before.
pub fn caught<T>(f: impl FnOnce() -> T) -> Result<T, Panicked> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_READER.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_READER.with(|p| p.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_READER.with(|p| p.set(was));
    result.map_err(|_| Panicked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_and_the_flag_restored() {
        assert_eq!(caught(|| 7), Ok(7));
        let r: Result<(), Panicked> = caught(|| panic!("bad sector 12"));
        assert_eq!(r, Err(Panicked));
        assert!(!IN_READER.with(Cell::get));
        // Nested: the inner call leaves the outer one's flag set.
        let outer = caught(|| {
            let inner: Result<(), Panicked> = caught(|| panic!("inner"));
            (inner, IN_READER.with(Cell::get))
        });
        assert_eq!(outer, Ok((Err(Panicked), true)));
    }
}
