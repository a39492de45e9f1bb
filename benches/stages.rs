//! Criterion benchmarks of the scanning stages, each reporting bytes/s:
//! the matcher alone (stage 1 and 2), single validators, CSV column
//! attribution (the per-column profile), and a whole document per format.
//!
//! The inputs are built here from fixed templates, as dense as the output
//! of `piiscan generate` (a personal value every few dozen bytes), so the
//! numbers are the worst case for per-finding costs. Run with
//! `cargo bench --bench stages`; `benches/compare.sh` measures whole scans.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use piiscan::columns::TableProfile;
use piiscan::finding::Finding;
use piiscan::redact::FingerprintKey;
use piiscan::rules::default_rules;
use piiscan::rules::matcher::Matcher;
use piiscan::scan::{FileScanner, ScanContext, ScanSettings};
use piiscan::validate::{Candidate, Validator};
use std::hint::black_box;

/// Rows of a customer export: every row has an e-mail, a phone, a plate,
/// an IBAN and a postcode, the way a dealer's CRM export does.
fn csv(rows: usize) -> Vec<u8> {
    let mut out = String::from("id;naam;email;telefoon;kenteken;iban;postcode;notitie\n");
    for i in 0..rows {
        out.push_str(&format!(
            "{i};Jan de Vries {i};jan.devries{i}@example.nl;06-{:08};{:02}-ABC-{};NL91ABNA0417164300;{} AB;afspraak om 10:30 voor APK\n",
            12_345_678 + i % 1000,
            10 + i % 89,
            1 + i % 9,
            1000 + i % 8999,
        ));
    }
    out.into_bytes()
}

/// Application log lines: mostly noise (times, ids, versions), some personal
/// data.
fn log(lines: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..lines {
        out.push_str(&format!(
            "2024-03-12T10:{:02}:{:02}Z INFO api request_id=7f3a{i:06} version=1.2.{} took={}ms",
            i % 60,
            (i * 7) % 60,
            i % 10,
            i % 500,
        ));
        if i % 3 == 0 {
            out.push_str(&format!(
                " user=klant{i}@example.com phone=+31 6 {:08}",
                10_000_000 + i
            ));
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// The same records as NDJSON.
fn ndjson(records: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..records {
        out.push_str(&format!(
            "{{\"id\":{i},\"email\":\"k{i}@example.nl\",\"phone\":\"06 {:08}\",\"plate\":\"{:02}-ABC-{}\",\"iban\":\"NL91 ABNA 0417 1643 00\"}}\n",
            10_000_000 + i,
            10 + i % 89,
            1 + i % 9,
        ));
    }
    out.into_bytes()
}

/// The same records as an SQL dump of INSERT statements.
fn sql(records: usize) -> Vec<u8> {
    let mut out =
        String::from("CREATE TABLE klanten (id int, email text, telefoon text, kenteken text);\n");
    for i in 0..records {
        out.push_str(&format!(
            "INSERT INTO klanten (id, email, telefoon, kenteken) VALUES ({i}, 'k{i}@example.nl', '0{:09}', '{:02}-ABC-{}');\n",
            612_345_678 + i % 1000,
            10 + i % 89,
            1 + i % 9,
        ));
    }
    out.into_bytes()
}

fn context() -> ScanContext {
    let rules = default_rules().expect("default rules parse");
    ScanContext::new(
        Matcher::new(rules, "NL").expect("default rules compile"),
        FingerprintKey::from_secret(b"bench", "bench"),
        ScanSettings::default(),
    )
}

fn matcher(c: &mut Criterion) {
    let ctx = context();
    let mut group = c.benchmark_group("matcher");
    for (name, data) in [("csv", csv(20_000)), ("log", log(20_000))] {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            let mut cache = ctx.matcher.new_cache();
            b.iter(|| {
                let mut hits = 0usize;
                ctx.matcher
                    .find_hits(&mut cache, &data, data.len(), None, &mut |_| hits += 1);
                black_box(hits)
            })
        });
    }
    group.finish();
}

fn validators(c: &mut Criterion) {
    let mut group = c.benchmark_group("validators");
    let cases: [(&str, Validator, &[u8]); 6] = [
        ("phone_nl", Validator::Phone, b"06-12345678"),
        ("phone_intl_nl", Validator::Phone, b"+31 20 123 4567"),
        ("phone_intl_de", Validator::Phone, b"+49 30 12345678"),
        ("phone_date_rejected", Validator::Phone, b"12-03-2024"),
        ("iban", Validator::Iban, b"NL91ABNA0417164300"),
        ("email", Validator::Email, b"jan.devries@example.nl"),
    ];
    for (name, validator, text) in cases {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(validator.check(&Candidate::whole(black_box(text)), "NL")))
        });
    }
    group.finish();
}

fn csv_attribution(c: &mut Criterion) {
    let key = FingerprintKey::from_secret(b"bench", "bench");
    let data = csv(20_000);
    let headers: Vec<String> = "id;naam;email;telefoon;kenteken;iban;postcode;notitie"
        .split(';')
        .map(String::from)
        .collect();
    let body = &data[data.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1)..];
    let mut group = c.benchmark_group("csv_attribution");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("table_profile_walk", |b| {
        b.iter(|| {
            let mut profile = TableProfile::new(b';', &headers);
            profile.walk(body, &key);
            black_box(profile.rows())
        })
    });
    group.finish();
}

fn formats(c: &mut Criterion) {
    let ctx = context();
    let mut group = c.benchmark_group("document");
    for (name, path, data) in [
        ("csv", "klanten.csv", csv(20_000)),
        ("log", "api.log", log(20_000)),
        ("ndjson", "events.ndjson", ndjson(20_000)),
        ("sql", "dump.sql", sql(20_000)),
    ] {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            let mut scanner = FileScanner::new(&ctx);
            b.iter(|| {
                let mut findings = 0usize;
                scanner.scan_document(&data, path, &mut |f: Finding| {
                    findings += 1;
                    black_box(f);
                });
                black_box(findings)
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = stages;
    config = Criterion::default().sample_size(10);
    targets = matcher, validators, csv_attribution, formats
}
criterion_main!(stages);
