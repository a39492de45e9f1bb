//! PDF files built in tests: the unit tests of `src/pdf.rs` include this
//! file too, so both build them one way.
#![allow(dead_code)]

/// `data` zlib-compressed, as a PDF's FlateDecode streams are.
pub fn zlib_of(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, data).unwrap();
    e.finish().unwrap()
}

/// A PDF file of `objects` (numbered from 1; the first is the catalog)
/// with a cross-reference table at the offsets they are written at, and
/// `trailer` entries besides `/Size` and `/Root`.
pub fn pdf_of(objects: &[Vec<u8>], trailer: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for offset in offsets {
        writeln!(out, "{offset:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    out
}

/// A PDF stream object: `dict` entries besides `/Length`, then `data`.
pub fn pdf_stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {} {dict} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// The standard font, as `/F1` of the pages of [`pdf_document`].
pub const HELVETICA: &str =
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// A PDF whose pages draw `contents` (stream objects) with the font `font`
/// (object 3) as `/F1`; `extra` objects follow the pages, numbered from
/// 4 + 2 × pages.
pub fn pdf_document(contents: &[Vec<u8>], font: &str, extra: &[Vec<u8>]) -> Vec<u8> {
    let kids: Vec<String> = (0..contents.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            contents.len()
        )
        .into_bytes(),
        font.as_bytes().to_vec(),
    ];
    for (i, content) in contents.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(content.clone());
    }
    objects.extend_from_slice(extra);
    pdf_of(&objects, "")
}

/// A PDF whose pages draw `contents` (compressed) with Helvetica as `/F1`.
pub fn simple_pdf(contents: &[&[u8]]) -> Vec<u8> {
    let streams: Vec<Vec<u8>> = contents
        .iter()
        .map(|content| pdf_stream("/Filter /FlateDecode", &zlib_of(content)))
        .collect();
    pdf_document(&streams, HELVETICA, &[])
}

/// `plain` encrypted (RC4, 128 bits) with `user_password` to open it; an
/// empty one opens it for anyone, as PDFs locked only against editing are.
pub fn encrypted_pdf(plain: &[u8], user_password: &str) -> Vec<u8> {
    use lopdf::{Document, EncryptionState, EncryptionVersion, Object, Permissions};
    let mut doc = Document::load_mem(plain).unwrap();
    let id = Object::string_literal(b"0123456789abcdef".to_vec());
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "eigenaar",
        user_password,
        key_length: 128,
        permissions: Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
