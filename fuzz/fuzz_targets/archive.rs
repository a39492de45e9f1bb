//! Archive and spreadsheet readers: the first byte picks the container the
//! rest is read as.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "x.gz", "x.csv.gz", "x.zip", "x.tar", "x.tar.gz", "x.xlsx", "x.xls", "x.ods",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    piiscan_fuzz::scan(name, rest);
});
