//! Compressed files, archives and spreadsheets: findings inside them are
//! located as `ARCHIVE!/MEMBER` or `BOOK.xlsx!SHEET` with the member's own
//! line and field; bombs, damaged archives and hostile member names are
//! reported and never stop the scan or write anything.

mod common;
use common::*;
use serde_json::Value;

const MAIL: &str = "fixtures/exports/archive/mail_2023.zip";
const LOG: &str = "fixtures/exports/archive/app_2023.log.gz";
const TARGZ: &str = "fixtures/exports/archive/werkplaats_2022.tar.gz";
const XLSX: &str = "fixtures/exports/archive/klanten_2024.xlsx";

/// The findings of `piiscan scan ARGS --format ndjson --reveal`.
fn findings(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, Vec<Value>, Value) {
    let mut all = vec!["scan", "--format", "ndjson", "--reveal"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    let lines = ndjson(&out);
    let (summary, findings) = lines.split_last().expect("a summary line");
    assert_eq!(summary["type"], "summary", "{}", stderr(&out));
    (out.status.code(), findings.to_vec(), summary.clone())
}

fn crate_root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The finding of `value` at `path`, or a panic listing what was found.
fn find<'a>(found: &'a [Value], path: &str, value: &str) -> &'a Value {
    found
        .iter()
        .find(|f| f["path"] == path && f["value"] == value)
        .unwrap_or_else(|| {
            let seen: Vec<String> = found
                .iter()
                .map(|f| format!("{} {}", f["path"], f["value"]))
                .collect();
            panic!("{value} not found in {path}; found:\n{}", seen.join("\n"))
        })
}

/// The JSON inventory of `piiscan scan ARGS --format json`.
fn inventory(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON inventory")
}

fn skipped_entry<'a>(doc: &'a Value, path: &str) -> &'a Value {
    let skipped = doc["scan"]["skipped"].as_array().unwrap();
    skipped
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("{path} not among skipped: {skipped:#?}"))
}

// ---- building archives in tests ---------------------------------------

fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_600_000_000);
        // set_path refuses `..`; an archive built elsewhere need not.
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

const EMAIL_LINE: &[u8] = b"contact: jan.devries@hotmail.com\n";

// ---- the bundled fixtures ---------------------------------------------

#[test]
fn zip_members_are_located_with_their_own_lines_and_fields() {
    let (code, found, _) = findings(crate_root(), &[MAIL]);
    assert_eq!(code, Some(1));
    let iban = find(
        &found,
        &format!("{MAIL}!/bericht_0001.txt"),
        "NL81 INGB 0003 8702 20",
    );
    assert_eq!(iban["entity"], "iban");
    assert_eq!(iban["line"], 11);
    assert!(iban.get("field").is_none(), "{iban}");
    let email = find(
        &found,
        &format!("{MAIL}!/export/klanten_2023.csv"),
        "anoukdejong@hotmail.com",
    );
    assert_eq!(email["entity"], "email");
    assert_eq!(email["line"], 3);
    assert_eq!(email["field"], "email");
}

#[test]
fn gzip_member_is_named_after_the_file_and_read_as_its_format() {
    let (_, found, _) = findings(crate_root(), &[LOG]);
    let email = find(
        &found,
        &format!("{LOG}!/app_2023.log"),
        "jeroen.bakker@ziggo.nl",
    );
    assert_eq!(email["entity"], "email");
    assert_eq!(email["line"], 7);
    // A table inside a .gz gets its fields.
    let dir = tree(&[(
        "klanten.csv.gz",
        &gzip_of(b"naam;email\nJan;jan.devries@hotmail.com\n"),
    )]);
    let (_, found, _) = findings(dir.path(), &[]);
    let email = find(
        &found,
        "klanten.csv.gz!/klanten.csv",
        "jan.devries@hotmail.com",
    );
    assert_eq!(email["field"], "email");
    assert_eq!(email["line"], 2);
}

#[test]
fn tar_gz_members_are_located() {
    let (_, found, _) = findings(crate_root(), &[TARGZ]);
    let vin = find(
        &found,
        &format!("{TARGZ}!/werkplaats/voertuigen.csv"),
        "WAUZZZGYZLA052871",
    );
    assert_eq!(vin["entity"], "vin");
    assert_eq!(vin["line"], 3);
    assert_eq!(vin["field"], "vin");
    let vin = find(
        &found,
        &format!("{TARGZ}!/werkplaats/notities.txt"),
        "WVWZZZAUZKP518204",
    );
    assert_eq!(vin["line"], 14);
}

#[test]
fn spreadsheet_cells_get_their_header_as_field_and_row_as_line() {
    let (_, found, _) = findings(crate_root(), &[XLSX]);
    let sheet = format!("{XLSX}!Klanten");
    let email = find(&found, &sheet, "p.vandijk@kpn.nl");
    assert_eq!(email["entity"], "email");
    assert_eq!(email["line"], 4);
    assert_eq!(email["field"], "email");
    assert_eq!(email["column"], 1);
    // A BSN stored as a number cell.
    let bsn = find(&found, &sheet, "485307005");
    assert_eq!(bsn["entity"], "bsn");
    assert_eq!(bsn["field"], "bsn");
    let vin = find(&found, &format!("{XLSX}!Voertuigen"), "WVWZZZE1ZRP012846");
    assert_eq!(vin["field"], "vin");
    assert_eq!(vin["line"], 2);
}

#[test]
fn members_and_sheets_are_inventory_entries_with_their_own_size_and_time() {
    let doc = inventory(crate_root(), &["fixtures/exports/archive"]);
    let files = doc["files"].as_array().unwrap();
    let entry = |path: String| {
        files
            .iter()
            .find(|f| f["path"] == path.as_str())
            .unwrap_or_else(|| panic!("no entry {path}"))
            .clone()
    };
    let member = entry(format!("{MAIL}!/export/klanten_2023.csv"));
    let csv_len: u64 =
        std::fs::read_to_string(crate_root().join("fixtures/exports/crm/klanten.csv"))
            .unwrap()
            .lines()
            .take(6)
            .map(|l| l.len() as u64 + 1)
            .sum();
    assert_eq!(member["size"], csv_len);
    // The member's own time, written into the archive, not the file's.
    assert!(
        member["modified"]
            .as_str()
            .unwrap()
            .starts_with("2023-06-30"),
        "{member}"
    );
    assert!(
        entry(format!("{LOG}!/app_2023.log"))["modified"]
            .as_str()
            .unwrap()
            .starts_with("2023-06-30")
    );
    assert_eq!(
        entry(format!("{XLSX}!Klanten"))["entities"]["bsn"]["count"],
        5
    );
    assert_eq!(
        entry(format!("{XLSX}!Voertuigen"))["entities"]["vin"]["count"],
        5
    );
}

// ---- nesting ----------------------------------------------------------

/// `levels` zips, each holding a text with an e-mail address and the next.
fn nested_zip(levels: usize) -> Vec<u8> {
    let mut inner = zip_of(&[("mail.txt", EMAIL_LINE)], deflated());
    for _ in 1..levels {
        inner = zip_of(
            &[("mail.txt", EMAIL_LINE), ("inner.zip", &inner)],
            deflated(),
        );
    }
    inner
}

#[test]
fn nested_archives_are_opened_up_to_the_depth_limit() {
    let dir = tree(&[("a.zip", &nested_zip(5)), ("b.txt", EMAIL_LINE)]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for path in [
        "a.zip!/mail.txt",
        "a.zip!/inner.zip!/mail.txt",
        "a.zip!/inner.zip!/inner.zip!/mail.txt",
        "b.txt",
    ] {
        assert!(paths.contains(&path), "{path} not in {paths:?}");
    }
    assert_eq!(paths.len(), 4, "{paths:?}");
    let doc = inventory(dir.path(), &[]);
    let deep = skipped_entry(&doc, "a.zip!/inner.zip!/inner.zip!/inner.zip");
    assert_eq!(deep["reason"], "limit_hit");
    // The detail names both ways to move the limit.
    let detail = deep["detail"].as_str().unwrap();
    assert!(
        detail.contains("--max-archive-depth") && detail.contains("limits.max_archive_depth"),
        "{deep}"
    );
    // The flag moves the limit.
    let (_, found, _) = findings(dir.path(), &["--max-archive-depth", "1"]);
    assert_eq!(found.len(), 2, "{found:?}");
    // So does the configuration file, and the flag still wins over it.
    std::fs::write(
        dir.path().join(".piiscan.toml"),
        "[limits]\nmax_archive_depth = 2\n",
    )
    .unwrap();
    let (_, found, _) = findings(dir.path(), &[]);
    assert_eq!(found.len(), 3, "{found:?}");
    let (_, found, _) = findings(dir.path(), &["--max-archive-depth", "1"]);
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn nested_zip_bomb_is_stopped_by_depth_and_budget() {
    // Every layer holds the next one 8 times: 8^5 leaves of 1 MiB of zeros
    // if fully unpacked, in a file of a few kilobytes.
    let mut layer = zip_of(&[("zeros.txt", &vec![b'0'; 1 << 20])], deflated());
    for _ in 0..5 {
        let names: Vec<String> = (0..8).map(|i| format!("l{i}.zip")).collect();
        let members: Vec<(&str, &[u8])> = names
            .iter()
            .map(|n| (n.as_str(), layer.as_slice()))
            .collect();
        layer = zip_of(&members, deflated());
    }
    assert!(layer.len() < 1 << 20, "the bomb is {} bytes", layer.len());
    let dir = tree(&[("bomb.zip", &layer), ("after.txt", EMAIL_LINE)]);
    let doc = inventory(
        dir.path(),
        &["--max-archive-bytes", "16M", "--max-archive-depth", "10"],
    );
    let bomb = skipped_entry(&doc, "bomb.zip");
    assert_eq!(bomb["reason"], "limit_hit", "{bomb}");
    assert!(
        bomb["detail"]
            .as_str()
            .unwrap()
            .contains("--max-archive-bytes"),
        "{bomb}"
    );
    assert!(doc["scan"]["bytes_scanned"].as_u64().unwrap() <= 16 << 20);
    // The scan went on.
    let files = doc["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "after.txt"), "{files:?}");
    // With the default depth the layers below 3 are not even opened.
    let doc = inventory(dir.path(), &[]);
    let skipped = doc["scan"]["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|s| s["reason"] == "limit_hit"
            && s["detail"]
                .as_str()
                .unwrap()
                .contains("--max-archive-depth")),
        "{skipped:#?}"
    );
}

// ---- bombs ------------------------------------------------------------

#[test]
fn zip_bomb_is_stopped_at_the_ratio_and_the_scan_goes_on() {
    let zeros = vec![0u8; 8 << 20];
    let dir = tree(&[
        (
            "bomb.zip",
            &zip_of(
                &[("zeros.txt", &zeros), ("mail.txt", EMAIL_LINE)],
                deflated(),
            ),
        ),
        ("after.txt", EMAIL_LINE),
    ]);
    let doc = inventory(dir.path(), &[]);
    let member = skipped_entry(&doc, "bomb.zip!/zeros.txt");
    assert_eq!(member["reason"], "limit_hit", "{member}");
    assert!(
        member["detail"].as_str().unwrap().contains("ratio"),
        "{member}"
    );
    // Stopped after about a megabyte, not after 8.
    assert!(doc["scan"]["bytes_scanned"].as_u64().unwrap() < 4 << 20);
    let files: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"after.txt"), "{files:?}");
    assert!(files.contains(&"bomb.zip!/mail.txt"), "{files:?}");
}

#[test]
fn gzip_bomb_is_stopped_at_the_ratio() {
    let dir = tree(&[
        ("huge.log.gz", &gzip_of(&vec![b'a'; 8 << 20])),
        ("after.txt", EMAIL_LINE),
    ]);
    let doc = inventory(dir.path(), &[]);
    let member = skipped_entry(&doc, "huge.log.gz!/huge.log");
    assert_eq!(member["reason"], "limit_hit", "{member}");
    assert_eq!(member["partial"], true);
    assert!(doc["scan"]["bytes_scanned"].as_u64().unwrap() < 4 << 20);
    // A ratio the data stays under lets it through.
    let doc = inventory(dir.path(), &["--max-archive-ratio", "100000"]);
    assert!(doc["scan"]["skipped"].as_array().unwrap().is_empty());
}

#[test]
fn the_byte_budget_stops_an_archive_and_says_what_was_not_scanned() {
    let rows: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("regel {i} met wat tekst erin\n").into_bytes())
        .collect();
    let members: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("deel{i}.txt"), rows.clone()))
        .collect();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let dir = tree(&[("delen.tar", &tar_of(&refs))]);
    let tgz = gzip_of(&std::fs::read(dir.path().join("delen.tar")).unwrap());
    std::fs::write(dir.path().join("delen.tar.gz"), tgz).unwrap();
    std::fs::remove_file(dir.path().join("delen.tar")).unwrap();
    let doc = inventory(dir.path(), &["--max-archive-bytes", "1M"]);
    let archive = skipped_entry(&doc, "delen.tar.gz");
    assert_eq!(archive["reason"], "limit_hit", "{archive}");
    assert_eq!(archive["partial"], true);
}

// ---- damage -------------------------------------------------------------

#[test]
fn truncated_gzip_keeps_what_was_read_and_says_it_is_corrupt() {
    let mut text = EMAIL_LINE.to_vec();
    for i in 0..50_000 {
        text.extend_from_slice(
            format!("regel {i}: niets bijzonders {}\n", i * 7919 % 1000).as_bytes(),
        );
    }
    let gz = gzip_of(&text);
    let cut = &gz[..gz.len() / 2];
    let dir = tree(&[("app.log.gz", cut), ("after.txt", EMAIL_LINE)]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    find(&found, "app.log.gz!/app.log", "jan.devries@hotmail.com");
    find(&found, "after.txt", "jan.devries@hotmail.com");
    let doc = inventory(dir.path(), &[]);
    let member = skipped_entry(&doc, "app.log.gz!/app.log");
    assert_eq!(member["reason"], "corrupt", "{member}");
    assert_eq!(member["partial"], true);
}

#[test]
fn corrupt_zips_are_reported_and_the_scan_goes_on() {
    let mut damaged = zip_of(&[("mail.txt", &EMAIL_LINE.repeat(2000))], deflated());
    // Flip bytes in the middle of the compressed data.
    let mid = damaged.len() / 3;
    for b in &mut damaged[mid..mid + 16] {
        *b ^= 0x5A;
    }
    let dir = tree(&[
        ("garbage.zip", b"PK\x03\x04 this is not really a zip file"),
        ("garbage.tar", &[b'x'; 1024]),
        ("damaged.zip", &damaged),
        ("after.txt", EMAIL_LINE),
    ]);
    let doc = inventory(dir.path(), &[]);
    let garbage = skipped_entry(&doc, "garbage.zip");
    assert_eq!(garbage["reason"], "corrupt", "{garbage}");
    assert_eq!(garbage["partial"], false);
    let garbage = skipped_entry(&doc, "garbage.tar");
    assert_eq!(garbage["reason"], "corrupt", "{garbage}");
    assert_eq!(garbage["partial"], false);
    let member = skipped_entry(&doc, "damaged.zip!/mail.txt");
    assert_eq!(member["reason"], "corrupt", "{member}");
    let files = doc["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "after.txt"), "{files:?}");
}

#[test]
fn encrypted_zip_members_are_skipped_with_their_reason() {
    let mut z = zip_of(
        &[("geheim.txt", EMAIL_LINE), ("open.txt", EMAIL_LINE)],
        stored(),
    );
    // Set the "encrypted" flag of the first member in its local and central
    // headers: readers then treat its data as ciphertext.
    let local = find_bytes(&z, b"PK\x03\x04").unwrap();
    z[local + 6] |= 1;
    let central = find_bytes(&z, b"PK\x01\x02").unwrap();
    z[central + 8] |= 1;
    let dir = tree(&[("kluis.zip", &z)]);
    let doc = inventory(dir.path(), &[]);
    let member = skipped_entry(&doc, "kluis.zip!/geheim.txt");
    assert_eq!(member["reason"], "encrypted", "{member}");
    let files = doc["files"].as_array().unwrap();
    assert!(
        files.iter().any(|f| f["path"] == "kluis.zip!/open.txt"),
        "{files:?}"
    );
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---- hostile names ------------------------------------------------------

#[test]
fn member_names_are_only_names_nothing_is_written() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("a/b/scan");
    std::fs::create_dir_all(&root).unwrap();
    let evil = [
        ("../../etc/passwd", EMAIL_LINE),
        ("../../escaped.txt", EMAIL_LINE),
        ("/tmp/absolute.txt", EMAIL_LINE),
    ];
    std::fs::write(root.join("evil.zip"), zip_of(&evil, deflated())).unwrap();
    std::fs::write(root.join("evil.tar"), tar_of(&evil)).unwrap();
    let before = listing(outer.path());
    let (code, found, _) = findings(&root, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(listing(outer.path()), before, "something was written");
    assert!(!outer.path().join("a/escaped.txt").exists());
    for archive in ["evil.zip", "evil.tar"] {
        for (name, _) in evil {
            find(
                &found,
                &format!("{archive}!/{name}"),
                "jan.devries@hotmail.com",
            );
        }
    }
}

#[test]
fn max_filesize_applies_to_members_by_their_unpacked_size() {
    let big = EMAIL_LINE.repeat(1000);
    let dir = tree(&[(
        "a.zip",
        &zip_of(&[("big.txt", &big), ("small.txt", EMAIL_LINE)], deflated()),
    )]);
    let doc = inventory(dir.path(), &["--max-filesize", "10K"]);
    let big = skipped_entry(&doc, "a.zip!/big.txt");
    assert_eq!(big["reason"], "too_large", "{big}");
    let files = doc["files"].as_array().unwrap();
    assert!(
        files.iter().any(|f| f["path"] == "a.zip!/small.txt"),
        "{files:?}"
    );
}

#[test]
fn depth_zero_opens_no_archives() {
    let doc = inventory(
        crate_root(),
        &["fixtures/exports/archive", "--max-archive-depth", "0"],
    );
    assert!(doc["files"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["scan"]["skipped_by_reason"]["limit_hit"], 4);
}

#[test]
fn a_workbook_over_the_byte_budget_is_not_opened() {
    let doc = inventory(crate_root(), &[XLSX, "--max-archive-bytes", "2K"]);
    let book = skipped_entry(&doc, XLSX);
    assert_eq!(book["reason"], "limit_hit", "{book}");
    assert_eq!(book["partial"], false);
}

// ---- word-processing and presentation documents ------------------------

#[test]
fn document_text_is_scanned_a_line_per_paragraph() {
    // A letter as Word writes it: a phone number split over two runs (the
    // second bold), a table row whose label gives a date of birth its
    // context, a header, an image, and layout parts.
    let body = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="urn:w"><w:body><w:p><w:r><w:t>Geachte heer Jansen,</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Bel ons op 06-</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>38215947</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Geboortedatum</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>02-11-1974</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;
    let header =
        br#"<w:hdr xmlns:w="urn:w"><w:p><w:r><w:t>info@autojansen.nl</w:t></w:r></w:p></w:hdr>"#;
    let styles =
        br#"<w:styles xmlns:w="urn:w"><w:style w:styleId="jan.devries@hotmail.com"/></w:styles>"#;
    let docx = zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", body),
            ("word/header1.xml", header),
            ("word/styles.xml", styles),
            ("word/media/image1.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ],
        deflated(),
    );
    let odt = zip_of(
        &[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            (
                "content.xml",
                br#"<office:document-content><office:body><office:text><text:h>Werkorder</text:h><text:p>Postcode<text:s/>1832<text:s/>TB Amsterdam</text:p></office:text></office:body></office:document-content>"#,
            ),
            ("meta.xml", b"<meta>piet@kpn.nl</meta>"),
        ],
        deflated(),
    );
    let dir = tree(&[("offerte.docx", &docx), ("werkorder.odt", &odt)]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let body = "offerte.docx!/word/document.xml";
    let phone = find(&found, body, "06-38215947");
    assert_eq!(
        (phone["line"].clone(), phone["column"].clone()),
        (2.into(), 12.into())
    );
    let birth = find(&found, body, "02-11-1974");
    assert_eq!(birth["entity"], "date_of_birth");
    assert_eq!(birth["line"], 3);
    find(
        &found,
        "offerte.docx!/word/header1.xml",
        "info@autojansen.nl",
    );
    let postcode = find(&found, "werkorder.odt!/content.xml", "1832 TB");
    assert_eq!(postcode["line"], 2);
    // Layout and metadata are not the document's text.
    assert_eq!(found.len(), 4, "{found:#?}");
    // The image is listed as not scanned, with its reason.
    let doc = inventory(dir.path(), &[]);
    assert_eq!(
        skipped_entry(&doc, "offerte.docx!/word/media/image1.png")["reason"],
        "binary"
    );
}

// ---- e-mail messages ---------------------------------------------------

#[test]
fn mail_bodies_are_decoded_and_attachments_opened() {
    const MAIL_EML: &str = "fixtures/exports/mail/bericht_0004.eml";
    let (_, found, _) = findings(crate_root(), &[MAIL_EML]);
    // Quoted-printable broke the address and the number at `=` line ends;
    // decoded, they are whole (read raw: `e@gmail.com`, and no number).
    let body = format!("{MAIL_EML}!/body");
    assert_eq!(
        find(&found, &body, "jose.martens.prive@gmail.com")["line"],
        2
    );
    find(&found, &body, "06-12345678");
    // The HTML alternative is read too: it differs from the text.
    find(
        &found,
        &format!("{MAIL_EML}!/body.html"),
        "jose.martens.private@gmail.com",
    );
    // A base64 attachment is a member like an archive's, with its columns.
    let bsn = find(&found, &format!("{MAIL_EML}!/klant.csv"), "111222333");
    assert_eq!(bsn["field"], "bsn");
    // Every part is as old as the message says (Tue, 14 Sep 2021 10:12:00
    // +0200), whenever the file was saved.
    let doc = inventory(crate_root(), &[MAIL_EML]);
    for f in doc["files"].as_array().unwrap() {
        assert_eq!(f["modified"], "2021-09-14T08:12:00Z", "{}", f["path"]);
    }
    // An attached message is opened in turn; headers keep their lines.
    find(
        &found,
        &format!("{MAIL_EML}!/attachment 2.eml!/body"),
        "52-RTH-8",
    );
    assert_eq!(
        find(
            &found,
            &format!("{MAIL_EML}!/headers"),
            "verkoop@autojansen.nl"
        )["line"],
        2
    );

    // Only HTML, in base64 and Windows-1252; and a message cut off inside
    // its base64 attachment.
    let html_only = "From: a@b.nl\r\nContent-Type: text/html; charset=windows-1252\r\n\
                     Content-Transfer-Encoding: base64\r\n\r\n"
        .to_string()
        + &base64_lines(b"<p>Caf\xe9 De Kroon</p><p>tel. 06-38215947</p>");
    let cut = "From: a@b.nl\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n\
               Content-Type: text/plain\r\n\r\nzie bijlage, piet@kpn.nl\r\n--B\r\n\
               Content-Type: text/csv; name=\"x.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
               bmFhbTtic24KSmFuOzExMTIy";
    let dir = tree(&[
        ("html.eml", html_only.as_bytes()),
        ("cut.eml", cut.as_bytes()),
    ]);
    let (_, found, summary) = findings(dir.path(), &[]);
    assert_eq!(find(&found, "html.eml!/body", "06-38215947")["line"], 2);
    find(&found, "cut.eml!/body", "piet@kpn.nl");
    assert_eq!(summary["skipped_by_reason"], serde_json::json!({}));
}

/// `data` in base64, 76 characters a line, as mail writes it.
fn base64_lines(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned() + "\r\n")
        .collect()
}

// ---- mailboxes -----------------------------------------------------------

#[test]
fn mailbox_messages_are_members_dated_by_their_from_lines() {
    const MBOX: &str = "fixtures/exports/mail/werkplaats_archief.mbox";
    let (_, found, _) = findings(crate_root(), &[MBOX]);
    // Each message is opened as an `.eml` file is: quoted-printable
    // decoded, attachments with their columns.
    assert_eq!(
        find(&found, &format!("{MBOX}!/message 1!/body"), "06-24681357")["line"],
        3
    );
    find(&found, &format!("{MBOX}!/message 2!/body"), "030-2345678");
    let bsn = find(
        &found,
        &format!("{MBOX}!/message 3!/klanten_juni.csv"),
        "187654323",
    );
    assert_eq!(bsn["field"], "bsn");
    assert!(
        found
            .iter()
            .all(|f| !f["path"].as_str().unwrap().contains("message 4")),
        "a `>From ` line in a body starts no message"
    );
    // A message's parts are as old as the message, for retention: its Date
    // header (16:39:58 +01:00), not the time the mailbox was written.
    let doc = inventory(crate_root(), &[MBOX]);
    let modified = |path: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in the inventory"))["modified"]
            .clone()
    };
    assert_eq!(
        modified(&format!("{MBOX}!/message 2!/body")),
        "2017-11-22T15:39:58Z"
    );
    assert_eq!(
        modified(&format!("{MBOX}!/message 3!/klanten_juni.csv")),
        "2019-06-03T09:05:10Z"
    );
}

#[test]
fn mail_program_folders_compressed_mailboxes_and_look_alikes() {
    let mailbox = b"From - Sat Jan 03 01:05:34 2015\r\nX-Mozilla-Status: 0001\r\n\
                    From: Jan <jan.smit@ziggo.nl>\r\n\r\nBel 06-38215947.\r\n";
    let gz = gzip_of(mailbox);
    // A profile backed up whole: its folders are members without an
    // extension, known by their start as files are.
    let profile = zip_of(
        &[
            ("Mail/Local Folders/Inbox", &mailbox[..]),
            ("Mail/Local Folders/Notes", b"From here on: 06-38215947\n"),
        ],
        zip::write::SimpleFileOptions::default(),
    );
    let profile_tar = tar_of(&[("Mail/Inbox", &mailbox[..])]);
    let dir = tree(&[
        // A mail program's folder has no extension: known by its start.
        ("Inbox", &mailbox[..]),
        ("oud.mbox.gz", &gz),
        ("profiel.zip", &profile),
        ("profiel.tar", &profile_tar),
        // Named a mailbox, but not one: read as text.
        ("notities.mbox", b"Terugbellen: 06-38215947\n"),
        // Starts like one but has no extension and no date: plain text.
        ("From", b"From the workshop: 06-38215947\n"),
    ]);
    let (_, found, summary) = findings(dir.path(), &[]);
    assert_eq!(
        find(&found, "Inbox!/message 1!/body", "06-38215947")["line"],
        1
    );
    find(&found, "Inbox!/message 1!/headers", "jan.smit@ziggo.nl");
    // Without a Date header, the `From ` line dates the message.
    let doc = inventory(dir.path(), &[]);
    let body = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Inbox!/message 1!/body")
        .expect("the message's body in the inventory");
    assert_eq!(body["modified"], "2015-01-03T01:05:34Z");
    find(
        &found,
        "oud.mbox.gz!/oud.mbox!/message 1!/body",
        "06-38215947",
    );
    find(&found, "notities.mbox", "06-38215947");
    find(&found, "From", "06-38215947");
    find(
        &found,
        "profiel.zip!/Mail/Local Folders/Inbox!/message 1!/body",
        "06-38215947",
    );
    find(
        &found,
        "profiel.zip!/Mail/Local Folders/Notes",
        "06-38215947",
    );
    find(
        &found,
        "profiel.tar!/Mail/Inbox!/message 1!/headers",
        "jan.smit@ziggo.nl",
    );
    assert_eq!(summary["skipped_by_reason"], serde_json::json!({}));
}

// ---- Outlook messages --------------------------------------------------

const OUTLOOK_MSG: &str = "fixtures/exports/mail/bericht_0005.msg";

#[test]
fn outlook_messages_are_read_like_mail() {
    let (code, found, summary) = findings(crate_root(), &[OUTLOOK_MSG]);
    assert_eq!(code, Some(1));
    // Header lines made from the sender and the recipients' storages.
    let part = |name: &str| format!("{OUTLOOK_MSG}!/{name}");
    assert_eq!(
        find(&found, &part("headers"), "marieke.bos@gmail.com")["line"],
        3
    );
    assert_eq!(find(&found, &part("body"), "GZ-915-X")["line"], 2);
    find(&found, &part("body"), "NL46 RABO 0371 8462 05");
    // The HTML body as its text, a line per paragraph.
    assert_eq!(find(&found, &part("body.html"), "06-41827360")["line"], 3);
    // The attachment is a member like an archive's, with its columns.
    let bsn = find(&found, &part("bestuurders_leenauto.csv"), "945807302");
    assert_eq!(bsn["field"], "bsn");
    assert_eq!(summary["skipped_by_reason"], serde_json::json!({}));

    let doc = inventory(crate_root(), &[OUTLOOK_MSG]);
    let mut paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            part("bestuurders_leenauto.csv"),
            part("body"),
            part("body.html"),
            part("headers"),
        ],
        "{doc:#}"
    );
    // Every part is as old as the message: the time it was sent.
    for f in doc["files"].as_array().unwrap() {
        assert_eq!(f["modified"], "2024-05-06T08:41:00Z", "{}", f["path"]);
    }
}

#[test]
fn outlook_html_only_attached_messages_and_code_pages() {
    use outlook::*;
    // Only an HTML body, as bytes in Windows-1252.
    let html_only = Msg::new()
        .binary(HTML, b"<p>Caf\xe9 De Kroon</p><p>tel. 06-38215947</p>")
        .long(INTERNET_CPID, 1252)
        .build();
    // A forwarded message attached as a message, with its own attachment.
    let forwarded = Msg::new()
        .text(SUBJECT, "Proefrit")
        .text(SENDER_SMTP_ADDRESS, "piet.bakker@kpn.nl")
        .text(BODY, "kenteken 52-RTH-8")
        .attach("klant.csv", b"naam;bsn\nJan;111222333\n");
    let outer = Msg::new()
        .text(BODY, "zie het doorgestuurde bericht")
        // Outlook names an attached message by its subject, which is
        // content: the member is `attachment 1.msg`.
        .attach_message(Some("Proefrit 06-38215947"), forwarded.clone())
        .attach_message(None, Msg::new().text(BODY, "piet@kpn.nl"))
        .build();
    // Text in the message's code page: UTF-8 here, so `ë` is one
    // character and the address's column is counted right.
    let utf8 = Msg::new()
        .text8(BODY, "Zoë Café, jan.devries@hotmail.com".as_bytes())
        .long(MESSAGE_CODEPAGE, 65001)
        .build();
    // Without a code page, 8-bit text is Windows-1252.
    let western = Msg::new()
        .text8(SUBJECT, b"Caf\xe9 \xe9\xe9n: 06-38215947")
        .build();
    // A .msg saved as a file in a zip, as exports of mailboxes are.
    let zipped = zip_of(&[("postvak/a.msg", &forwarded.build())], deflated());
    let dir = tree(&[
        ("html.msg", &html_only),
        ("nested.msg", &outer),
        ("utf8.msg", &utf8),
        ("western.msg", &western),
        ("postvak.zip", &zipped),
    ]);
    let (_, found, summary) = findings(dir.path(), &[]);
    assert_eq!(
        find(&found, "html.msg!/body.html", "06-38215947")["line"],
        2
    );
    find(&found, "nested.msg!/attachment 1.msg!/body", "52-RTH-8");
    find(
        &found,
        "nested.msg!/attachment 1.msg!/headers",
        "piet.bakker@kpn.nl",
    );
    let bsn = find(
        &found,
        "nested.msg!/attachment 1.msg!/klant.csv",
        "111222333",
    );
    assert_eq!(bsn["field"], "bsn");
    find(&found, "nested.msg!/attachment 2.msg!/body", "piet@kpn.nl");
    assert!(
        found
            .iter()
            .all(|f| !f["path"].as_str().unwrap().contains("Proefrit")),
        "a subject named a member"
    );
    assert_eq!(
        find(&found, "utf8.msg!/body", "jan.devries@hotmail.com")["column"],
        11
    );
    assert_eq!(
        find(&found, "western.msg!/headers", "06-38215947")["column"],
        20
    );
    find(&found, "postvak.zip!/postvak/a.msg!/body", "52-RTH-8");
    find(&found, "postvak.zip!/postvak/a.msg!/klant.csv", "111222333");
    assert_eq!(summary["skipped_by_reason"], serde_json::json!({}));

    // Attached messages count as archive layers.
    let (_, found, _) = findings(dir.path(), &["--max-archive-depth", "1", "nested.msg"]);
    assert!(
        !found
            .iter()
            .any(|f| f["path"] == "nested.msg!/attachment 1.msg!/body"),
        "{found:#?}"
    );
    let doc = inventory(dir.path(), &["--max-archive-depth", "1", "nested.msg"]);
    let skipped = skipped_entry(&doc, "nested.msg!/attachment 1.msg");
    assert_eq!(skipped["reason"], "limit_hit");
}

#[test]
fn a_damaged_outlook_rtf_body_and_an_ole_object_are_listed() {
    use outlook::*;
    let damaged_rtf = Msg::new()
        .text(SENDER_SMTP_ADDRESS, "jan.devries@hotmail.com")
        .binary(
            RTF_COMPRESSED,
            b"\x2d\0\0\0\x2b\0\0\0LZFu\0\0\0\0{\\rtf1 piet@kpn.nl}",
        )
        .attach("notitie.txt", b"bel 06-38215947\n")
        .build();
    let ole = Msg::new()
        .text(BODY, "tekening in de bijlage")
        .attach_ole("tekening")
        .build();
    let dir = tree(&[("rtf.msg", &damaged_rtf), ("ole.msg", &ole)]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    // What could be read is scanned.
    find(&found, "rtf.msg!/headers", "jan.devries@hotmail.com");
    find(&found, "rtf.msg!/notitie.txt", "06-38215947");
    let doc = inventory(dir.path(), &[]);
    let rtf = skipped_entry(&doc, "rtf.msg");
    assert_eq!(rtf["reason"], "corrupt");
    assert_eq!(rtf["partial"], true);
    assert!(
        rtf["detail"]
            .as_str()
            .unwrap()
            .starts_with("compressed RTF body: truncated"),
        "{rtf}"
    );
    let object = skipped_entry(&doc, "ole.msg!/tekening");
    assert_eq!(object["reason"], "unsupported");
}

// ---- PDF documents -----------------------------------------------------

const INVOICE: &str = "fixtures/exports/documenten/factuur_2024-0917.pdf";

#[test]
fn pdf_pages_are_members_named_by_their_number() {
    let (code, found, _) = findings(crate_root(), &[INVOICE]);
    assert_eq!(code, Some(1));
    let page1 = format!("{INVOICE}!/page 1");
    let page2 = format!("{INVOICE}!/page 2");
    // `line` is the line of text on the page, as drawn.
    assert_eq!(find(&found, &page1, "06-41827395")["line"], 11);
    assert_eq!(find(&found, &page1, "GZ-915-X")["line"], 14);
    // Page 2 is drawn in a subset font that only its ToUnicode map reads.
    let iban = find(&found, &page2, "NL59 INGB 0518 2736 44");
    assert_eq!(
        (iban["line"].clone(), iban["column"].clone()),
        (5.into(), 6.into())
    );
    let doc = inventory(crate_root(), &[INVOICE]);
    assert_eq!(doc["scan"]["skipped"], serde_json::json!([]), "{doc:#}");
    // Without --reveal nothing on a page is shown.
    let out = run_in(crate_root(), &["scan", INVOICE]);
    let shown = stdout(&out);
    assert!(shown.contains("page 2"), "{shown}");
    assert!(!shown.contains("0518 2736"), "{shown}");
}

#[test]
fn words_split_over_kerning_fonts_and_operators_are_whole() {
    let pdf = simple_pdf(&[
        b"BT /F1 10 Tf 72 700 Td [(Tel. 06-3821) -30 (5947)] TJ ET\n\
          BT /F1 10 Tf 72 686 Td [(jan.de) 20 (vries@kpn.nl)] TJ ET\n\
          BT /F1 10 Tf 72 672 Td [(Kenteken) -600 (52-RTH-8)] TJ ET\n\
          BT /F1 10 Tf 72 658 Td (Postcode ) Tj (1832 ) Tj (TB) Tj ET",
    ]);
    let dir = tree(&[("offerte.pdf", &pdf)]);
    let (_, found, _) = findings(dir.path(), &[]);
    let page = "offerte.pdf!/page 1";
    assert_eq!(find(&found, page, "06-38215947")["line"], 1);
    assert_eq!(find(&found, page, "jan.devries@kpn.nl")["line"], 2);
    // A wide kerning gap is a space: the plate is a word of its own.
    let plate = find(&found, page, "52-RTH-8");
    assert_eq!(
        (plate["line"].clone(), plate["column"].clone()),
        (3.into(), 10.into())
    );
    assert_eq!(find(&found, page, "1832 TB")["line"], 4);
}

#[test]
fn a_pdf_without_text_is_listed_as_not_read_and_empty_pages_are_not_members() {
    // A scan: each page only paints an image.
    let scanned = simple_pdf(&[
        b"q 595 0 0 842 0 0 cm 0.5 g 0 0 1 1 re f Q",
        b"q 595 0 0 842 0 0 cm 0.5 g 0 0 1 1 re f Q",
    ]);
    let mixed = simple_pdf(&[
        b"BT /F1 10 Tf 72 700 Td (piet@kpn.nl) Tj ET",
        b"0 0 1 rg 10 10 100 100 re f",
        b"BT /F1 10 Tf 72 700 Td (06-38215947) Tj ET",
    ]);
    let dir = tree(&[("scan_0042.pdf", &scanned), ("brief.pdf", &mixed)]);
    let doc = inventory(dir.path(), &[]);
    let scan = skipped_entry(&doc, "scan_0042.pdf");
    assert_eq!(scan["reason"], "unsupported", "{scan}");
    assert_eq!(scan["detail"], "a PDF with no text (scanned images?)");
    let files: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"brief.pdf!/page 1"), "{files:?}");
    assert!(files.contains(&"brief.pdf!/page 3"), "{files:?}");
    assert!(!files.contains(&"brief.pdf!/page 2"), "{files:?}");
}

#[test]
fn a_pdf_is_known_by_its_signature_whatever_its_name() {
    let pdf = simple_pdf(&[b"BT /F1 10 Tf 72 700 Td (IBAN NL59 INGB 0518 2736 44) Tj ET"]);
    let zip = zip_of(&[("bijlage.bin", &pdf)], deflated());
    let dir = tree(&[
        ("factuur_0917", &pdf),
        ("download.dat", &pdf),
        ("export.zip", &zip),
    ]);
    let (_, found, _) = findings(dir.path(), &[]);
    let mut paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "download.dat!/page 1",
            "export.zip!/bijlage.bin!/page 1",
            "factuur_0917!/page 1"
        ]
    );
}

#[test]
fn an_encrypted_pdf_is_read_without_a_password_or_listed_as_encrypted() {
    let plain = simple_pdf(&[b"BT /F1 10 Tf 72 700 Td (piet@kpn.nl) Tj ET"]);
    let encrypted = |user_password: &str| encrypted_pdf(&plain, user_password);
    let dir = tree(&[
        ("beveiligd.pdf", &encrypted("geheim")),
        ("alleen-eigenaar.pdf", &encrypted("")),
    ]);
    let (_, found, _) = findings(dir.path(), &[]);
    find(&found, "alleen-eigenaar.pdf!/page 1", "piet@kpn.nl");
    assert_eq!(found.len(), 1, "{found:#?}");
    let doc = inventory(dir.path(), &[]);
    let locked = skipped_entry(&doc, "beveiligd.pdf");
    assert_eq!(locked["reason"], "encrypted", "{locked}");
    assert_eq!(
        locked["detail"],
        "an encrypted PDF (no password to read it with)"
    );
}

// RTF

/// The inventory entry (scanned or skipped) of `path`.
fn file_entry<'a>(doc: &'a Value, path: &str) -> &'a Value {
    let files = doc["files"].as_array().unwrap();
    files
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not among files: {files:#?}"))
}

#[test]
fn an_outlook_body_only_in_compressed_rtf_is_read_as_body_rtf() {
    use outlook::*;
    let message = Msg::new()
        .text(SENDER_SMTP_ADDRESS, "werkplaats@autojansen.nl")
        .time(CLIENT_SUBMIT_TIME, MAY_6_2024)
        .rtf(
            b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\r\n\
              {\\colortbl;\\red0\\green0\\blue0;}\\pard\\f0\\fs20 Beste Jos\\'e9,\\par\r\n\
              Bel ons gerust op {\\b 06-41827360}.\\par\r\n\
              Of mail naar\\~j.bakker@ziggo.nl\\par\r\n}",
        )
        .build();
    let dir = tree(&[("afspraak.msg", &message)]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let phone = find(&found, "afspraak.msg!/body.rtf", "06-41827360");
    assert_eq!(phone["line"], 2, "{phone}");
    let email = find(&found, "afspraak.msg!/body.rtf", "j.bakker@ziggo.nl");
    assert_eq!(email["line"], 3, "{email}");
    assert_eq!(email["column"], 14, "{email}");
    let doc = inventory(dir.path(), &[]);
    assert!(
        doc["scan"]["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["path"].as_str().unwrap().starts_with("afspraak.msg")),
        "{doc:#}"
    );
    // As old as the message's other parts.
    assert_eq!(
        file_entry(&doc, "afspraak.msg!/body.rtf")["modified"],
        file_entry(&doc, "afspraak.msg!/headers")["modified"]
    );
}

/// A letter as WordPad writes it: a font table, escapes in Windows-1252,
/// a phone number in formatting groups and a euro sign as `\u8364?`.
const RTF_LETTER: &[u8] =
    b"{\\rtf1\\ansi\\ansicpg1252\\deff0\\nouicompat{\\fonttbl{\\f0\\fnil\\fcharset0 Calibri;}}\r\n\
{\\*\\generator Riched20 10.0.19041}\\viewkind4\\uc1\r\n\
\\pard\\sa200\\sl276\\slmult1\\f0\\fs22\\lang1043 Geachte heer Ren\\'e9 de Wit,\\par\r\n\
Uw nummer 06-{\\b 38}{\\i 21}5947 staat genoteerd.\\par\r\n\
Het bedrag van \\u8364? 1.250 gaat naar NL46 RABO 0371 8462 05.\\par\r\n\
}\r\n";

#[test]
fn an_rtf_file_is_read_as_its_text_a_line_per_paragraph() {
    let dir = tree(&[("brief_klant.RTF", RTF_LETTER)]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(paths.iter().all(|p| *p == "brief_klant.RTF"), "{paths:?}");
    // Whole again across the formatting groups, on its paragraph.
    let phone = find(&found, "brief_klant.RTF", "06-38215947");
    assert_eq!((&phone["line"], &phone["column"]), (&2.into(), &11.into()));
    // `\u8364?` is one character, its stand-in skipped; the escapes of
    // the line above are letters, not `\'e9`.
    let iban = find(&found, "brief_klant.RTF", "NL46 RABO 0371 8462 05");
    assert_eq!((&iban["line"], &iban["column"]), (&3.into(), &34.into()));
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn a_doc_that_is_rtf_and_rtf_in_a_zip_are_read_as_rtf() {
    let zip = zip_of(&[("brieven/brief.rtf", RTF_LETTER)], deflated());
    let dir = tree(&[
        ("brief.doc", RTF_LETTER),
        ("export.zip", &zip),
        ("bijlage", RTF_LETTER),
    ]);
    let (_, found, _) = findings(dir.path(), &[]);
    for path in ["brief.doc", "export.zip!/brieven/brief.rtf", "bijlage"] {
        let phone = find(&found, path, "06-38215947");
        assert_eq!(phone["line"], 2, "{path}: {phone}");
        find(&found, path, "NL46 RABO 0371 8462 05");
    }
    assert_eq!(found.len(), 6, "{found:#?}");
}

#[test]
fn rtf_is_read_at_any_archive_depth() {
    // An RTF document opens no archive layer: with archives not opened at
    // all it is still read, inside a zip at the deepest layer allowed too.
    let zip = zip_of(&[("brief.rtf", RTF_LETTER)], deflated());
    let dir = tree(&[("brief.rtf", RTF_LETTER), ("export.zip", &zip)]);
    let (_, found, _) = findings(dir.path(), &["--max-archive-depth", "0"]);
    find(&found, "brief.rtf", "06-38215947");
    let (_, found, _) = findings(dir.path(), &["--max-archive-depth", "1"]);
    find(&found, "export.zip!/brief.rtf", "06-38215947");
}

// PDF metadata, forms, annotations, embedded files

/// A test-drive form (proefrit) as a dealership's system fills it in: the
/// employee in its document information and XMP packet, the customer in
/// its form, a comment on the page, and the customer list and an
/// e-invoice's XML embedded in it.
fn filled_in_pdf() -> Vec<u8> {
    let page = pdf_stream(
        "/Filter /FlateDecode",
        &zlib_of(b"BT /F1 12 Tf 72 700 Td (Proefritformulier) Tj ET"),
    );
    let xmp = b"<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>\n\
        <x:xmpmeta xmlns:x='adobe:ns:meta/'>\n\
        <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n\
        <rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/'>\n\
        <dc:creator><rdf:Seq><rdf:li>s.bakker@autovanleeuwen.nl</rdf:li></rdf:Seq></dc:creator>\n\
        </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end='w'?>";
    let objects = vec![
        // 6: the document information.
        b"<< /Title (Proefrit) /Author (S. Bakker, verkoop@autovanleeuwen.nl) /Producer (DMS 4.2) >>"
            .to_vec(),
        // 7: the XMP packet.
        pdf_stream("/Type /Metadata /Subtype /XML", xmp),
        // 8-10: the form: klant.naam and klant.telefoon; 11: kenteken.
        b"<< /T (klant) /Kids [9 0 R 10 0 R] >>".to_vec(),
        b"<< /T (naam) /FT /Tx /Parent 8 0 R /V (R. Verhoeven) >>".to_vec(),
        b"<< /T (telefoon) /FT /Tx /Parent 8 0 R /V (06-41827395) >>".to_vec(),
        b"<< /T (kenteken) /FT /Tx /V (GZ-915-X) >>".to_vec(),
        // 12: a comment on page 1.
        b"<< /Type /Annot /Subtype /Text /T (S. Bakker) /Contents (Klant mailt rijbewijs naar r.verhoeven@ziggo.nl) >>"
            .to_vec(),
        // 13-17: the embedded files' name tree and two files.
        b"<< /Names [(factur-x.xml) 14 0 R (klanten.csv) 16 0 R] >>".to_vec(),
        file_spec("factur-x.xml", 15),
        embedded_file(
            b"<Invoice>\n<Buyer>\n<Name>R. Verhoeven</Name>\n<IBAN>NL59 INGB 0518 2736 44</IBAN>\n</Buyer>\n</Invoice>\n",
            "/ModDate (D:20240318101500+01'00')",
        ),
        file_spec("klanten.csv", 17),
        embedded_file(b"naam;telefoon\nR. Verhoeven;06-41827395\n", ""),
    ];
    pdf_document_with(
        &[page],
        HELVETICA,
        &objects,
        &PdfParts {
            catalog: "/Metadata 7 0 R /AcroForm << /Fields [8 0 R 11 0 R] >> /Names << /EmbeddedFiles 13 0 R >>",
            pages: &["/Annots [12 0 R]"],
            trailer: "/Info 6 0 R",
        },
    )
}

#[test]
fn pdf_metadata_form_comments_and_embedded_files_are_members() {
    let dir = tree(&[("proefrit.pdf", &filled_in_pdf())]);
    let (code, found, _) = findings(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let author = find(
        &found,
        "proefrit.pdf!/metadata",
        "verkoop@autovanleeuwen.nl",
    );
    assert_eq!(author["line"], 2);
    let creator = find(
        &found,
        "proefrit.pdf!/metadata.xml",
        "s.bakker@autovanleeuwen.nl",
    );
    assert_eq!(creator["field"], "xmpmeta/RDF/Description/creator/Seq/li");
    // A form's value is named by the field it was typed into.
    let phone = find(&found, "proefrit.pdf!/form", "06-41827395");
    assert_eq!(
        (phone["line"].clone(), phone["field"].clone()),
        (2.into(), "klant.telefoon".into())
    );
    assert_eq!(
        find(&found, "proefrit.pdf!/form", "GZ-915-X")["field"],
        "kenteken"
    );
    let comment = find(
        &found,
        "proefrit.pdf!/page 1 annotations",
        "r.verhoeven@ziggo.nl",
    );
    assert_eq!(comment["line"], 2);
    // Embedded files are read as archive members are: XML by element
    // path, a CSV by column.
    let iban = find(
        &found,
        "proefrit.pdf!/factur-x.xml",
        "NL59 INGB 0518 2736 44",
    );
    assert_eq!(iban["field"], "Invoice/Buyer/IBAN");
    assert_eq!(iban["line"], 4);
    let listed = find(&found, "proefrit.pdf!/klanten.csv", "06-41827395");
    assert_eq!(
        (listed["line"].clone(), listed["field"].clone()),
        (2.into(), "telefoon".into())
    );
    // The page without personal data is read and has none.
    assert!(
        !found.iter().any(|f| f["path"] == "proefrit.pdf!/page 1"),
        "{found:#?}"
    );
    let doc = inventory(dir.path(), &[]);
    assert_eq!(doc["scan"]["skipped"], serde_json::json!([]), "{doc:#}");
    // Each is an entry of the inventory; an embedded file has its own time.
    let entry = |path: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} not listed: {doc:#}"))
            .clone()
    };
    let invoice = entry("proefrit.pdf!/factur-x.xml");
    assert!(
        invoice["modified"]
            .as_str()
            .unwrap()
            .starts_with("2024-03-18T09:15:00"),
        "{invoice}"
    );
    entry("proefrit.pdf!/form");
    entry("proefrit.pdf!/page 1 annotations");
}

#[test]
fn a_pdf_with_a_form_but_no_text_on_its_pages_is_partly_read() {
    let scanned = pdf_stream("", b"q 595 0 0 842 0 0 cm 0.5 g 0 0 1 1 re f Q");
    let pdf = pdf_document_with(
        &[scanned],
        HELVETICA,
        &[b"<< /T (telefoon) /FT /Tx /V (06-41827395) >>".to_vec()],
        &PdfParts {
            catalog: "/AcroForm << /Fields [6 0 R] >>",
            ..PdfParts::default()
        },
    );
    let dir = tree(&[("scan_proefrit.pdf", &pdf)]);
    let (_, found, _) = findings(dir.path(), &[]);
    find(&found, "scan_proefrit.pdf!/form", "06-41827395");
    let doc = inventory(dir.path(), &[]);
    let scan = skipped_entry(&doc, "scan_proefrit.pdf");
    assert_eq!(scan["reason"], "unsupported", "{scan}");
    assert_eq!(scan["partial"], true, "{scan}");
    assert!(
        scan["detail"]
            .as_str()
            .unwrap()
            .starts_with("a PDF with no text on its pages (scanned images?)"),
        "{scan}"
    );
}

#[test]
fn a_zip_embedded_in_a_pdf_is_opened_one_layer_deeper() {
    let zip = zip_of(
        &[("klant.csv", b"naam;email\nPiet;piet@kpn.nl\n")],
        deflated(),
    );
    let page = pdf_stream("", b"BT /F1 12 Tf 72 700 Td (Bijlagen) Tj ET");
    let pdf = pdf_document_with(
        &[page],
        HELVETICA,
        &[
            b"<< /Type /Annot /Subtype /FileAttachment /FS 7 0 R >>".to_vec(),
            file_spec("export.zip", 8),
            embedded_file(&zip, ""),
        ],
        &PdfParts {
            pages: &["/Annots [6 0 R]"],
            ..PdfParts::default()
        },
    );
    let dir = tree(&[("brief.pdf", &pdf)]);
    let (_, found, _) = findings(dir.path(), &[]);
    let email = find(&found, "brief.pdf!/export.zip!/klant.csv", "piet@kpn.nl");
    assert_eq!(email["field"], "email");
}

#[test]
fn a_pdf_whose_pages_cannot_be_found_still_has_its_metadata_and_files_read() {
    let csv = b"naam;telefoon\nRuud Jansen;06-38215947\n";
    // The catalog's page tree is an object that is not there.
    let objects = vec![
        b"<< /Type /Catalog /Pages 9 0 R /Names << /EmbeddedFiles 3 0 R >> >>".to_vec(),
        format!(
            "<< /Author {} >>",
            pdf_text("Sanne Bakker (s.bakker@autovanleeuwen.nl)")
        )
        .into_bytes(),
        b"<< /Names [(klanten.csv) 4 0 R] >>".to_vec(),
        file_spec("klanten.csv", 5),
        embedded_file(csv, ""),
    ];
    let broken = pdf_of(&objects, "/Info 2 0 R");
    // Nothing besides the missing pages: skipped, as before.
    let bare = pdf_of(&[b"<< /Type /Catalog /Pages 9 0 R >>".to_vec()], "");
    let dir = tree(&[("export.pdf", &broken), ("leeg.pdf", &bare)]);
    let (_, found, _) = findings(dir.path(), &[]);
    find(&found, "export.pdf!/metadata", "s.bakker@autovanleeuwen.nl");
    let phone = find(&found, "export.pdf!/klanten.csv", "06-38215947");
    assert_eq!(phone["field"], "telefoon");
    let doc = inventory(dir.path(), &[]);
    let partly = skipped_entry(&doc, "export.pdf");
    assert_eq!(partly["partial"], true, "{partly}");
    assert!(
        partly["detail"]
            .as_str()
            .unwrap()
            .contains("no pages found"),
        "{partly}"
    );
    assert_eq!(skipped_entry(&doc, "leeg.pdf")["partial"], false);
}
