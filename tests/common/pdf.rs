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
    pdf_document_with(contents, font, extra, &PdfParts::default())
}

/// What a PDF of [`pdf_document_with`] has besides its pages' content.
#[derive(Default)]
pub struct PdfParts<'a> {
    /// Catalog entries besides `/Type` and `/Pages` (`/AcroForm`,
    /// `/Names`, `/Metadata`).
    pub catalog: &'a str,
    /// Entries of each page's dictionary, by page (`/Annots [...]`).
    pub pages: &'a [&'a str],
    /// Trailer entries besides `/Size` and `/Root` (`/Info`).
    pub trailer: &'a str,
}

/// [`pdf_document`] with `parts` added to its catalog, pages and trailer.
pub fn pdf_document_with(
    contents: &[Vec<u8>],
    font: &str,
    extra: &[Vec<u8>],
    parts: &PdfParts,
) -> Vec<u8> {
    let kids: Vec<String> = (0..contents.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {} >>", parts.catalog).into_bytes(),
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
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R {} >>",
                5 + 2 * i,
                parts.pages.get(i).copied().unwrap_or_default()
            )
            .into_bytes(),
        );
        objects.push(content.clone());
    }
    objects.extend_from_slice(extra);
    pdf_of(&objects, parts.trailer)
}

/// A PDF text string of `text`: a literal with `(`, `)` and `\` escaped
/// when it is ASCII, else UTF-16BE with its byte order mark, in hex.
pub fn pdf_text(text: &str) -> String {
    if text.is_ascii() {
        let mut out = String::from("(");
        for c in text.chars() {
            if matches!(c, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(')');
        return out;
    }
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

/// An embedded file stream (`/Type /EmbeddedFile`) of `data`, compressed,
/// with `/Params` entries `params` (`/ModDate (D:...)`).
pub fn embedded_file(data: &[u8], params: &str) -> Vec<u8> {
    pdf_stream(
        &format!(
            "/Type /EmbeddedFile /Filter /FlateDecode /Params << /Size {} {params} >>",
            data.len()
        ),
        &zlib_of(data),
    )
}

/// A file specification of the file `name` whose data is the object
/// `stream` (an [`embedded_file`]).
pub fn file_spec(name: &str, stream: usize) -> Vec<u8> {
    format!(
        "<< /Type /Filespec /F {} /UF {} /EF << /F {stream} 0 R /UF {stream} 0 R >> >>",
        pdf_text(name),
        pdf_text(name)
    )
    .into_bytes()
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
