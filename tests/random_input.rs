//! The readers on many mutated inputs, deterministically: every fixture is
//! scanned as every format after random byte flips, insertions, deletions
//! and truncations, and must end with an outcome, never a panic. The fuzz
//! targets in `fuzz/` do the same with coverage guidance (nightly only);
//! this keeps a seed-fixed slice of it in every `cargo test`.

use piiscan::finding::Finding;
use piiscan::redact::FingerprintKey;
use piiscan::scan::{
    FileOutcome, FileScanner, FileStatus, Profiles, ScanContext, ScanSettings, ScanSink,
};

struct Discard;

impl ScanSink for Discard {
    fn finding(&mut self, f: &mut Finding) {
        assert!(f.line >= 1 && f.column >= 1);
    }
    fn entry(&mut self, _: FileOutcome, _: Profiles) {}
}

/// xorshift64*: enough randomness for mutations, fixed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\n",
    b"\"",
    b",",
    b";",
    b"\t",
    b"{",
    b"}",
    b"[",
    b"]",
    b"'",
    b"\\",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"INSERT INTO t (a) VALUES (",
    b"COPY t (a) FROM stdin;\n",
    b"piiscan:ignore-next-line",
    b"jan@kpn.nl",
    b"<",
    b">",
    b"<![CDATA[",
    b"<!--",
    b"=\r\n",
    b"--B\r\n",
    b"Content-Transfer-Encoding: base64\r\n\r\n",
    b"%PDF-1.7\n",
    b" 0 R",
    b"/FlateDecode",
    b"stream\r\n",
    b"endobj",
];

fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(8) {
        match rng.below(5) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            1 => {
                let i = rng.below(data.len() + 1);
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(i..i, piece.iter().copied());
            }
            2 if !data.is_empty() => {
                let i = rng.below(data.len());
                let end = (i + rng.below(64)).min(data.len());
                data.drain(i..end);
            }
            3 => data.truncate(rng.below(data.len() + 1)),
            _ if !data.is_empty() => {
                // Repeat a slice: long lines, deep nesting, many cells.
                let i = rng.below(data.len());
                let end = (i + 1 + rng.below(16)).min(data.len());
                let piece = data[i..end].to_vec();
                for _ in 0..rng.below(200) {
                    data.splice(i..i, piece.iter().copied());
                }
            }
            _ => {}
        }
    }
}

/// The default rules with `settings`, as every test here scans.
fn context(settings: ScanSettings) -> ScanContext {
    ScanContext::new(
        piiscan::build_matcher(piiscan::rules::default_rules().unwrap(), None, "NL").unwrap(),
        FingerprintKey::from_secret(b"random input", "test"),
        settings,
    )
}

/// The bytes of a fixture, by its path below `fixtures/`.
fn fixture(path: &str) -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::read(root.join(path)).unwrap()
}

#[test]
fn every_reader_survives_mutated_fixtures() {
    let ctx = context(ScanSettings {
        max_line_length: Some(1 << 20),
        ..ScanSettings::default()
    });
    let seeds = [
        "exports/crm/klanten.csv",
        "exports/crm/customers.json",
        "exports/crm/afspraken.ndjson",
        "exports/db/dealer_pg.sql",
        "exports/db/dealer_mysql.sql",
        "exports/mail/bericht_0001.txt",
        "exports/archive/app_2023.log.gz",
        "exports/archive/mail_2023.zip",
        "exports/archive/werkplaats_2022.tar.gz",
        "exports/archive/klanten_2024.xlsx",
        "exports/finance/incasso_2022-03.xml",
        "exports/documenten/offerte_2021-0417.docx",
        "exports/documenten/werkorder_2022-118.odt",
        "exports/mail/bericht_0004.eml",
        "exports/mail/werkplaats_archief.mbox",
        "exports/mail/bericht_0005.msg",
        "exports/documenten/factuur_2024-0917.pdf",
        "exports/documenten/proefrit_2024-0322.pdf",
        // Read as RTF under every name that names no other format (it
        // starts with `{\rtf`).
        "exports/documenten/bevestiging_2023-0612.rtf",
    ];
    let names = [
        "x.txt", "x.csv", "x.json", "x.sql", "x.gz", "x.zip", "x.tar.gz", "x.xlsx", "x.ods",
        "x.xls", "x.xml", "x.docx", "x.odt", "x.eml", "x.mbox", "x.msg", "x.pdf", "x.rtf",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut scanner = FileScanner::new(&ctx);
    let mut runs = 0;
    for seed in seeds {
        let original = fixture(seed);
        for _ in 0..40 {
            let mut data = original.clone();
            mutate(&mut rng, &mut data);
            let name = names[rng.below(names.len())];
            let outcome = scanner.scan_bytes(name, &data, &mut Discard);
            let _ = scanner.take_profiles();
            assert!(outcome.bytes_scanned <= data.len() as u64 || name != "x.txt");
            runs += 1;
        }
    }
    assert_eq!(runs, 40 * seeds.len());
}

#[test]
fn the_pdf_reader_survives_many_mutated_invoices() {
    let ctx = context(ScanSettings::default());
    let original = fixture("exports/documenten/factuur_2024-0917.pdf");
    // The content streams are compressed: mutations of the file mostly hit
    // its structure. Its text is also mutated uncompressed, as an
    // uncompressed PDF of the same pages.
    let uncompressed = {
        let mut doc = lopdf::Document::load_mem(&original).unwrap();
        doc.decompress();
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    };
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut scanner = FileScanner::new(&ctx);
    let mut pages = Pages(0);
    let mut unread = 0;
    for seed in [&original, &uncompressed] {
        for _ in 0..300 {
            let mut data = seed.clone();
            mutate(&mut rng, &mut data);
            let outcome = scanner.scan_bytes("factuur.pdf", &data, &mut pages);
            let _ = scanner.take_profiles();
            if !matches!(outcome.status, FileStatus::Complete) {
                unread += 1;
            }
        }
    }
    // Most mutations leave pages to read; some leave none.
    assert!(pages.0 > 600, "{} pages read", pages.0);
    assert!(unread > 0);
}

/// Counts the page entries of PDFs.
struct Pages(usize);

impl ScanSink for Pages {
    fn finding(&mut self, f: &mut Finding) {
        assert!(f.line >= 1 && f.column >= 1);
    }
    fn entry(&mut self, outcome: FileOutcome, _: Profiles) {
        if outcome.path.contains("!/page ") {
            self.0 += 1;
        }
    }
}

/// Counts findings.
struct Count(usize);

impl ScanSink for Count {
    fn finding(&mut self, f: &mut Finding) {
        assert!(f.line >= 1 && f.column >= 1);
        self.0 += 1;
    }
    fn entry(&mut self, _: FileOutcome, _: Profiles) {}
}

#[test]
fn the_rtf_reader_survives_many_mutated_letters() {
    let ctx = context(ScanSettings::default());
    let original = fixture("exports/documenten/bevestiging_2023-0612.rtf");
    let mut rng = Rng(0x94D0_49BB_1331_11EB);
    let mut scanner = FileScanner::new(&ctx);
    let mut found = Count(0);
    let runs = 600;
    for _ in 0..runs {
        let mut data = original.clone();
        mutate(&mut rng, &mut data);
        scanner.scan_bytes("brief.rtf", &data, &mut found);
        let _ = scanner.take_profiles();
    }
    // The letter has 8 values; most mutations leave most of them readable.
    assert!(found.0 > 2 * runs, "{} findings", found.0);
}
