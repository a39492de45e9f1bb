//! The PDF invoice in `fixtures/exports/documenten/` is made here, so it
//! can be made again: a car dealership's invoice (factuur) of two pages,
//! all values made up. Page 1 is written as simple generators write: a
//! standard font, Windows-1252 text, a word split over two fonts and over
//! `TJ` kerning, table columns placed with `Td`. Page 2 as office suites
//! and browsers write: a subset font whose codes are glyph numbers that
//! only its ToUnicode map turns back into text. Both content streams and
//! the map are FlateDecode-compressed.
//!
//! `cargo test --test pdf_fixture` checks the committed file is what this
//! makes; `PIISCAN_WRITE_FIXTURES=1 cargo test --test pdf_fixture` writes
//! it (then update its lines in tests/data/fixture_truth.jsonl).

mod common;
use common::*;
use std::collections::BTreeMap;

const FIXTURE: &str = "fixtures/exports/documenten/factuur_2024-0917.pdf";

fn page_one() -> String {
    let mut c = String::new();
    let mut line = |s: &str| {
        c.push_str(s);
        c.push('\n');
    };
    // The dealership's letterhead.
    line("q 0.1 0.2 0.5 rg 56 782 483 2 re f Q");
    line("BT /F2 16 Tf 56 800 Td (Autobedrijf Van Leeuwen B.V.) Tj ET");
    line("BT /F1 9 Tf 11 TL 56 768 Td");
    line(&format!(
        "{} Tj",
        pdf_text("Stationsweg 14, 3811 MH Amersfoort")
    ));
    line(&format!(
        "T* {} Tj",
        pdf_text("Tel. 033-4621987 | verkoop@autovanleeuwen.nl")
    ));
    line(&format!(
        "T* {} Tj",
        pdf_text("KvK 32145678 | www.autovanleeuwen.nl")
    ));
    line("ET");
    line("BT /F2 14 Tf 56 700 Td (FACTUUR) Tj ET");
    line(
        "BT /F1 10 Tf 13 TL 56 676 Td (Factuurnummer: F2024-0917) Tj T* (Factuurdatum: 18-03-2024) Tj ET",
    );
    // The customer, right of it.
    line(
        "BT /F1 10 Tf 13 TL 330 676 Td (Dhr. R. Verhoeven) Tj T* (Hooglandseweg 88) Tj T* (3824 BK Amersfoort) Tj ET",
    );
    // The number in bold: two fonts, one word.
    line("BT /F1 10 Tf 330 637 Td (Mobiel: ) Tj /F2 10 Tf (06-41827395) Tj ET");
    // Kerning inside the address: still one word.
    line("BT /F1 10 Tf 330 624 Td (E-mail: ) Tj [(r.verh) 15 (oeven@ziggo.nl)] TJ ET");
    // A table: columns placed with Td on the same line.
    line("BT /F2 10 Tf 56 580 Td (Omschrijving) Tj 380 0 Td (Bedrag) Tj ET");
    line("q 0.5 w 56 574 m 539 574 l S Q");
    line(
        "BT /F1 10 Tf 56 560 Td (Toyota Prius 1.8 Hybrid, kenteken ) Tj [(GZ-9) -25 (15-X)] TJ 380 0 Td (EUR 14.950,00) Tj ET",
    );
    line(&format!(
        "BT /F1 10 Tf 56 547 Td {} Tj ET",
        pdf_text("Chassisnummer (VIN): JTDKB20U793418276, km-stand 84.213")
    ));
    line("BT /F1 10 Tf 56 534 Td (APK en afleverbeurt) Tj 380 0 Td (EUR 395,00) Tj ET");
    line("BT /F2 10 Tf 56 508 Td (Totaal incl. btw) Tj 380 0 Td (EUR 15.345,00) Tj ET");
    line("BT /F1 8 Tf 56 40 Td (Pagina 1 van 2) Tj ET");
    c
}

/// Page 2's lines, drawn in the subset font.
const PAGE_TWO: &[&str] = &[
    "Te betalen binnen 14 dagen op NL77 RABO 0318 4629 58",
    "t.n.v. Autobedrijf Van Leeuwen B.V. onder vermelding van F2024-0917.",
    "",
    "Financiering via Van Leeuwen Lease, incasso van rekening van de koper:",
    "IBAN NL59 INGB 0518 2736 44 t.n.v. R. Verhoeven",
    "Geboortedatum kredietnemer: 14-03-1981",
    "",
    "Voor akkoord, de koper:",
    "R. Verhoeven, Amersfoort",
];

/// A subset font: each character gets the next glyph number as it is
/// first used, as a document's font subset numbers them.
struct Subset {
    glyphs: BTreeMap<char, u16>,
}

impl Subset {
    fn code(&mut self, c: char) -> u16 {
        let next = self.glyphs.len() as u16 + 1;
        *self.glyphs.entry(c).or_insert(next)
    }

    /// A `TJ` array of `text` with kerning after capitals, as layout
    /// engines kern `Va`, `Te`, `Vo`.
    fn tj(&mut self, text: &str) -> String {
        let mut out = String::from("[<");
        for c in text.chars() {
            out.push_str(&format!("{:04X}", self.code(c)));
            if c.is_ascii_uppercase() {
                out.push_str("> -18 <");
            }
        }
        out.push_str(">] TJ");
        out
    }

    fn width(c: char) -> u16 {
        match c {
            ' ' | '.' | ',' | ':' | '-' | 'i' | 'l' | 't' | 'f' | 'j' => 278,
            'm' | 'w' | 'M' | 'W' => 833,
            c if c.is_ascii_uppercase() => 667,
            _ => 556,
        }
    }

    /// The `/W` array: widths from glyph 1 on.
    fn widths(&self) -> String {
        let mut by_code: Vec<(u16, char)> = self.glyphs.iter().map(|(&c, &g)| (g, c)).collect();
        by_code.sort_unstable();
        let list: Vec<String> = by_code
            .iter()
            .map(|&(_, c)| Self::width(c).to_string())
            .collect();
        format!("[1 [{}]]", list.join(" "))
    }

    /// The ToUnicode map, in Adobe's template, a hundred mappings a section.
    fn to_unicode(&self) -> String {
        let mut by_code: Vec<(u16, char)> = self.glyphs.iter().map(|(&c, &g)| (g, c)).collect();
        by_code.sort_unstable();
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for chunk in by_code.chunks(100) {
            out.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for &(g, c) in chunk {
                out.push_str(&format!("<{g:04X}> <{:04X}>\n", c as u32));
            }
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out
    }
}

fn page_two(subset: &mut Subset) -> String {
    let mut c = String::from("BT /F1 12 Tf 56 800 Td (Betaling en financiering) Tj ET\n");
    c.push_str("BT /F3 10 Tf 14 TL 56 770 Td\n");
    for (i, text) in PAGE_TWO.iter().enumerate() {
        if i > 0 {
            c.push_str("T* ");
        }
        if !text.is_empty() {
            c.push_str(&subset.tj(text));
        }
        c.push('\n');
    }
    c.push_str("ET\n");
    // The signature line under the last line.
    c.push_str("q 0.5 w 56 628 m 250 628 l S Q\n");
    c.push_str("BT /F1 8 Tf 56 40 Td (Pagina 2 van 2) Tj ET\n");
    c
}

fn invoice() -> Vec<u8> {
    let mut subset = Subset {
        glyphs: BTreeMap::new(),
    };
    let one = page_one();
    let two = page_two(&mut subset);
    let helvetica = |name: &str| {
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>")
            .into_bytes()
    };
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 /MediaBox [0 0 595 842] >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 7 0 R /F2 8 0 R >> >> /Contents 4 0 R >>".to_vec(),
        pdf_stream("/Filter /FlateDecode", &zlib_of(one.as_bytes())),
        b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 7 0 R /F3 9 0 R >> >> /Contents 6 0 R >>".to_vec(),
        pdf_stream("/Filter /FlateDecode", &zlib_of(two.as_bytes())),
        helvetica("Helvetica"),
        helvetica("Helvetica-Bold"),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /EOODIA+ArialMT /Encoding /Identity-H \
           /DescendantFonts [10 0 R] /ToUnicode 11 0 R >>"
            .to_vec(),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /EOODIA+ArialMT \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /DW 1000 /W {} >>",
            subset.widths()
        )
        .into_bytes(),
        pdf_stream(
            "/Filter /FlateDecode",
            &zlib_of(subset.to_unicode().as_bytes()),
        ),
        b"<< /Title (Factuur F2024-0917) /Producer (Van Leeuwen DMS 4.2) /CreationDate (D:20240318101500+01'00') >>"
            .to_vec(),
    ];
    pdf_of(
        &objects,
        "/Info 12 0 R /ID [<8f3c1a2b4d5e6f708192a3b4c5d6e7f8> <8f3c1a2b4d5e6f708192a3b4c5d6e7f8>]",
    )
}

#[test]
fn the_invoice_fixture_is_what_this_makes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let made = invoice();
    if std::env::var_os("PIISCAN_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read(&path).unwrap();
    assert!(
        committed == made,
        "{FIXTURE} differs from what tests/pdf_fixture.rs makes: \
         run PIISCAN_WRITE_FIXTURES=1 cargo test --test pdf_fixture"
    );
}

/// The test-drive form in `fixtures/exports/documenten/`: what a PDF holds
/// besides its pages' text. `cargo test --test pdf_fixture` checks it too;
/// `PIISCAN_WRITE_FIXTURES=1` writes it.
const TEST_DRIVE: &str = "fixtures/exports/documenten/proefrit_2024-0322.pdf";

/// A dealership's filled-in test-drive form (proefrit), all values made
/// up: the employee who made it in its document information and its XMP
/// packet, the customer and the car in its form fields, a comment on the
/// page, and the booking as XML embedded in it. The page itself only
/// draws the form's labels. The test drive's own date is a form value
/// that is no date of birth.
fn test_drive() -> Vec<u8> {
    let page = "BT /F2 16 Tf 56 800 Td (Autobedrijf Van Leeuwen B.V.) Tj ET\n\
                BT /F2 14 Tf 56 760 Td (Proefritformulier) Tj ET\n\
                BT /F1 10 Tf 14 TL 56 730 Td (Naam klant:) Tj T* (Telefoon:) Tj T* (E-mail:) Tj \
                T* (Geboortedatum:) Tj T* (Kenteken proefritauto:) Tj T* (Datum proefrit:) Tj ET\n";
    let xmp = "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Proefritformulier 2024-0322</rdf:li></rdf:Alt></dc:title>\n\
   <dc:creator><rdf:Seq><rdf:li>s.bakker@autovanleeuwen.nl</rdf:li></rdf:Seq></dc:creator>\n\
   <pdf:Producer>Van Leeuwen DMS 4.2</pdf:Producer>\n\
  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>";
    let booking = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<Proefrit nummer=\"2024-0322\">\n\
  <Klant>\n\
    <Naam>Marieke Dekker</Naam>\n\
    <Postcode>3817 GT</Postcode>\n\
    <Email>m.dekker@kpnmail.nl</Email>\n\
    <Borg>\n\
      <IBAN>NL66 RABO 6091 3909 96</IBAN>\n\
    </Borg>\n\
  </Klant>\n\
  <Voertuig>\n\
    <Kenteken>HX-472-K</Kenteken>\n\
  </Voertuig>\n\
</Proefrit>\n";
    let field = |name: &str, value: &str| {
        format!("<< /T {} /FT /Tx /V {} >>", pdf_text(name), pdf_text(value)).into_bytes()
    };
    let helvetica = |name: &str| {
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>")
            .into_bytes()
    };
    let objects = vec![
        // 1: the catalog with its form, its XMP packet and its files.
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 8 0 R /AcroForm << /Fields [9 0 R 15 0 R 17 0 R] >> \
           /Names << /EmbeddedFiles 20 0 R >> >>"
            .to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> \
           /Contents 4 0 R /Annots [18 0 R 19 0 R] >>"
            .to_vec(),
        pdf_stream("/Filter /FlateDecode", &zlib_of(page.as_bytes())),
        helvetica("Helvetica"),
        helvetica("Helvetica-Bold"),
        // 7: the document information.
        format!(
            "<< /Title {} /Author {} /Subject {} /Creator {} /Producer {} \
             /CreationDate (D:20240322143000+01'00') /ModDate (D:20240322143500+01'00') >>",
            pdf_text("Proefritformulier 2024-0322"),
            pdf_text("Sanne Bakker <s.bakker@autovanleeuwen.nl>"),
            pdf_text("Proefrit Volkswagen ID.3"),
            pdf_text("Van Leeuwen DMS"),
            pdf_text("Van Leeuwen DMS 4.2"),
        )
        .into_bytes(),
        // 8: the XMP packet, as writers leave it: not compressed.
        pdf_stream("/Type /Metadata /Subtype /XML", xmp.as_bytes()),
        // 9-14: klant, with naam, telefoon, email, geboortedatum, and
        // adres with its postcode (a field in a field in a field).
        b"<< /T (klant) /Kids [10 0 R 11 0 R 12 0 R 13 0 R 14 0 R] >>".to_vec(),
        field("naam", "Marieke Dekker"),
        field("telefoon", "06-28475319"),
        field("email", "m.dekker@kpnmail.nl"),
        field("geboortedatum", "07-09-1986"),
        b"<< /T (adres) /Kids [16 0 R] >>".to_vec(),
        // 15: the car, 16: the postcode under klant.adres, 17: the date.
        field("kenteken", "HX-472-K"),
        field("postcode", "3817 GT"),
        field("proefritdatum", "22-03-2024"),
        // 18: a comment with its pop-up (19), which shows the same text.
        format!(
            "<< /Type /Annot /Subtype /Text /Rect [500 700 520 720] /T {} /Subj {} /Contents {} /Popup 19 0 R >>",
            pdf_text("Sanne Bakker"),
            pdf_text("Terugbellen"),
            pdf_text("Klant wil terugbellen over inruil, liefst op 06-51938274.")
        )
        .into_bytes(),
        format!(
            "<< /Type /Annot /Subtype /Popup /Rect [520 600 700 700] /Parent 18 0 R /Contents {} >>",
            pdf_text("Klant wil terugbellen over inruil, liefst op 06-51938274.")
        )
        .into_bytes(),
        // 20: the embedded files' name tree, 21: the booking's file
        // specification, 22: its data.
        b"<< /Names [(proefrit_2024-0322.xml) 21 0 R] >>".to_vec(),
        b"<< /Type /Filespec /F (proefrit_2024-0322.xml) /UF (proefrit_2024-0322.xml) \
           /Desc (Boeking) /EF << /F 22 0 R /UF 22 0 R >> >>"
            .to_vec(),
        pdf_stream(
            &format!(
                "/Type /EmbeddedFile /Subtype /text#2Fxml /Filter /FlateDecode \
                 /Params << /Size {} /ModDate (D:20240321170000+01'00') >>",
                booking.len()
            ),
            &zlib_of(booking.as_bytes()),
        ),
    ];
    // The information dictionary is object 7, referred to by the trailer.
    pdf_of(
        &objects,
        "/Info 7 0 R /ID [<5a1c9e0b7d3f42a6b8e1c4d2f0a39b77> <5a1c9e0b7d3f42a6b8e1c4d2f0a39b77>]",
    )
}

#[test]
fn the_test_drive_fixture_is_what_this_makes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TEST_DRIVE);
    let made = test_drive();
    if std::env::var_os("PIISCAN_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    let committed = std::fs::read(&path).unwrap();
    assert!(
        committed == made,
        "{TEST_DRIVE} differs from what tests/pdf_fixture.rs makes: \
         run PIISCAN_WRITE_FIXTURES=1 cargo test --test pdf_fixture"
    );
}
