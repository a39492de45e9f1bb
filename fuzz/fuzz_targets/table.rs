//! The CSV table tracker and profile: any bytes, cut into chunks at line
//! ends as the scanner cuts them, with field questions in between.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::columns::TableProfile;
use piiscan::formats::NamesFields;
use piiscan::formats::TableTracker;

fuzz_target!(|data: &[u8]| {
    let key = &piiscan_fuzz::context().key;
    let mut tracker = TableTracker::new(data);
    let mut profile = TableProfile::new(tracker.delimiter(), tracker.headers());
    // Questions at every 7th offset, then one behind (allowed to say None).
    let mut offset = 0;
    while offset < data.len() {
        let _ = tracker.field_at(data, offset);
        let _ = tracker.field_at(data, offset / 2);
        offset += 7;
    }
    let cut = data
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(data.len(), |i| i + 1);
    profile.walk(&data[..cut], key);
    profile.walk(&data[cut..], key);
    profile.finish(key);
    assert!(profile.columns.len() <= piiscan::columns::MAX_TABLE_COLUMNS);
    tracker.rebase(data, cut);
});
