//! Encoding detection and decoding: byte order marks, UTF-16 without one,
//! Windows-1252, invalid UTF-8, NUL bytes, as text and as a table.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = if pick & 1 == 0 { "x.txt" } else { "x.csv" };
    let outcome = piiscan_fuzz::scan(name, rest);
    assert!(outcome.bytes_scanned <= rest.len() as u64);
});
