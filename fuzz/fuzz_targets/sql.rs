//! The SQL tracker and profile on any bytes (unterminated quotes, COPY
//! blocks without an end, statements cut anywhere), and a tracker naming
//! fields from the marks of the profile's walk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::formats::NamesFields;
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
    // The profile walks the bytes in two stretches, and a second tracker
    // names fields from the marks the walk notes, as a scan does.
    let mut profile = SqlProfile::new();
    let mut marked = SqlTracker::new();
    let mut from = 0;
    for to in [half, data.len()] {
        let alike = marked.starts_like(&profile);
        profile.walk_to(data, from, to, key, alike);
        if alike {
            marked.use_marks(&mut profile, from, to);
        }
        let mut offset = from;
        while offset < to {
            let _ = marked.field_at(data, offset);
            let _ = marked.field_at(data, offset.saturating_sub(4));
            offset += 6;
        }
        marked.give_back_marks(&mut profile);
        from = to;
    }
    profile.end_buffer(data.len());
    let _ = profile.counts();
});
