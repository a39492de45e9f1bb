//! Stopping a scan early (Ctrl-C): a process-wide flag that the walk checks
//! before each file and the scanner before each chunk, so a scan stops
//! within one 4 MiB chunk per thread and its report is still written whole,
//! marked incomplete.
//!
//! The library only reads the flag; the command line sets it from a SIGINT
//! handler ([`install_handler`]). Library users stop a scan with
//! [`request`].

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Asks every running scan to stop at its next check.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// True once a stop was requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Exit status of a scan stopped by Ctrl-C: 128 + SIGINT, as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Makes Ctrl-C (SIGINT; SIGTERM too) request a stop. A second Ctrl-C
/// exits at once: the report file is then left as it was (a temporary file
/// beside it may remain), never torn.
pub fn install_handler() {
    // An error means a handler is already installed (a second call): the
    // first one does the job.
    let _ = ctrlc::set_handler(|| {
        if requested() {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        request();
    });
}
