//! What a PDF holds besides the text its pages draw, where personal data
//! hides from a reader who only looks at the pages: the document
//! information (`/Info`: an `/Author` is the employee who made the file)
//! and its XMP packet, the values typed into a form (a test-drive or
//! trade-in form's name, phone and plate), the comments stuck on pages,
//! and the files embedded in it (an e-invoice's `factur-x.xml` with its
//! IBANs and addresses).
//!
//! Everything here is read from objects the parser already holds, inside
//! [`super::guarded`] like the pages: trees of fields and of names may be
//! built to loop or to nest without end, so each walk keeps the objects
//! it has been through, stops at [`MAX_TREE_DEPTH`] and at
//! [`MAX_TREE_NODES`], and says what it passed over. Streams (the XMP
//! packet, an embedded file) are unpacked within the archive limits as a
//! page's content is.

use super::{PdfError, describe, guarded, stream_limit};
use crate::container::{Budget, LimitExceeded, printable};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

/// Fields inside fields, and nodes of a name tree, are followed at most
/// this deep; real forms nest two or three levels.
pub const MAX_TREE_DEPTH: usize = 32;
/// Fields, name-tree nodes and annotations read from one document at most:
/// a real form has hundreds of fields, not a hundred thousand.
pub const MAX_TREE_NODES: usize = 100_000;

/// Keys of the document information that are not text a person wrote:
/// dates of the file itself (its time is already the file's) and a flag.
const INFO_KEYS_NOT_READ: &[&[u8]] = &[b"CreationDate", b"ModDate", b"Trapped"];

/// A text string of the document: PDFDocEncoding, or UTF-16BE or UTF-8
/// after their byte order mark; bytes that are neither are read as
/// Windows-1252, the encoding such writers most likely meant. Control
/// characters other than line ends are dropped.
pub(super) fn text_string(object: &Object) -> Option<String> {
    let text = match object {
        Object::String(bytes, _) => match lopdf::decode_text_string(object) {
            Ok(text) => text,
            Err(_) if bytes.starts_with(b"\xFE\xFF") => {
                let units: Vec<u16> = bytes[2..]
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            Err(_) => {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                text.into_owned()
            }
        },
        Object::Name(name) => String::from_utf8_lossy(name).into_owned(),
        _ => return None,
    };
    Some(clean_lines(&text))
}

/// `text` with line ends as `\n` and other control characters dropped (a
/// NUL would make the member look binary).
fn clean_lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\n' | '\t' => Some(c),
            c if c.is_control() || c == char::REPLACEMENT_CHARACTER => None,
            c => Some(c),
        })
        .collect()
}

/// `text` on one line: a value of a `Key: value` line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a walk over the document read, and what it passed over.
pub struct Read<T> {
    pub value: T,
    /// The first thing passed over (a loop, a limit, a damaged object).
    pub problem: Option<PdfError>,
}

impl<T> Read<T> {
    fn note(&mut self, problem: PdfError) {
        self.problem.get_or_insert(problem);
    }
}

/// `dict[key]`, references followed.
fn deref<'d>(doc: &'d Document, dict: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    dict.get_deref(key, doc).ok()
}

fn deref_dict<'d>(doc: &'d Document, dict: &'d Dictionary, key: &[u8]) -> Option<&'d Dictionary> {
    deref(doc, dict, key).and_then(|o| o.as_dict().ok())
}

/// An object, references followed, with the id of the object it is (a
/// direct object has none).
fn resolve<'d>(doc: &'d Document, object: &'d Object) -> Option<(Option<ObjectId>, &'d Object)> {
    doc.dereference(object).ok()
}

/// The document information as lines `Key: value`, in the order of the
/// dictionary; `None` without one. An `/Info` that is not a dictionary is
/// damage, named.
pub(super) fn info_lines(doc: &Document) -> Result<Option<String>, PdfError> {
    let Ok(info) = doc.trailer.get(b"Info") else {
        return Ok(None);
    };
    let info = match resolve(doc, info) {
        Some((_, Object::Dictionary(info))) => info,
        // A dangling reference or `null`: written as none.
        None | Some((_, Object::Null)) => return Ok(None),
        Some(_) => {
            return Err(PdfError::Damaged(
                "the document information (/Info) is not a dictionary: not read".into(),
            ));
        }
    };
    let mut lines = String::new();
    for (key, value) in info.iter() {
        if INFO_KEYS_NOT_READ.contains(&key.as_slice()) {
            continue;
        }
        let Some(value) = resolve(doc, value).and_then(|(_, v)| text_string(v)) else {
            continue;
        };
        let value = one_line(&value);
        if value.is_empty() {
            continue;
        }
        lines.push_str(&printable(&String::from_utf8_lossy(key)));
        lines.push_str(": ");
        lines.push_str(&value);
        lines.push('\n');
    }
    Ok((!lines.is_empty()).then_some(lines))
}

/// A stream's unpacked bytes within the limits of [`stream_limit`],
/// charged to the budget; `what` names it when it is damaged.
pub(super) fn unpack(stream: &Stream, budget: &Budget, what: &str) -> Result<Vec<u8>, PdfError> {
    let (limit, says) = stream_limit(stream.content.len(), budget);
    let data = match stream.get_plain_content_with_limit(limit) {
        Ok(data) => data,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(PdfError::Limit(says()));
        }
        Err(e) => return Err(PdfError::Damaged(format!("{what}: {}", describe(&e)))),
    };
    budget.charge(data.len() as u64).map_err(PdfError::Limit)?;
    Ok(data)
}

/// The catalog's XMP packet (`/Metadata`), unpacked; `None` without one.
pub(super) fn xmp_packet(doc: &Document, budget: &Budget) -> Result<Option<Vec<u8>>, PdfError> {
    let Ok(catalog) = doc.catalog() else {
        return Ok(None);
    };
    let Some(Object::Stream(stream)) = deref(doc, catalog, b"Metadata") else {
        return Ok(None);
    };
    let packet = unpack(stream, budget, "the XMP metadata stream")?;
    Ok((!packet.iter().all(u8::is_ascii_whitespace)).then_some(packet))
}

/// The value of a form field, as JSON: a text string or a name as a
/// string, the choices of a list as an array, a signature as the names
/// and places it gives.
fn field_value(doc: &Document, value: &Object) -> Option<serde_json::Value> {
    use serde_json::Value;
    let (_, value) = resolve(doc, value)?;
    match value {
        Object::String(..) | Object::Name(_) => {
            let text = text_string(value)?;
            (!text.trim().is_empty()).then_some(Value::String(text))
        }
        Object::Array(items) => {
            let texts: Vec<Value> = items
                .iter()
                .take(MAX_TREE_NODES)
                .filter_map(|item| resolve(doc, item).and_then(|(_, o)| text_string(o)))
                .filter(|text| !text.trim().is_empty())
                .map(Value::String)
                .collect();
            (!texts.is_empty()).then_some(Value::Array(texts))
        }
        // A signature: who signed, where, why, and how to reach them.
        Object::Dictionary(signature) => {
            let mut said = serde_json::Map::new();
            for key in ["Name", "Location", "Reason", "ContactInfo"] {
                if let Some(text) = deref(doc, signature, key.as_bytes()).and_then(text_string)
                    && !text.trim().is_empty()
                {
                    said.insert(key.to_string(), Value::String(text));
                }
            }
            (!said.is_empty()).then_some(Value::Object(said))
        }
        _ => None,
    }
}

/// The filled-in fields of the document's form (`/AcroForm /Fields`), as
/// NDJSON: a line `{"NAME": VALUE}` per field with a value, in the order
/// of the field tree, named by its fully qualified name (the `/T` of the
/// field and of each field above it, joined by `.`).
pub(super) fn form_fields(doc: &Document) -> Read<String> {
    let mut read = Read {
        value: String::new(),
        problem: None,
    };
    let Some(fields) = doc
        .catalog()
        .ok()
        .and_then(|catalog| deref_dict(doc, catalog, b"AcroForm"))
        .and_then(|form| deref(doc, form, b"Fields"))
        .and_then(|fields| fields.as_array().ok())
    else {
        return read;
    };
    let mut walk = FieldWalk {
        doc,
        seen: HashSet::new(),
        nodes: 0,
        unnamed: 0,
    };
    for field in fields {
        walk.field(field, "", None, 0, &mut read);
    }
    read
}

struct FieldWalk<'d> {
    doc: &'d Document,
    /// Field objects read: a field reached again (a `/Kids` loop) is not
    /// read twice.
    seen: HashSet<ObjectId>,
    nodes: usize,
    /// Fields with a value and no name anywhere above them, numbered.
    unnamed: usize,
}

impl<'d> FieldWalk<'d> {
    /// Reads the field `object` under the field named `parent`, whose
    /// value (inherited, as `/V` is) is `inherited`.
    fn field(
        &mut self,
        object: &'d Object,
        parent: &str,
        inherited: Option<&'d Object>,
        depth: usize,
        read: &mut Read<String>,
    ) {
        let Some((id, Object::Dictionary(field))) = resolve(self.doc, object) else {
            return;
        };
        if let Some(id) = id
            && !self.seen.insert(id)
        {
            read.note(PdfError::Damaged(format!(
                "form fields: field {} {} R is reached again (its /Kids loop back); it is read once",
                id.0, id.1
            )));
            return;
        }
        self.nodes += 1;
        if self.nodes > MAX_TREE_NODES {
            read.note(PdfError::Limit(LimitExceeded(format!(
                "over {MAX_TREE_NODES} form fields in one PDF: the rest are not read"
            ))));
            return;
        }
        let name = match deref(self.doc, field, b"T").and_then(text_string) {
            Some(part) if !part.is_empty() && !parent.is_empty() => format!("{parent}.{part}"),
            Some(part) if !part.is_empty() => part,
            _ => parent.to_string(),
        };
        let value = field.get(b"V").ok().or(inherited);
        let kids = deref(self.doc, field, b"Kids")
            .and_then(|kids| kids.as_array().ok())
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Kids without a name of their own are the field's widgets (where
        // it is drawn), not fields: the field is the last of its line.
        let has_named_kids = kids.iter().any(|kid| {
            resolve(self.doc, kid)
                .and_then(|(_, kid)| kid.as_dict().ok())
                .is_some_and(|kid| kid.has(b"T"))
        });
        if !has_named_kids {
            if let Some(value) = value.and_then(|v| field_value(self.doc, v)) {
                let name = if name.is_empty() {
                    self.unnamed += 1;
                    format!("field {}", self.unnamed)
                } else {
                    printable(&name)
                };
                let mut line = serde_json::Map::new();
                line.insert(name, value);
                read.value
                    .push_str(&serde_json::Value::Object(line).to_string());
                read.value.push('\n');
            }
            return;
        }
        if depth + 1 >= MAX_TREE_DEPTH {
            read.note(PdfError::Limit(LimitExceeded(format!(
                "form fields nested over {MAX_TREE_DEPTH} deep: the deeper ones are not read"
            ))));
            return;
        }
        for kid in kids {
            self.field(kid, &name, value, depth + 1, read);
        }
    }
}

/// The text of the comments on a page (`/Annots`): per annotation its
/// author (`/T`), subject (`/Subj`) and text (`/Contents`, and `/RC`, its
/// rich text, when that says something else), a blank line between two.
/// Pop-ups are left out (they show their parent's text), as are form
/// widgets (their values are the form's) and links.
pub(super) fn page_annotations(doc: &Document, page: ObjectId) -> Read<String> {
    let mut read = Read {
        value: String::new(),
        problem: None,
    };
    let Some(annotations) = doc
        .get_dictionary(page)
        .ok()
        .and_then(|page| deref(doc, page, b"Annots"))
        .and_then(|a| a.as_array().ok())
    else {
        return read;
    };
    if annotations.len() > MAX_TREE_NODES {
        read.note(PdfError::Limit(LimitExceeded(format!(
            "over {MAX_TREE_NODES} annotations on one page: the rest are not read"
        ))));
    }
    for annotation in annotations.iter().take(MAX_TREE_NODES) {
        let Some((_, Object::Dictionary(annotation))) = resolve(doc, annotation) else {
            continue;
        };
        let subtype = deref(doc, annotation, b"Subtype").and_then(|s| s.as_name().ok());
        if matches!(subtype, Some(b"Popup" | b"Widget" | b"Link")) {
            continue;
        }
        let text_of = |key: &[u8]| deref(doc, annotation, key).and_then(text_string);
        let mut lines = Vec::new();
        if let Some(author) = text_of(b"T")
            .map(|t| one_line(&t))
            .filter(|t| !t.is_empty())
        {
            lines.push(format!("Author: {author}"));
        }
        if let Some(subject) = text_of(b"Subj")
            .map(|t| one_line(&t))
            .filter(|t| !t.is_empty())
        {
            lines.push(format!("Subject: {subject}"));
        }
        let contents = text_of(b"Contents").unwrap_or_default();
        let rich = deref(doc, annotation, b"RC")
            .and_then(|rc| match rc {
                // Rich text in a stream is read when it is stored plain: a
                // compressed one would be read as noise, and says what
                // /Contents says.
                Object::Stream(stream) if stream.dict.get(b"Filter").is_err() => {
                    text_string(&Object::string_literal(stream.content.clone()))
                }
                Object::Stream(_) => None,
                other => text_string(other),
            })
            .map(|rc| text_of_markup(&rc))
            .unwrap_or_default();
        for text in [&contents, &rich] {
            lines.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
            if one_line(&rich) == one_line(&contents) {
                break;
            }
        }
        if lines.is_empty() {
            continue;
        }
        if !read.value.is_empty() {
            read.value.push('\n');
        }
        for line in lines {
            read.value.push_str(&line);
            read.value.push('\n');
        }
    }
    read
}

/// The text of rich text (XHTML): tags dropped, a paragraph or a break a
/// line end, the five named entities and numbered ones decoded.
fn text_of_markup(markup: &str) -> String {
    let mut out = String::new();
    let mut rest = markup;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(name.as_str(), "p" | "br" | "div" | "li" | "tr") {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(&decode_entities(rest));
    out
}

fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let entity = after
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| (&after[..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|n| n.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A file embedded in the document.
pub struct EmbeddedFile {
    /// Its file name (`/UF`, else `/F`, else its name in the name tree),
    /// printable.
    pub name: String,
    /// The stream holding it; `None` when the file specification only
    /// points outside the PDF.
    stream: Option<ObjectId>,
    /// Its `/Params /ModDate`.
    pub modified: Option<SystemTime>,
}

/// The files embedded in the document: those of the catalog's
/// `/Names /EmbeddedFiles` name tree, then those attached to pages by
/// `/FileAttachment` annotations; a file reached both ways once.
pub(super) fn embedded_files(doc: &Document, pages: &[ObjectId]) -> Read<Vec<EmbeddedFile>> {
    let mut walk = NameTreeWalk {
        doc,
        seen: HashSet::new(),
        nodes: 0,
        files: Vec::new(),
        streams: HashSet::new(),
        names: HashSet::new(),
        next_number: HashMap::new(),
        read: Read {
            value: (),
            problem: None,
        },
    };
    if let Some(tree) = doc
        .catalog()
        .ok()
        .and_then(|catalog| deref_dict(doc, catalog, b"Names"))
        .and_then(|names| names.get(b"EmbeddedFiles").ok())
    {
        walk.node(tree, 0);
    }
    let mut annotations = 0usize;
    for &page in pages {
        let Some(list) = doc
            .get_dictionary(page)
            .ok()
            .and_then(|page| deref(doc, page, b"Annots"))
            .and_then(|a| a.as_array().ok())
        else {
            continue;
        };
        for annotation in list {
            annotations += 1;
            if annotations > MAX_TREE_NODES {
                walk.read.note(PdfError::Limit(LimitExceeded(format!(
                    "over {MAX_TREE_NODES} annotations in one PDF: the rest are not looked at for attached files"
                ))));
                break;
            }
            let Some((_, Object::Dictionary(annotation))) = resolve(doc, annotation) else {
                continue;
            };
            let is_attachment = deref(doc, annotation, b"Subtype")
                .and_then(|s| s.as_name().ok())
                .is_some_and(|s| s == b"FileAttachment");
            if let (true, Some(spec)) = (is_attachment, annotation.get(b"FS").ok()) {
                walk.file_spec(spec, None);
            }
        }
    }
    Read {
        value: walk.files,
        problem: walk.read.problem,
    }
}

struct NameTreeWalk<'d> {
    doc: &'d Document,
    /// Tree nodes read: a node reached again (a `/Kids` loop) is not read
    /// twice.
    seen: HashSet<ObjectId>,
    nodes: usize,
    files: Vec<EmbeddedFile>,
    /// The streams of the files listed, so a file is listed once.
    streams: HashSet<ObjectId>,
    /// The names of the files listed, and the number the next file of a
    /// name already listed gets.
    names: HashSet<String>,
    next_number: HashMap<String, usize>,
    read: Read<()>,
}

impl<'d> NameTreeWalk<'d> {
    fn node(&mut self, object: &'d Object, depth: usize) {
        let Some((id, Object::Dictionary(node))) = resolve(self.doc, object) else {
            return;
        };
        if let Some(id) = id
            && !self.seen.insert(id)
        {
            self.read.note(PdfError::Damaged(format!(
                "embedded files: name tree node {} {} R is reached again (its /Kids loop back); it is read once",
                id.0, id.1
            )));
            return;
        }
        self.nodes += 1;
        if self.nodes > MAX_TREE_NODES {
            self.read.note(PdfError::Limit(LimitExceeded(format!(
                "over {MAX_TREE_NODES} nodes in the embedded files' name tree: the rest are not read"
            ))));
            return;
        }
        if let Some(names) = deref(self.doc, node, b"Names").and_then(|n| n.as_array().ok()) {
            for pair in names.chunks_exact(2) {
                let key = resolve(self.doc, &pair[0]).and_then(|(_, k)| text_string(k));
                self.file_spec(&pair[1], key);
            }
        }
        let Some(kids) = deref(self.doc, node, b"Kids").and_then(|k| k.as_array().ok()) else {
            return;
        };
        if depth + 1 >= MAX_TREE_DEPTH {
            self.read.note(PdfError::Limit(LimitExceeded(format!(
                "the embedded files' name tree nests over {MAX_TREE_DEPTH} deep: the deeper files are not read"
            ))));
            return;
        }
        for kid in kids {
            self.node(kid, depth + 1);
        }
    }

    /// Lists the file of the file specification `spec`, known in a name
    /// tree as `key`.
    fn file_spec(&mut self, spec: &'d Object, key: Option<String>) {
        if self.files.len() >= MAX_TREE_NODES {
            self.read.note(PdfError::Limit(LimitExceeded(format!(
                "over {MAX_TREE_NODES} embedded files in one PDF: the rest are not read"
            ))));
            return;
        }
        let doc = self.doc;
        let spec = match resolve(doc, spec) {
            Some((_, Object::Dictionary(spec))) => spec,
            // A bare string names a file outside the PDF.
            _ => return,
        };
        let stream_ref = deref_dict(doc, spec, b"EF").and_then(|ef| {
            ef.get(b"UF")
                .ok()
                .filter(|s| s.as_reference().is_ok())
                .or_else(|| ef.get(b"F").ok())
        });
        let stream = stream_ref.and_then(|s| s.as_reference().ok());
        if let Some(id) = stream
            && !self.streams.insert(id)
        {
            return;
        }
        let name = [b"UF".as_slice(), b"F", b"DOS", b"Unix"]
            .iter()
            .find_map(|key| deref(doc, spec, key).and_then(text_string))
            .filter(|name| !name.trim().is_empty())
            .or(key.filter(|name| !name.trim().is_empty()))
            .unwrap_or_else(|| format!("embedded file {}", self.files.len() + 1));
        let modified = stream
            .and_then(|id| doc.get_object(id).ok())
            .and_then(|s| s.as_stream().ok())
            .and_then(|s| deref_dict(doc, &s.dict, b"Params"))
            .and_then(|params| deref(doc, params, b"ModDate"))
            .and_then(|date| date.as_str().ok())
            .and_then(pdf_date);
        // Two files of one name (two versions attached) are two members:
        // the second is `NAME (2)`.
        let mut name = printable(&one_line(&name));
        if self.names.contains(&name) {
            let next = self.next_number.entry(name.clone()).or_insert(2);
            while self.names.contains(&format!("{name} ({next})")) {
                *next += 1;
            }
            name = format!("{name} ({next})");
            *next += 1;
        }
        self.names.insert(name.clone());
        self.files.push(EmbeddedFile {
            name,
            stream,
            modified,
        });
    }
}

/// The bytes of an embedded file, unpacked within the archive limits.
pub(super) fn embedded_data(
    doc: &Document,
    file: &EmbeddedFile,
    budget: &Budget,
) -> Result<Vec<u8>, PdfError> {
    let Some(id) = file.stream else {
        return Err(PdfError::Damaged(
            "an embedded file without its data (it names a file outside the PDF)".into(),
        ));
    };
    let stream = guarded("an embedded file", || {
        doc.get_object(id).and_then(Object::as_stream)
    })?
    .map_err(|_| {
        PdfError::Damaged(format!(
            "the data of the embedded file ({} {} R) is missing or not a stream",
            id.0, id.1
        ))
    })?;
    guarded("an embedded file", || {
        unpack(stream, budget, "the embedded file")
    })?
}

/// A PDF date, `D:YYYYMMDDHHmmSSOHH'mm'` (all after the year optional),
/// as a time.
pub(super) fn pdf_date(text: &[u8]) -> Option<SystemTime> {
    let text = text.strip_prefix(b"D:").unwrap_or(text);
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    let (stamp, zone) = text.split_at(digits.min(14));
    let part = |from: usize, default: u32| -> Option<u32> {
        match stamp.get(from..from + 2) {
            Some(two) => std::str::from_utf8(two).ok()?.parse().ok(),
            None => Some(default),
        }
    };
    if stamp.len() < 4 || stamp.len() % 2 != 0 {
        return None;
    }
    let year: i32 = std::str::from_utf8(&stamp[..4]).ok()?.parse().ok()?;
    let (month, day) = (part(4, 1)?, part(6, 1)?);
    let (hour, minute, second) = (part(8, 0)?, part(10, 0)?, part(12, 0)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut secs = crate::mbox::utc_seconds(year, month, day)?
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    // The offset from UTC: `+01'00'` is an hour ahead, so an hour less.
    if let Some((&sign, offset)) = zone.split_first()
        && matches!(sign, b'+' | b'-')
    {
        let number = |part: Option<&[u8]>| -> i64 {
            part.filter(|p| p.iter().all(u8::is_ascii_digit))
                .and_then(|p| std::str::from_utf8(p).ok()?.parse().ok())
                .unwrap_or(0)
        };
        let seconds = number(offset.get(..2)) * 3600 + number(offset.get(3..5)) * 60;
        secs += if sign == b'+' { -seconds } else { seconds };
    }
    u64::try_from(secs)
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}
