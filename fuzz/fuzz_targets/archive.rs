//! Archive, spreadsheet, document (also PDF and RTF) and e-mail (`.eml`,
//! `.msg`) readers (and XML): the first byte picks the name the rest is
//! read under.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "x.gz", "x.csv.gz", "x.zip", "x.tar", "x.tar.gz", "x.xlsx", "x.xls", "x.ods", "x.docx",
    "x.odt", "x.eml", "x.msg", "x.xml", "x.pdf", "x.rtf",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    piiscan_fuzz::scan(name, rest);
});
