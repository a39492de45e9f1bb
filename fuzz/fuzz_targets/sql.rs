//! The SQL tracker and profile on any bytes (unterminated quotes, COPY
//! blocks without an end, statements cut anywhere).
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::structured::{SqlProfile, SqlTracker};

fuzz_target!(|data: &[u8]| {
    let key = &piiscan_fuzz::context().key;
    let mut tracker = SqlTracker::new();
    let mut offset = 0;
    while offset < data.len() {
        let _ = tracker.field_at(data, offset);
        let _ = tracker.field_at(data, offset.saturating_sub(4));
        offset += 6;
    }
    let half = data.len() / 2;
    tracker.rebase(data, half);
    let mut profile = SqlProfile::new();
    profile.walk(&data[..half], key);
    profile.walk(&data[half..], key);
    let _ = profile.counts();
});
