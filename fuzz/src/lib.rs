//! What the fuzz targets share: one scan context (compiling the rules once)
//! and a sink that drops what the scan produces.

use piiscan::container::ArchiveLimits;
use piiscan::finding::Finding;
use piiscan::redact::FingerprintKey;
use piiscan::scan::{FileOutcome, FileScanner, Profiles, ScanContext, ScanSettings, ScanSink};
use std::sync::OnceLock;

/// The default rules, a fixed key, and archive limits small enough that
/// one input never takes seconds (the defaults allow 1 GiB per archive).
pub fn context() -> &'static ScanContext {
    static CTX: OnceLock<ScanContext> = OnceLock::new();
    CTX.get_or_init(|| {
        ScanContext::new(
            piiscan::build_matcher(
                piiscan::rules::default_rules().expect("built-in rules"),
                None,
                "NL",
            )
            .expect("built-in rules compile"),
            FingerprintKey::from_secret(b"fuzz", "fuzz"),
            ScanSettings {
                max_line_length: Some(1 << 20),
                archive: ArchiveLimits {
                    max_bytes: 16 << 20,
                    ..ArchiveLimits::default()
                },
                ..ScanSettings::default()
            },
        )
    })
}

/// Counts what arrives and checks what must hold for any input.
#[derive(Default)]
pub struct Check {
    pub findings: usize,
    pub entries: usize,
}

impl ScanSink for Check {
    fn finding(&mut self, f: &mut Finding) {
        assert!(f.line >= 1 && f.column >= 1, "{}:{}", f.line, f.column);
        self.findings += 1;
    }

    fn entry(&mut self, _outcome: FileOutcome, _profiles: Profiles) {
        self.entries += 1;
    }
}

thread_local! {
    /// One scanner reused across inputs, as a walker thread reuses its own:
    /// a new one per input zeroes an 8 MiB buffer each time.
    static SCANNER: std::cell::RefCell<FileScanner<'static>> =
        std::cell::RefCell::new(FileScanner::new(context()));
}

/// Scans `data` as a file named `name` and returns its outcome.
pub fn scan(name: &str, data: &[u8]) -> FileOutcome {
    SCANNER.with_borrow_mut(|scanner| {
        let mut check = Check::default();
        let outcome = scanner.scan_bytes(name, data, &mut check);
        let _ = scanner.take_profiles();
        outcome
    })
}
