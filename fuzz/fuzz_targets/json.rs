//! The JSON tracker and profile on any bytes (malformed, unbalanced, deep).
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::formats::NamesFields;
use piiscan::structured::{JsonProfile, JsonTracker};

fuzz_target!(|data: &[u8]| {
    let key = &piiscan_fuzz::context().key;
    let mut tracker = JsonTracker::new();
    let mut offset = 0;
    while offset < data.len() {
        let _ = tracker.field_at(data, offset);
        let _ = tracker.field_at(data, offset.saturating_sub(3));
        offset += 5;
    }
    let half = data.len() / 2;
    tracker.rebase(data, half);
    let mut profile = JsonProfile::default();
    profile.walk(&data[..half], key);
    profile.walk(&data[half..], key);
});
