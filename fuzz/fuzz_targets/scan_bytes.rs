//! The whole pipeline on a byte buffer: the first byte picks the file name
//! (and so the format or container), the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "x.txt", "x.csv", "x.tsv", "x.json", "x.ndjson", "x.sql", "x.log", "x.gz", "x.zip", "x.tar",
    "x.tar.gz", "x.xlsx", "x.ods",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    piiscan_fuzz::scan(name, rest);
});
