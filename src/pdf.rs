//! The text of PDF documents, page by page. Invoices, quotes and contracts
//! are mostly PDFs, and their names, addresses, phone numbers and plates
//! are only seen once the pages' content streams are read as a viewer
//! draws them.
//!
//! The file's objects, its cross-reference data, its stream filters
//! (FlateDecode and the rest), its encryption and its fonts' encodings and
//! ToUnicode maps are parsed by the `lopdf` crate. What is done here is
//! turning each page's drawing operators into lines of text: the strings
//! shown by `Tj`, `TJ`, `'` and `"` are decoded with their font (a
//! ToUnicode map first: subset fonts of real invoices show glyph numbers
//! that only it maps back to letters), and where the next string is drawn
//! decides what joins them: the same line further on is a space (a `TJ`
//! kerning gap of a fifth of the font size or more too), a new line a line end,
//! and a string that goes on where the last one ended nothing, so a word
//! split over two fonts or two operators is whole again. Form XObjects
//! drawn by `Do` are read in place.
//!
//! What a document holds besides its pages (its document information and
//! XMP packet, its form's values, the comments on its pages and the files
//! embedded in it) is read in the `extras` module.
//!
//! Bad input must never stop a scan: a panic of the parser is caught and
//! reported, every stream is decoded within the archive limits (the byte
//! budget and the compression ratio of [`crate::container`]), and forms
//! nest at most [`MAX_FORM_DEPTH`] deep.

mod cmap;
mod extras;

use crate::container::{Budget, LimitExceeded, MAX_IN_MEMORY, RATIO_GRACE, printable};
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Encoding, LoadOptions, Object, ObjectId, Stream};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use cmap::ToUnicode;
pub use extras::{EmbeddedFile, MAX_TREE_DEPTH, MAX_TREE_NODES, Read};

/// Pages read from one document; past it the rest is reported not read.
pub const MAX_PAGES: usize = 100_000;
/// Form XObjects drawn inside forms, at most this deep.
pub const MAX_FORM_DEPTH: usize = 12;
/// Operators read inside forms, over a whole document. A form drawn ten
/// times that draws another ten times, twelve deep, is a few hundred bytes
/// that would take days; a real document's logos and stamps are far below.
pub const MAX_FORM_OPERATIONS: u64 = 10_000_000;
/// The graphics state stack (`q`) grows at most this deep; deeper saves are
/// counted so their restores match, but not kept.
const MAX_SAVED_STATES: usize = 256;
/// A `TJ` gap wider than this share of the font size is a space: kerning is
/// a few hundredths, a word gap a quarter or more.
const SPACE_GAP: f32 = 0.2;
/// Text whose baseline moves more than this share of the font size is on a
/// new line; less (a superscript, a baseline jitter) stays on the line.
const LINE_SHIFT: f32 = 0.5;
/// Glyph width assumed when a font gives none (the standard 14 fonts).
const GUESSED_WIDTH: f32 = 0.5;

/// Why a PDF, or one of its pages, was not read (to the end).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// Not a PDF the parser can read: no header, no objects, no pages.
    #[error("not a readable PDF: {0}")]
    Unreadable(String),
    /// Part of the document is damaged: a content stream that does not
    /// decode or parse; what came before the damage is read.
    #[error("{0}")]
    Damaged(String),
    /// The parser failed on this file (a fault of the parser, caught).
    #[error("the PDF reader failed on {0}")]
    ReaderFault(String),
    /// A limit on unpacked bytes or compression ratio stopped the reading.
    #[error("{0}")]
    Limit(LimitExceeded),
}

/// A PDF opened for reading.
pub enum Opened {
    Readable(Box<Pdf>),
    /// Encrypted with a password that is not the empty one.
    Locked,
}

/// A parsed PDF document.
pub struct Pdf {
    doc: Document,
}

/// Runs `f` (parser code) with its panics caught and kept quiet (their
/// messages may quote the file's bytes); a panic is the part's outcome.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, PdfError> {
    crate::caught::caught(f).map_err(|_| PdfError::ReaderFault(what.to_string()))
}

/// A parser error in words, with its causes: `lopdf`'s top-level messages
/// are short ("couldn't parse input") and say more with their source.
fn describe(e: &lopdf::Error) -> String {
    if let lopdf::Error::Unimplemented(what) = e {
        return format!("uses a feature that is not read ({what})");
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    printable(&text)
}

/// Whether loading failed because the document is encrypted in a way that
/// cannot be opened without its password.
fn is_locked_error(e: &lopdf::Error) -> bool {
    matches!(
        e,
        lopdf::Error::InvalidPassword
            | lopdf::Error::Decryption(_)
            | lopdf::Error::UnsupportedSecurityHandler(_)
            | lopdf::Error::AlreadyEncrypted
    )
}

/// What one stream may unpack: the budget left, the ratio to its packed
/// size, and what is opened in memory, whichever is least; and the limit
/// that says so when it is passed.
fn stream_limit(packed: usize, budget: &Budget) -> (usize, impl Fn() -> LimitExceeded + '_) {
    let ratio = budget.limits.max_ratio;
    let by_ratio = (packed as u64).saturating_mul(ratio).max(RATIO_GRACE);
    let remaining = budget.remaining();
    let limit = by_ratio.min(remaining).min(MAX_IN_MEMORY);
    let says = move || {
        if remaining <= by_ratio {
            // Charging past the budget marks it spent for the whole archive.
            match budget.charge(remaining.saturating_add(1)) {
                Err(limit) => limit,
                Ok(()) => LimitExceeded(format!("a stream unpacks to over {limit} bytes")),
            }
        } else if by_ratio <= MAX_IN_MEMORY {
            LimitExceeded(format!(
                "compression ratio over {ratio}:1 in a PDF stream of {packed} bytes (--max-archive-ratio, limits.max_archive_ratio)"
            ))
        } else {
            LimitExceeded(format!(
                "a PDF stream unpacks to over the {MAX_IN_MEMORY} bytes opened in memory"
            ))
        }
    };
    (limit as usize, says)
}

impl Pdf {
    /// Parses `data`. Object streams unpacked while loading are bounded like
    /// every stream (see [`stream_limit`]), by the size of the whole file.
    pub(crate) fn open(data: &[u8], budget: &Budget) -> Result<Opened, PdfError> {
        let (limit, _) = stream_limit(data.len(), budget);
        let options = LoadOptions {
            max_decompressed_size: Some(limit),
            ..LoadOptions::default()
        };
        let loaded = guarded("this file", || {
            Document::load_mem_with_options(data, options)
        })?;
        let doc = match loaded {
            Ok(doc) => doc,
            Err(e) if is_locked_error(&e) => return Ok(Opened::Locked),
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                let (_, says) = stream_limit(data.len(), budget);
                return Err(PdfError::Limit(says()));
            }
            Err(e) => return Err(PdfError::Unreadable(describe(&e))),
        };
        // Without the password the objects stay encrypted and unloaded.
        if doc.trailer.get(b"Encrypt").is_ok() && doc.encryption_state.is_none() {
            return Ok(Opened::Locked);
        }
        Ok(Opened::Readable(Box::new(Pdf { doc })))
    }

    /// The document information (`/Info`) as lines `Key: value`; `None`
    /// without any.
    pub fn metadata(&self) -> Result<Option<String>, PdfError> {
        guarded("its document information", || extras::info_lines(&self.doc))?
    }

    /// The XMP metadata packet of the catalog, unpacked within the limits.
    pub(crate) fn xmp(&self, budget: &Budget) -> Result<Option<Vec<u8>>, PdfError> {
        guarded("its XMP metadata", || extras::xmp_packet(&self.doc, budget))?
    }

    /// The values filled into the document's form, as NDJSON: a line
    /// `{"FIELD": VALUE}` per field, named by its fully qualified name.
    pub fn form(&self) -> Result<Read<String>, PdfError> {
        guarded("its form fields", || extras::form_fields(&self.doc))
    }

    /// The files embedded in the document (its name tree of embedded
    /// files, and files attached to its pages).
    pub fn embedded_files(&self) -> Result<Read<Vec<EmbeddedFile>>, PdfError> {
        guarded("its embedded files", || {
            let pages: Vec<ObjectId> = self.doc.page_iter().take(MAX_PAGES).collect();
            extras::embedded_files(&self.doc, &pages)
        })
    }

    /// The bytes of `file`, unpacked within the limits and charged to the
    /// budget.
    pub(crate) fn embedded_data(
        &self,
        file: &EmbeddedFile,
        budget: &Budget,
    ) -> Result<Vec<u8>, PdfError> {
        extras::embedded_data(&self.doc, file, budget)
    }

    /// The pages, read one at a time.
    pub fn pages(&self) -> Result<Pages<'_>, PdfError> {
        let ids: Vec<ObjectId> = guarded("its page tree", || {
            self.doc.page_iter().take(MAX_PAGES + 1).collect()
        })?;
        if ids.is_empty() {
            return Err(PdfError::Unreadable("no pages found".into()));
        }
        Ok(Pages {
            doc: &self.doc,
            ids,
            next: 0,
            shared: Shared::default(),
            failed: false,
        })
    }
}

/// The text of one page.
pub struct Page {
    /// 1-based, in the order of the page tree (the order a viewer shows).
    pub number: usize,
    /// A line per line of text as drawn.
    pub text: String,
    /// Unpacked bytes of the page's content streams.
    pub content_bytes: u64,
    /// Why the page was not read to the end, if it was not.
    pub problem: Option<PdfError>,
    /// The text of the comments on the page (see
    /// [`extras::page_annotations`]), empty without any.
    pub annotations: String,
    /// Why the comments were not all read, if they were not.
    pub annotations_problem: Option<PdfError>,
}

/// What the pages of a document share: fonts and forms are unpacked once.
#[derive(Default)]
struct Shared<'d> {
    fonts: HashMap<ObjectId, Rc<Font<'d>>>,
    forms: HashMap<ObjectId, Rc<[u8]>>,
    /// Operators read inside forms so far (see [`MAX_FORM_OPERATIONS`]).
    form_operations: u64,
}

/// Reads a document's pages in order.
pub struct Pages<'d> {
    doc: &'d Document,
    ids: Vec<ObjectId>,
    next: usize,
    shared: Shared<'d>,
    /// Set when the parser failed: the rest is not read.
    failed: bool,
}

impl<'d> Pages<'d> {
    /// Pages in the document (up to [`MAX_PAGES`]).
    pub fn count(&self) -> usize {
        self.ids.len().min(MAX_PAGES)
    }

    /// Pages not read yet; after [`Self::next_page`] gave `None`, those the
    /// parser failed before.
    pub fn unread(&self) -> usize {
        self.count() - self.next
    }

    /// Whether the document has more pages than are read.
    pub fn over_max(&self) -> bool {
        self.ids.len() > MAX_PAGES
    }

    /// The next page's text; `None` after the last page, or after the parser
    /// failed (that page says so).
    pub(crate) fn next_page(&mut self, budget: &Budget) -> Option<Page> {
        if self.failed || self.next >= self.count() {
            return None;
        }
        let number = self.next + 1;
        let id = self.ids[self.next];
        self.next += 1;
        let mut page = Page {
            number,
            text: String::new(),
            content_bytes: 0,
            problem: None,
            annotations: String::new(),
            annotations_problem: None,
        };
        let mut reader = PageReader {
            doc: self.doc,
            shared: &mut self.shared,
            budget,
            page: number,
            out: Text::default(),
            content_bytes: 0,
            passed_over: None,
        };
        let read = guarded(&format!("page {number}"), || reader.read_page(id));
        page.text = reader.out.text;
        page.content_bytes = reader.content_bytes;
        match read {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => page.problem = Some(problem),
            Err(fault) => {
                self.failed = true;
                page.problem = Some(fault);
            }
        }
        if !self.failed {
            let what = format!("the comments on page {number}");
            match guarded(&what, || extras::page_annotations(self.doc, id)) {
                Ok(read) => {
                    page.annotations = read.value;
                    page.annotations_problem = read.problem;
                }
                Err(fault) => page.annotations_problem = Some(fault),
            }
        }
        Some(page)
    }
}

/// A 2-D affine transform `[a b c d e f]`, as PDF writes them: a point
/// `(x, y)` maps to `(a x + c y + e, b x + d y + f)`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` first, then `then`.
    fn then(self, then: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn point(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn vector(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, _, _] = self.0;
        (a * x + c * y, b * x + d * y)
    }

    fn from_operands(operands: &[Object]) -> Option<Matrix> {
        let mut m = [0f32; 6];
        if operands.len() < 6 {
            return None;
        }
        for (slot, operand) in m.iter_mut().zip(operands) {
            *slot = number(operand)?;
        }
        Some(Matrix(m))
    }
}

fn number(o: &Object) -> Option<f32> {
    o.as_float().ok().filter(|n| n.is_finite())
}

/// How a font's codes become text without a ToUnicode map (or for codes
/// the map leaves out).
enum Decoder<'d> {
    /// `lopdf`'s decoding: a named encoding, differences to one, a named
    /// Unicode CMap.
    Encoding(Encoding<'d>),
    /// A byte per character, as Windows-1252: what a font without a usable
    /// encoding most likely means.
    Latin,
    /// Glyph numbers with no map back to characters (a composite font
    /// without ToUnicode): not text.
    Nothing,
}

/// Glyph widths, in thousandths of the font size (glyph space).
enum Widths {
    /// A simple font's `/Widths` from `/FirstChar`.
    Simple {
        first: i64,
        widths: Vec<f32>,
        missing: f32,
    },
    /// A composite font's `/W`: ranges of codes by their first code.
    Composite {
        ranges: BTreeMap<u32, (u32, f32)>,
        default: f32,
    },
    /// None given: widths are guessed, so where a string ends is a guess.
    Guessed,
}

struct Font<'d> {
    /// Read first: a subset font's encoding names glyphs, its ToUnicode
    /// map says which characters they are.
    to_unicode: Option<ToUnicode>,
    decoder: Decoder<'d>,
    /// Composite fonts show two bytes per code.
    two_byte: bool,
    widths: Widths,
    /// Glyph space to text space (1/1000 except in Type 3 fonts).
    scale: f32,
}

impl Font<'_> {
    fn missing() -> Font<'static> {
        Font {
            to_unicode: None,
            decoder: Decoder::Nothing,
            two_byte: false,
            widths: Widths::Guessed,
            scale: 0.001,
        }
    }

    fn fallback() -> Font<'static> {
        Font {
            to_unicode: None,
            decoder: Decoder::Latin,
            two_byte: false,
            widths: Widths::Guessed,
            scale: 0.001,
        }
    }

    /// Width of `code` in glyph space.
    fn width(&self, code: u32) -> f32 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => i64::from(code)
                .checked_sub(*first)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| widths.get(i))
                .copied()
                .unwrap_or(*missing),
            Widths::Composite { ranges, default } => ranges
                .range(..=code)
                .next_back()
                .filter(|(_, (last, _))| code <= *last)
                .map_or(*default, |(_, (_, w))| *w),
            Widths::Guessed => GUESSED_WIDTH * 1000.0,
        }
    }

    /// The codes of a shown string: a byte each, or two in composite fonts.
    fn codes<'b>(&self, bytes: &'b [u8]) -> impl Iterator<Item = u32> + 'b {
        let step = if self.two_byte { 2 } else { 1 };
        bytes.chunks_exact(step).map(|c| {
            c.iter()
                .fold(0u32, |code, &byte| (code << 8) | u32::from(byte))
        })
    }

    fn decode(&self, bytes: &[u8], out: &mut String) {
        let Some(map) = &self.to_unicode else {
            self.decoder.decode(bytes, out);
            return;
        };
        let natural = if self.two_byte { 2 } else { 1 };
        let mut i = 0;
        while i < bytes.len() {
            let len = map.code_len(&bytes[i..], natural).clamp(1, bytes.len() - i);
            let code = &bytes[i..i + len];
            let value = code
                .iter()
                .fold(0u32, |value, &b| (value << 8) | u32::from(b));
            match map.get(len, value) {
                Some(text) => push_clean(&text, out),
                None => self.decoder.decode(code, out),
            }
            i += len;
        }
    }
}

impl Decoder<'_> {
    fn decode(&self, bytes: &[u8], out: &mut String) {
        match self {
            Decoder::Encoding(encoding) => {
                let mut text = String::new();
                if encoding.write_to_string(bytes, &mut text).is_ok() {
                    push_clean(&text, out);
                } else {
                    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                    push_clean(&text, out);
                }
            }
            Decoder::Latin => {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                push_clean(&text, out);
            }
            Decoder::Nothing => {}
        }
    }
}

/// Appends decoded text without control characters (a NUL would make the
/// page look binary) and without the replacement character unmapped codes
/// decode to; line breaks inside a string are spaces: lines come from where
/// text is drawn.
fn push_clean(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == char::REPLACEMENT_CHARACTER => {}
            c => out.push(c),
        }
    }
}

/// The page text being made, and where the last string ended.
#[derive(Default)]
struct Text {
    text: String,
    /// End of the last string shown, in device space, with the direction
    /// of its baseline (unit vector) and its font size there.
    pen: Option<Pen>,
    /// A text or graphics matrix was set since the last string: where the
    /// next one starts decides what joins them.
    moved: bool,
    /// Kerning gap since the last string, in font sizes.
    gap: f32,
}

#[derive(Clone, Copy)]
struct Pen {
    x: f32,
    y: f32,
    dir: (f32, f32),
    size: f32,
    guessed: bool,
}

impl Text {
    fn ends_blank(&self) -> bool {
        self.text.is_empty() || self.text.ends_with([' ', '\n'])
    }

    fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            if self.text.ends_with(' ') {
                self.text.pop();
            }
            self.text.push('\n');
        }
    }

    fn space(&mut self) {
        if !self.ends_blank() {
            self.text.push(' ');
        }
    }

    /// Joins a string starting at `(x, y)` to what came before.
    fn join(&mut self, x: f32, y: f32, size: f32) {
        let Some(pen) = self.pen else {
            return;
        };
        if !self.moved {
            if self.gap > SPACE_GAP {
                self.space();
            }
            return;
        }
        let (dx, dy) = (x - pen.x, y - pen.y);
        let along = dx * pen.dir.0 + dy * pen.dir.1;
        let across = dy * pen.dir.0 - dx * pen.dir.1;
        let size = size.max(pen.size).max(f32::EPSILON);
        if across.abs() > LINE_SHIFT * size || !across.is_finite() {
            self.newline();
        } else if pen.guessed || along > SPACE_GAP * size || along < -size {
            self.space();
        }
    }
}

/// Text state and graphics state saved by `q`.
#[derive(Clone)]
struct State<'d> {
    ctm: Matrix,
    font: Option<Rc<Font<'d>>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scaling: f32,
    leading: f32,
}

/// Reads one page: its content streams and the forms they draw.
struct PageReader<'p, 'd> {
    doc: &'d Document,
    shared: &'p mut Shared<'d>,
    budget: &'p Budget,
    page: usize,
    out: Text,
    content_bytes: u64,
    /// What was passed over on the page without stopping it: a font it
    /// names and does not have, forms nested too deep.
    passed_over: Option<PdfError>,
}

impl<'d> PageReader<'_, 'd> {
    fn read_page(&mut self, id: ObjectId) -> Result<(), PdfError> {
        let Ok(page) = self.doc.get_dictionary(id) else {
            return Err(self.damaged("its page object is missing or damaged"));
        };
        let resources = self.inherited_resources(page);
        let mut content = Vec::new();
        for stream_id in self.doc.get_page_contents(id) {
            let Ok(stream) = self.doc.get_object(stream_id).and_then(Object::as_stream) else {
                return Err(self.damaged("a content stream is missing"));
            };
            content.extend_from_slice(&self.unpack(stream)?);
            // Streams of a page are one sequence of operators, split anywhere
            // between tokens.
            content.push(b'\n');
        }
        let state = State {
            ctm: Matrix::IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scaling: 1.0,
            leading: 0.0,
        };
        let mut forms = Vec::new();
        self.run(&content, resources, state, &mut forms)?;
        self.charge_text()?;
        match self.passed_over.take() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    fn damaged(&self, what: &str) -> PdfError {
        PdfError::Damaged(format!("page {}: {what}", self.page))
    }

    /// The page's `/Resources`, or the nearest ancestor's in the page tree.
    fn inherited_resources(&self, page: &'d Dictionary) -> Option<&'d Dictionary> {
        let mut node = page;
        for _ in 0..64 {
            if let Ok(resources) = self.dict_at(node, b"Resources") {
                return Some(resources);
            }
            node = self.dict_at(node, b"Parent").ok()?;
        }
        None
    }

    fn dict_at(&self, dict: &'d Dictionary, key: &[u8]) -> lopdf::Result<&'d Dictionary> {
        dict.get_deref(key, self.doc).and_then(Object::as_dict)
    }

    /// A stream's unpacked bytes, within the limits and charged to the budget.
    fn unpack(&mut self, stream: &Stream) -> Result<Vec<u8>, PdfError> {
        let what = format!("page {}: a content stream", self.page);
        let data = extras::unpack(stream, self.budget, &what)?;
        self.content_bytes += data.len() as u64;
        Ok(data)
    }

    /// Counts the page's text against the budget: a font's map can make a
    /// long text of a short stream.
    fn charge_text(&self) -> Result<(), PdfError> {
        self.budget
            .charge(self.out.text.len() as u64)
            .map_err(PdfError::Limit)
    }

    /// Interprets `content` with `resources`; `forms` are the forms being
    /// drawn (a form that draws itself is not drawn again).
    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        mut state: State<'d>,
        forms: &mut Vec<ObjectId>,
    ) -> Result<(), PdfError> {
        let mut saved: Vec<State<'d>> = Vec::new();
        let mut unsaved_depth = 0usize;
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        for operation in Content::decode_iter(content) {
            let Ok(Operation { operator, operands }) = operation else {
                return Err(self.damaged("a content stream cannot be read to its end"));
            };
            if !forms.is_empty() {
                self.shared.form_operations += 1;
                if self.shared.form_operations > MAX_FORM_OPERATIONS {
                    return Err(PdfError::Limit(LimitExceeded(format!(
                        "over {MAX_FORM_OPERATIONS} operators drawn in forms of one PDF (forms drawn inside forms)"
                    ))));
                }
            }
            let num = |i: usize| operands.get(i).and_then(number);
            match operator.as_str() {
                "q" if saved.len() < MAX_SAVED_STATES => saved.push(state.clone()),
                "q" => unsaved_depth += 1,
                "Q" => {
                    if unsaved_depth > 0 {
                        unsaved_depth -= 1;
                    } else if let Some(s) = saved.pop() {
                        state = s;
                        self.out.moved = true;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(&operands) {
                        state.ctm = m.then(state.ctm);
                        self.out.moved = true;
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                    self.out.moved = true;
                }
                "Tf" => {
                    let name = operands.first().and_then(|o| o.as_name().ok());
                    state.font = match name {
                        Some(name) => match self.font(resources, name)? {
                            Some(font) => Some(font),
                            None => {
                                // Text in a font that is not there is not
                                // read: guessed, it would be noise.
                                let name: String =
                                    String::from_utf8_lossy(name).chars().take(64).collect();
                                let missing = self.damaged(&format!(
                                    "font /{} is missing or damaged; the text in it is not read",
                                    printable(&name)
                                ));
                                self.passed_over.get_or_insert(missing);
                                Some(Rc::new(Font::missing()))
                            }
                        },
                        None => None,
                    };
                    state.size = num(1).unwrap_or(0.0);
                }
                "Tc" => state.char_spacing = num(0).unwrap_or(0.0),
                "Tw" => state.word_spacing = num(0).unwrap_or(0.0),
                "Tz" => state.scaling = num(0).unwrap_or(100.0) / 100.0,
                "TL" => state.leading = num(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (x, y) = (num(0).unwrap_or(0.0), num(1).unwrap_or(0.0));
                    if operator == "TD" {
                        state.leading = -y;
                    }
                    tlm = Matrix::translate(x, y).then(tlm);
                    tm = tlm;
                    self.out.moved = true;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(&operands) {
                        tlm = m;
                        tm = m;
                        self.out.moved = true;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -state.leading).then(tlm);
                    tm = tlm;
                    self.out.moved = true;
                }
                "Tj" | "'" | "\"" => {
                    let string = match operator.as_str() {
                        "'" => {
                            tlm = Matrix::translate(0.0, -state.leading).then(tlm);
                            tm = tlm;
                            self.out.moved = true;
                            operands.first()
                        }
                        "\"" => {
                            state.word_spacing = num(0).unwrap_or(state.word_spacing);
                            state.char_spacing = num(1).unwrap_or(state.char_spacing);
                            tlm = Matrix::translate(0.0, -state.leading).then(tlm);
                            tm = tlm;
                            self.out.moved = true;
                            operands.get(2)
                        }
                        _ => operands.first(),
                    };
                    if let Some(Object::String(bytes, _)) = string {
                        self.show(bytes, &state, &mut tm)?;
                    }
                }
                "TJ" => {
                    let Some(Object::Array(items)) = operands.first() else {
                        continue;
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => self.show(bytes, &state, &mut tm)?,
                            other => {
                                let Some(n) = number(other) else { continue };
                                let shift = -n / 1000.0;
                                tm = Matrix::translate(shift * state.size * state.scaling, 0.0)
                                    .then(tm);
                                self.out.gap += shift;
                            }
                        }
                    }
                }
                "Do" => {
                    let name = operands.first().and_then(|o| o.as_name().ok());
                    if let Some(name) = name {
                        self.draw_form(resources, name, &state, forms)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows `bytes` in the current font at `tm`, then moves `tm` past them.
    fn show(&mut self, bytes: &[u8], state: &State<'d>, tm: &mut Matrix) -> Result<(), PdfError> {
        let fallback;
        let font = match &state.font {
            Some(font) => font.as_ref(),
            None => {
                fallback = Font::fallback();
                &fallback
            }
        };
        let device = tm.then(state.ctm);
        let (x, y) = device.point(0.0, 0.0);
        let (size_x, size_y) = device.vector(0.0, state.size);
        let size = size_x.hypot(size_y).abs();
        let (dir_x, dir_y) = device.vector(1.0, 0.0);
        let norm = dir_x.hypot(dir_y);
        let dir = if norm > 0.0 && norm.is_finite() {
            (dir_x / norm, dir_y / norm)
        } else {
            (1.0, 0.0)
        };
        let mut decoded = String::new();
        font.decode(bytes, &mut decoded);
        let shown = !decoded.is_empty();
        // Glyphs without characters are not text and join nothing.
        if shown {
            self.out.join(x, y, size);
            self.out.text.push_str(&decoded);
        }
        let mut advance = 0.0;
        for code in font.codes(bytes) {
            advance += font.width(code) * font.scale * state.size + state.char_spacing;
            if code == 32 && !font.two_byte {
                advance += state.word_spacing;
            }
        }
        *tm = Matrix::translate(advance * state.scaling, 0.0).then(*tm);
        if shown {
            let (end_x, end_y) = tm.then(state.ctm).point(0.0, 0.0);
            self.out.pen = Some(Pen {
                x: end_x,
                y: end_y,
                dir,
                size,
                guessed: matches!(font.widths, Widths::Guessed),
            });
            self.out.moved = false;
            self.out.gap = 0.0;
        }
        // A font map can make much text of few bytes: it counts as unpacked.
        if self.out.text.len() as u64 > self.budget.remaining() {
            return Err(PdfError::Limit(
                self.budget
                    .charge(self.out.text.len() as u64)
                    .err()
                    .unwrap_or_else(|| LimitExceeded("page text over the byte budget".into())),
            ));
        }
        Ok(())
    }

    /// Draws the form XObject `name` of `resources` (images are not text).
    fn draw_form(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
        state: &State<'d>,
        forms: &mut Vec<ObjectId>,
    ) -> Result<(), PdfError> {
        let Some(xobjects) = resources.and_then(|r| self.dict_at(r, b"XObject").ok()) else {
            return Ok(());
        };
        let Ok(Object::Reference(id)) = xobjects.get(name) else {
            return Ok(());
        };
        // A form that draws itself is read once.
        if forms.contains(id) {
            return Ok(());
        }
        if forms.len() >= MAX_FORM_DEPTH {
            let deep = PdfError::Limit(LimitExceeded(format!(
                "page {}: forms drawn inside forms more than {MAX_FORM_DEPTH} deep are not read",
                self.page
            )));
            self.passed_over.get_or_insert(deep);
            return Ok(());
        }
        let Ok(form) = self.doc.get_object(*id).and_then(Object::as_stream) else {
            return Ok(());
        };
        if form.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return Ok(());
        }
        let content = match self.shared.forms.get(id) {
            Some(content) => content.clone(),
            None => {
                let content: Rc<[u8]> = self.unpack(form)?.into();
                self.shared.forms.insert(*id, content.clone());
                content
            }
        };
        let matrix = form
            .dict
            .get(b"Matrix")
            .and_then(Object::as_array)
            .ok()
            .and_then(|m| Matrix::from_operands(m))
            .unwrap_or(Matrix::IDENTITY);
        let own = self.dict_at(&form.dict, b"Resources").ok();
        let mut inner = state.clone();
        inner.ctm = matrix.then(state.ctm);
        self.out.moved = true;
        forms.push(*id);
        let result = self.run(&content, own.or(resources), inner, forms);
        forms.pop();
        self.out.moved = true;
        result
    }

    /// The font `name` of `resources`, decoded once per document.
    fn font(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font<'d>>>, PdfError> {
        let Some(fonts) = resources.and_then(|r| self.dict_at(r, b"Font").ok()) else {
            return Ok(None);
        };
        Ok(match fonts.get(name) {
            Ok(Object::Reference(id)) => {
                if let Some(font) = self.shared.fonts.get(id) {
                    return Ok(Some(font.clone()));
                }
                let Ok(dict) = self.doc.get_dictionary(*id) else {
                    return Ok(None);
                };
                let font = Rc::new(self.load_font(dict)?);
                self.shared.fonts.insert(*id, font.clone());
                Some(font)
            }
            Ok(Object::Dictionary(dict)) => Some(Rc::new(self.load_font(dict)?)),
            _ => None,
        })
    }

    fn load_font(&self, dict: &'d Dictionary) -> Result<Font<'d>, PdfError> {
        let doc = self.doc;
        let subtype = dict.get(b"Subtype").and_then(Object::as_name).ok();
        let composite = subtype == Some(b"Type0".as_slice());
        let to_unicode = self.to_unicode(dict)?;
        // An /Encoding names no stream that unpacks much.
        let limit = (RATIO_GRACE as usize).min(self.budget.remaining() as usize);
        let decoder = if composite {
            // Identity-H shows glyph numbers; only a named Unicode CMap maps
            // codes to characters without a ToUnicode map.
            let identity = matches!(
                dict.get(b"Encoding").and_then(Object::as_name),
                Ok(b"Identity-H" | b"Identity-V")
            );
            match dict.get_font_encoding_with_limit(doc, limit) {
                Ok(encoding @ Encoding::SimpleEncoding(_)) if !identity => {
                    Decoder::Encoding(encoding)
                }
                _ => Decoder::Nothing,
            }
        } else {
            // Without an /Encoding, `lopdf` would read the ToUnicode map
            // (read above) or the standard encoding, which Windows-1252
            // matches in letters and digits.
            match dict.get(b"Encoding") {
                Ok(_) => match dict.get_font_encoding_with_limit(doc, limit) {
                    Ok(encoding) => Decoder::Encoding(encoding),
                    Err(_) => Decoder::Latin,
                },
                Err(_) => Decoder::Latin,
            }
        };
        let scale = dict
            .get(b"FontMatrix")
            .and_then(Object::as_array)
            .ok()
            .and_then(|m| m.first())
            .and_then(number)
            .filter(|s| *s != 0.0)
            .unwrap_or(0.001);
        let widths = if composite {
            self.composite_widths(dict)
        } else {
            self.simple_widths(dict)
        };
        Ok(Font {
            to_unicode,
            decoder,
            two_byte: composite,
            widths,
            scale,
        })
    }

    /// The font's ToUnicode map, when it has one with mappings in it.
    fn to_unicode(&self, font: &Dictionary) -> Result<Option<ToUnicode>, PdfError> {
        let Ok(stream) = font
            .get_deref(b"ToUnicode", self.doc)
            .and_then(Object::as_stream)
        else {
            return Ok(None);
        };
        let (limit, says) = stream_limit(stream.content.len(), self.budget);
        let plain = match stream.get_plain_content_with_limit(limit) {
            Ok(plain) => plain,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => return Err(PdfError::Limit(says())),
            Err(_) => return Ok(None),
        };
        self.budget
            .charge(plain.len() as u64)
            .map_err(PdfError::Limit)?;
        let map = ToUnicode::parse(&plain);
        Ok((!map.is_empty()).then_some(map))
    }

    fn simple_widths(&self, font: &'d Dictionary) -> Widths {
        let Ok(list) = font
            .get_deref(b"Widths", self.doc)
            .and_then(Object::as_array)
        else {
            return Widths::Guessed;
        };
        let first = font.get(b"FirstChar").and_then(Object::as_i64).unwrap_or(0);
        let missing = self
            .dict_at(font, b"FontDescriptor")
            .ok()
            .and_then(|d| d.get(b"MissingWidth").ok())
            .and_then(number)
            .unwrap_or(0.0);
        let widths = list
            .iter()
            .take(256)
            .map(|w| {
                self.doc
                    .dereference(w)
                    .ok()
                    .and_then(|(_, w)| number(w))
                    .unwrap_or(missing)
            })
            .collect();
        Widths::Simple {
            first,
            widths,
            missing,
        }
    }

    fn composite_widths(&self, font: &'d Dictionary) -> Widths {
        let descendant = font
            .get_deref(b"DescendantFonts", self.doc)
            .and_then(Object::as_array)
            .ok()
            .and_then(|fonts| fonts.first())
            .and_then(|f| self.doc.dereference(f).ok())
            .and_then(|(_, f)| f.as_dict().ok());
        let Some(descendant) = descendant else {
            return Widths::Guessed;
        };
        let default = descendant
            .get(b"DW")
            .ok()
            .and_then(number)
            .unwrap_or(1000.0);
        let mut ranges = BTreeMap::new();
        let items = descendant
            .get_deref(b"W", self.doc)
            .and_then(Object::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // `c [w1 w2 ...]` gives codes from c one by one; `first last w` a range.
        let mut i = 0;
        while i + 1 < items.len() && ranges.len() < 65_536 {
            let Some(start) = number(&items[i]).and_then(code_number) else {
                break;
            };
            match self.doc.dereference(&items[i + 1]).map(|(_, o)| o) {
                Ok(Object::Array(list)) => {
                    for (k, w) in list.iter().take(65_536).enumerate() {
                        let code = start.saturating_add(k as u32);
                        ranges.insert(code, (code, number(w).unwrap_or(default)));
                    }
                    i += 2;
                }
                Ok(last) => {
                    let (Some(last), Some(w)) = (
                        number(last).and_then(code_number),
                        items.get(i + 2).and_then(number),
                    ) else {
                        break;
                    };
                    ranges.insert(start, (last, w));
                    i += 3;
                }
                Err(_) => break,
            }
        }
        Widths::Composite { ranges, default }
    }
}

fn code_number(n: f32) -> Option<u32> {
    (n >= 0.0 && n <= u32::MAX as f32).then_some(n as u32)
}

/// PDF builders shared with the command-line tests.
#[cfg(test)]
#[path = "../tests/common/pdf.rs"]
mod builders;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::container::ArchiveLimits;

    /// A PDF of `objects` (numbered from 1; the first is the catalog).
    pub(crate) fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
        super::builders::pdf_of(objects, "")
    }

    pub(crate) use super::builders::{pdf_stream as stream, zlib_of as deflate};

    pub(crate) use super::builders::{HELVETICA, pdf_document as document};

    fn budget() -> Budget {
        Budget::new(ArchiveLimits::default())
    }

    /// Every page's text, or the first problem.
    fn texts_with(data: &[u8], budget: &Budget) -> Result<Vec<String>, PdfError> {
        let Opened::Readable(pdf) = Pdf::open(data, budget)? else {
            panic!("locked");
        };
        let mut pages = pdf.pages()?;
        let mut texts = Vec::new();
        while let Some(page) = pages.next_page(budget) {
            if let Some(problem) = page.problem {
                return Err(problem);
            }
            texts.push(page.text);
        }
        Ok(texts)
    }

    fn texts(data: &[u8]) -> Vec<String> {
        texts_with(data, &budget()).unwrap()
    }

    fn one_page(content: &[u8]) -> String {
        let data = document(&[stream("", content)], HELVETICA, &[]);
        texts(&data).remove(0)
    }

    #[test]
    fn lines_are_where_text_moves_down() {
        let text = one_page(
            b"BT /F1 12 Tf 72 700 Td (Jan de Vries) Tj 0 -14 Td (Kerkstraat 12) Tj\n\
              T* (ignored leading) Tj ET",
        );
        assert_eq!(text, "Jan de Vries\nKerkstraat 12 ignored leading");
        let text = one_page(
            b"BT /F1 12 Tf 14 TL 72 700 Td (Jan de Vries) Tj T* (3742 KD Baarn) Tj\n\
              (line three) ' 1 2 (line four) \" ET\n\
              BT 72 600 Td /F1 10 Tf (06-38215947) Tj ET",
        );
        assert_eq!(
            text,
            "Jan de Vries\n3742 KD Baarn\nline three\nline four\n06-38215947"
        );
    }

    #[test]
    fn flate_compressed_content_is_read() {
        let content = deflate(b"BT /F1 12 Tf 72 700 Td (info@autojansen.nl) Tj ET");
        let data = document(&[stream("/Filter /FlateDecode", &content)], HELVETICA, &[]);
        assert_eq!(texts(&data), ["info@autojansen.nl"]);
    }

    #[test]
    fn tj_kerning_joins_a_word_and_a_wide_gap_is_a_space() {
        let text = one_page(b"BT /F1 12 Tf 72 700 Td [(GZ-9) -20 (15-X)] TJ ET");
        assert_eq!(text, "GZ-915-X");
        let text = one_page(b"BT /F1 12 Tf 72 700 Td [(Jan) -300 (Jansen) 40 (!)] TJ ET");
        assert_eq!(text, "Jan Jansen!");
    }

    #[test]
    fn strings_on_one_line_join_by_where_they_start() {
        // Widths known: `06-` is 556 + 556 + 333 thousandths wide at 10
        // points, so the number drawn at 72 + 14.45 goes on where it ends.
        let font = "<< /Type /Font /Subtype /TrueType /BaseFont /Arial /Encoding /WinAnsiEncoding \
                    /FirstChar 32 /LastChar 57 /Widths [278 0 0 0 0 0 0 0 0 0 0 0 0 333 278 0 \
                    556 556 556 556 556 556 556 556 556 556] >>";
        let content = b"BT /F1 10 Tf 72 700 Td (06-) Tj ET\n\
                        BT /F1 10 Tf 86.45 700 Td (38215947) Tj 100 0 Td (Baarn) Tj ET";
        let data = document(&[stream("", content)], font, &[]);
        assert_eq!(texts(&data), ["06-38215947 Baarn"]);
        // Widths guessed (a standard font): a string placed apart is a word.
        let text = one_page(b"BT /F1 10 Tf 72 700 Td (Naam:) Tj 60 0 Td (Jansen) Tj ET");
        assert_eq!(text, "Naam: Jansen");
    }

    #[test]
    fn a_tounicode_map_turns_glyph_numbers_into_text() {
        // A subset font as invoices embed them: two-byte glyph numbers that
        // only the ToUnicode map says are `GZ-915-X` and `Jan`.
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            3 beginbfchar <0003> <0047> <0004> <005A> <0005> <002D> endbfchar\n\
            2 beginbfrange <0010> <0019> <0030> <0020> <0021> [<004A> <0061>] endbfrange\n\
            1 beginbfchar <0022> <006E> endbfchar\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let font = "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+DejaVuSans /Encoding /Identity-H \
                    /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>";
        let descendant = b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+DejaVuSans \
                           /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                           /DW 600 /W [3 [700 650] 5 5 350] >>"
            .to_vec();
        let content = b"BT /F1 11 Tf 72 700 Td <00030004000500190011001500050028> Tj\n\
                        0 -14 Td [<002000210022>] TJ ET";
        let data = document(
            &[stream("/Filter /FlateDecode", &deflate(content))],
            font,
            &[descendant, stream("", cmap)],
        );
        let text = &texts(&data)[0];
        assert!(text.starts_with("GZ-915-"), "{text:?}");
        assert!(text.ends_with("\nJan"), "{text:?}");
    }

    #[test]
    fn the_tounicode_map_wins_over_the_encoding() {
        // A subset TrueType font numbers its glyphs 1, 2, 3... whatever
        // `/Encoding` says; only the map knows code 1 is `B`.
        let cmap = b"begincmap 1 begincodespacerange <00> <FF> endcodespacerange\n\
                     3 beginbfchar <01> <0042> <02> <0053> <03> <004E> endbfchar endcmap";
        let font = "<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+Calibri \
                    /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>";
        let data = document(
            &[stream("", b"BT /F1 12 Tf 72 700 Td <010203> Tj ET")],
            font,
            &[stream("", cmap)],
        );
        assert_eq!(texts(&data), ["BSN"]);
    }

    #[test]
    fn forms_are_read_where_they_are_drawn_and_never_in_a_loop() {
        let content = b"BT /F1 12 Tf 72 700 Td (Factuur) Tj ET /X1 Do";
        let page_with_form = "<< /Type /Pages /Kids [4 0 R] /Count 1 >>";
        let objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            page_with_form.as_bytes().to_vec(),
            HELVETICA.as_bytes().to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /X1 6 0 R >> >> /Contents 5 0 R >>".to_vec(),
            stream("", content),
            // The form draws itself again: once is read.
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Matrix [1 0 0 1 0 -100] \
                 /Resources << /Font << /F1 3 0 R >> /XObject << /X1 6 0 R >> >>",
                b"BT /F1 12 Tf 72 700 Td (s.elamrani@gmail.com) Tj ET /X1 Do",
            ),
        ];
        assert_eq!(texts(&pdf_of(&objects)), ["Factuur\ns.elamrani@gmail.com"]);
    }

    #[test]
    fn forms_drawing_forms_are_stopped_before_they_take_long() {
        // Twelve forms, each drawing the next ten times: 10^12 draws.
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
            HELVETICA.as_bytes().to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /X 6 0 R >> >> /Contents 5 0 R >>".to_vec(),
            stream("", b"BT /F1 9 Tf (begin) Tj ET /X Do"),
        ];
        for level in 0..12 {
            objects.push(stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 1 1] \
                     /Resources << /Font << /F1 3 0 R >> /XObject << /X {} 0 R >> >>",
                    7 + level
                ),
                &b"BT /F1 9 Tf (x) Tj ET /X Do /X Do /X Do /X Do /X Do /X Do /X Do /X Do /X Do /X Do"[..],
            ));
        }
        // Stopped by the count of operators, not by time: no clock here.
        let Err(PdfError::Limit(limit)) = texts_with(&pdf_of(&objects), &budget()) else {
            panic!("not stopped");
        };
        assert!(limit.0.contains("operators drawn in forms"), "{limit}");
    }

    #[test]
    fn a_panic_in_the_parser_is_caught_as_the_files_outcome() {
        let caught = guarded("page 3", || -> () { panic!("would quote piet@kpn.nl") });
        assert_eq!(caught, Err(PdfError::ReaderFault("page 3".into())));
        assert_eq!(
            caught.unwrap_err().to_string(),
            "the PDF reader failed on page 3"
        );
    }

    #[test]
    fn pages_are_read_in_order_and_an_empty_page_has_no_text() {
        let data = document(
            &[
                stream("", b"BT /F1 12 Tf 72 700 Td (een) Tj ET"),
                stream("", b"0 0 1 rg 10 10 100 100 re f"),
                stream("", b"BT /F1 12 Tf 72 700 Td (drie) Tj ET"),
            ],
            HELVETICA,
            &[],
        );
        assert_eq!(texts(&data), ["een", "", "drie"]);
    }

    #[test]
    fn a_content_stream_bomb_stops_at_the_ratio() {
        let zeros = vec![b' '; 64 << 20];
        let bomb = deflate(&zeros);
        let data = document(&[stream("/Filter /FlateDecode", &bomb)], HELVETICA, &[]);
        let budget = budget();
        let Err(PdfError::Limit(limit)) = texts_with(&data, &budget) else {
            panic!("not stopped");
        };
        assert!(limit.0.contains("compression ratio over 100:1"), "{limit}");
        // A small budget stops it first, and is spent for the archive.
        let small = Budget::new(ArchiveLimits {
            max_bytes: 1000,
            ..ArchiveLimits::default()
        });
        let Err(PdfError::Limit(limit)) = texts_with(&data, &small) else {
            panic!("not stopped");
        };
        assert!(limit.0.contains("--max-archive-bytes"), "{limit}");
        assert!(small.is_exhausted());
    }

    #[test]
    fn encrypted_with_a_password_is_locked_and_without_one_is_read() {
        let plain = document(
            &[stream("", b"BT /F1 12 Tf 72 700 Td (piet@kpn.nl) Tj ET")],
            HELVETICA,
            &[],
        );
        let encrypted = |user_password: &str| super::builders::encrypted_pdf(&plain, user_password);
        let locked = encrypted("geheim");
        assert!(matches!(Pdf::open(&locked, &budget()), Ok(Opened::Locked)));
        let open = encrypted("");
        assert_eq!(texts(&open), ["piet@kpn.nl"]);
    }

    #[test]
    fn what_is_not_a_pdf_is_unreadable() {
        for data in [
            b"%PDF-".to_vec(),
            b"%PDF-1.7\n\x8f\x01garbage".to_vec(),
            b"<html>Not found</html>".to_vec(),
            Vec::new(),
        ] {
            let result = Pdf::open(&data, &budget()).and_then(|opened| match opened {
                Opened::Readable(pdf) => pdf.pages().map(|_| ()),
                Opened::Locked => Ok(()),
            });
            assert!(
                matches!(result, Err(PdfError::Unreadable(_))),
                "{:?}: {:?}",
                String::from_utf8_lossy(&data),
                result.err()
            );
        }
    }

    #[test]
    fn truncated_and_mutated_pdfs_never_panic() {
        let content = deflate(
            b"q 1 0 0 1 0 0 cm BT /F1 12 Tf 72 700 Td [(GZ-9) -20 (15-X)] TJ 0 -14 Td (jan@kpn.nl) Tj ET Q",
        );
        let data = document(
            &[
                stream("/Filter /FlateDecode", &content),
                stream("", b"BT /F1 12 Tf 72 700 Td (twee) Tj ET"),
            ],
            HELVETICA,
            &[],
        );
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for cut in (0..data.len()).step_by(7) {
            let _ = texts_with(&data[..cut], &budget());
        }
        for _ in 0..2000 {
            let mut mutated = data.clone();
            for _ in 0..1 + next() % 6 {
                let at = (next() % mutated.len() as u64) as usize;
                match next() % 3 {
                    0 => mutated[at] = next() as u8,
                    1 => {
                        mutated.remove(at);
                    }
                    _ => mutated.insert(at, b"()[]<>/0 R\n"[(next() % 11) as usize]),
                }
            }
            let _ = texts_with(&mutated, &budget());
        }
    }

    // ---- what a PDF holds besides its pages' text ---------------------

    use super::builders::{PdfParts, embedded_file, file_spec, pdf_document_with, pdf_text};

    fn opened(data: &[u8]) -> Box<Pdf> {
        match Pdf::open(data, &budget()) {
            Ok(Opened::Readable(pdf)) => pdf,
            _ => panic!("not readable"),
        }
    }

    /// A one-page PDF with `parts` and `extra` objects (numbered from 6).
    fn with_parts(parts: &PdfParts, extra: &[Vec<u8>]) -> Vec<u8> {
        let page = stream("", b"BT /F1 12 Tf 72 700 Td (Proefrit) Tj ET");
        pdf_document_with(&[page], HELVETICA, extra, parts)
    }

    #[test]
    fn the_document_information_is_lines_of_key_and_value() {
        let info = format!(
            "<< /Title (Proefritformulier) /Author {} /Subject (Proefrit\nGZ-915-X) \
             /Afdeling (Verkoop) /CreationDate (D:20240318101500+01'00') /Trapped /False \
             /Keywords <FEFF> >>",
            pdf_text("Sanne Bakker – verkoop@autovanleeuwen.nl")
        );
        let data = with_parts(
            &PdfParts {
                trailer: "/Info 6 0 R",
                ..PdfParts::default()
            },
            &[info.into_bytes()],
        );
        let lines = opened(&data).metadata().unwrap().unwrap();
        assert_eq!(
            lines,
            "Title: Proefritformulier\n\
             Author: Sanne Bakker – verkoop@autovanleeuwen.nl\n\
             Subject: Proefrit GZ-915-X\n\
             Afdeling: Verkoop\n"
        );
        // Without an /Info there is nothing, and that is no problem.
        assert_eq!(
            opened(&with_parts(&PdfParts::default(), &[])).metadata(),
            Ok(None)
        );
    }

    #[test]
    fn an_info_that_is_not_a_dictionary_is_damage_named() {
        let data = with_parts(
            &PdfParts {
                trailer: "/Info 6 0 R",
                ..PdfParts::default()
            },
            &[b"[(Jan) (Jansen)]".to_vec()],
        );
        let Err(PdfError::Damaged(detail)) = opened(&data).metadata() else {
            panic!("not damaged");
        };
        assert!(detail.contains("(/Info) is not a dictionary"), "{detail}");
    }

    #[test]
    fn the_xmp_packet_is_unpacked_within_the_limits() {
        let xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description \
                    pdf:Author='piet@kpn.nl'/></rdf:RDF></x:xmpmeta>";
        let data = with_parts(
            &PdfParts {
                catalog: "/Metadata 6 0 R",
                ..PdfParts::default()
            },
            &[stream(
                "/Type /Metadata /Subtype /XML /Filter /FlateDecode",
                &deflate(xmp),
            )],
        );
        let budget = budget();
        let Opened::Readable(pdf) = Pdf::open(&data, &budget).unwrap() else {
            panic!("locked");
        };
        assert_eq!(pdf.xmp(&budget).unwrap().unwrap(), xmp);
        // A bomb of a packet stops at the ratio.
        let bomb = with_parts(
            &PdfParts {
                catalog: "/Metadata 6 0 R",
                ..PdfParts::default()
            },
            &[stream(
                "/Filter /FlateDecode",
                &deflate(&vec![b' '; 64 << 20]),
            )],
        );
        let Err(PdfError::Limit(limit)) = opened(&bomb).xmp(&budget) else {
            panic!("not stopped");
        };
        assert!(limit.0.contains("compression ratio"), "{limit}");
    }

    #[test]
    fn form_fields_are_named_by_their_full_name_and_valued_as_json() {
        // klant (6) has naam (7) and contact (8), which has telefoon (9)
        // and email (10, with two widgets, 11 and 12, that have no name);
        // akkoord (13) is a checkbox, opties (14) a list of two choices,
        // leeg (15) is empty, and handtekening (16) a signature.
        let objects = vec![
            b"<< /T (klant) /Kids [7 0 R 8 0 R] >>".to_vec(),
            b"<< /T (naam) /FT /Tx /Parent 6 0 R /V (Ruud Verhoeven) >>".to_vec(),
            b"<< /T (contact) /Parent 6 0 R /Kids [9 0 R 10 0 R] >>".to_vec(),
            b"<< /T (telefoon) /FT /Tx /Parent 8 0 R /V (06-41827395) >>".to_vec(),
            b"<< /T (email) /FT /Tx /Parent 8 0 R /V (r.verhoeven@ziggo.nl) /Kids [11 0 R 12 0 R] >>"
                .to_vec(),
            b"<< /Subtype /Widget /Parent 10 0 R /Rect [0 0 1 1] >>".to_vec(),
            b"<< /Subtype /Widget /Parent 10 0 R /Rect [0 2 1 3] >>".to_vec(),
            b"<< /T (akkoord) /FT /Btn /V /Yes >>".to_vec(),
            format!("<< /T (opties) /FT /Ch /V [(Trekhaak) {}] >>", pdf_text("Dakdrager – zwart"))
                .into_bytes(),
            b"<< /T (leeg) /FT /Tx /V () >>".to_vec(),
            b"<< /T (handtekening) /FT /Sig /V << /Type /Sig /Name (R. Verhoeven) /Location (Amersfoort) >> >>"
                .to_vec(),
        ];
        let data = with_parts(
            &PdfParts {
                catalog: "/AcroForm << /Fields [6 0 R 13 0 R 14 0 R 15 0 R 16 0 R] >>",
                ..PdfParts::default()
            },
            &objects,
        );
        let form = opened(&data).form().unwrap();
        assert_eq!(form.problem, None);
        assert_eq!(
            form.value,
            "{\"klant.naam\":\"Ruud Verhoeven\"}\n\
             {\"klant.contact.telefoon\":\"06-41827395\"}\n\
             {\"klant.contact.email\":\"r.verhoeven@ziggo.nl\"}\n\
             {\"akkoord\":\"Yes\"}\n\
             {\"opties\":[\"Trekhaak\",\"Dakdrager – zwart\"]}\n\
             {\"handtekening\":{\"Location\":\"Amersfoort\",\"Name\":\"R. Verhoeven\"}}\n"
        );
    }

    #[test]
    fn a_field_tree_that_loops_or_nests_without_end_is_read_once_and_named() {
        // naam's kids hold klant again: the loop is followed once.
        let looping = vec![
            b"<< /T (klant) /Kids [7 0 R] >>".to_vec(),
            b"<< /T (naam) /Kids [6 0 R 8 0 R] >>".to_vec(),
            b"<< /T (voornaam) /V (Ruud) >>".to_vec(),
        ];
        let data = with_parts(
            &PdfParts {
                catalog: "/AcroForm << /Fields [6 0 R] >>",
                ..PdfParts::default()
            },
            &looping,
        );
        let form = opened(&data).form().unwrap();
        assert_eq!(form.value, "{\"klant.naam.voornaam\":\"Ruud\"}\n");
        let Some(PdfError::Damaged(detail)) = form.problem else {
            panic!("no problem named: {:?}", form.problem);
        };
        assert!(detail.contains("field 6 0 R is reached again"), "{detail}");
        // A chain of 100 fields, each the only kid of the one before.
        let mut chain: Vec<Vec<u8>> = (0..100)
            .map(|i| format!("<< /T (f{i}) /Kids [{} 0 R] >>", 7 + i).into_bytes())
            .collect();
        chain.push(b"<< /T (diep) /V (piet@kpn.nl) >>".to_vec());
        let data = with_parts(
            &PdfParts {
                catalog: "/AcroForm << /Fields [6 0 R] >>",
                ..PdfParts::default()
            },
            &chain,
        );
        let form = opened(&data).form().unwrap();
        assert_eq!(form.value, "");
        let Some(PdfError::Limit(limit)) = form.problem else {
            panic!("no limit named: {:?}", form.problem);
        };
        assert!(limit.0.contains("nested over 32 deep"), "{limit}");
    }

    #[test]
    fn comments_are_read_without_their_popups_widgets_and_links() {
        let objects = vec![
            b"<< /Type /Annot /Subtype /Text /T (Sanne Bakker) /Subj (Terugbellen) \
               /Contents (Klant belt terug op 06-41827395\rna 17:00) /Popup 7 0 R \
               /RC (<?xml version=\"1.0\"?><body><p>Klant belt terug op 06-41827395</p><p>na 17:00</p></body>) >>"
                .to_vec(),
            b"<< /Type /Annot /Subtype /Popup /Parent 6 0 R /Contents (Klant belt terug op 06-41827395) >>"
                .to_vec(),
            b"<< /Type /Annot /Subtype /FreeText /Contents (Kenteken GZ-915-X) \
               /RC (<body><p>Kenteken GZ-915-X &amp; VIN JTDKB20U793418276</p></body>) >>"
                .to_vec(),
            b"<< /Type /Annot /Subtype /Widget /T (naam) /V (Ruud) >>".to_vec(),
            b"<< /Type /Annot /Subtype /Link /Contents (link) >>".to_vec(),
            // Compressed rich text is not read (as noise it would be text).
            b"<< /Type /Annot /Subtype /Text /Contents (piet@kpn.nl) /RC 12 0 R >>".to_vec(),
            stream(
                "/Filter /FlateDecode",
                &deflate(b"<body><p>Piet: piet@kpn.nl</p></body>"),
            ),
        ];
        let data = with_parts(
            &PdfParts {
                pages: &["/Annots [6 0 R 7 0 R 8 0 R 9 0 R 10 0 R 11 0 R]"],
                ..PdfParts::default()
            },
            &objects,
        );
        let pdf = opened(&data);
        let mut pages = pdf.pages().unwrap();
        let page = pages.next_page(&budget()).unwrap();
        assert_eq!(page.text, "Proefrit");
        assert_eq!(page.annotations_problem, None);
        assert_eq!(
            page.annotations,
            "Author: Sanne Bakker\n\
             Subject: Terugbellen\n\
             Klant belt terug op 06-41827395\n\
             na 17:00\n\
             \n\
             Kenteken GZ-915-X\n\
             Kenteken GZ-915-X & VIN JTDKB20U793418276\n\
             \n\
             piet@kpn.nl\n"
        );
    }

    #[test]
    fn embedded_files_come_from_the_name_tree_and_from_attachments_once() {
        // The name tree: a root (6) with two kids (7, 8); 8 lists its names
        // in two pairs, the second naming a file outside the PDF. The page
        // attaches the CSV (11) again and a text file (16).
        let objects = vec![
            b"<< /Kids [7 0 R 8 0 R] >>".to_vec(),
            b"<< /Names [(factur-x.xml) 9 0 R] /Limits [(f) (f)] >>".to_vec(),
            b"<< /Names [(klanten.csv) 11 0 R (extern.pdf) << /Type /Filespec /F (extern.pdf) >>] >>"
                .to_vec(),
            file_spec("factur-x.xml", 10),
            embedded_file(b"<Invoice><IBAN>NL59INGB0518273644</IBAN></Invoice>", ""),
            file_spec("klanten.csv", 13),
            b"<< /Note (not a file) >>".to_vec(),
            embedded_file(b"naam;telefoon\nRuud;06-41827395\n", "/ModDate (D:20240318101500+01'00')"),
            b"<< /Type /Annot /Subtype /FileAttachment /Contents (Bijlage) /FS 11 0 R >>".to_vec(),
            b"<< /Type /Annot /Subtype /FileAttachment /FS << /Type /Filespec /F (bijlage.txt) /EF << /F 16 0 R >> >> >>"
                .to_vec(),
            embedded_file(b"piet@kpn.nl", ""),
        ];
        let data = with_parts(
            &PdfParts {
                catalog: "/Names << /EmbeddedFiles 6 0 R >>",
                pages: &["/Annots [14 0 R 15 0 R]"],
                ..PdfParts::default()
            },
            &objects,
        );
        let pdf = opened(&data);
        let files = pdf.embedded_files().unwrap();
        assert_eq!(files.problem, None);
        let names: Vec<&str> = files.value.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["factur-x.xml", "klanten.csv", "extern.pdf", "bijlage.txt"]
        );
        let budget = budget();
        let data_of = |i: usize| pdf.embedded_data(&files.value[i], &budget);
        assert_eq!(
            data_of(0).unwrap(),
            b"<Invoice><IBAN>NL59INGB0518273644</IBAN></Invoice>"
        );
        assert_eq!(data_of(1).unwrap(), b"naam;telefoon\nRuud;06-41827395\n");
        let Err(PdfError::Damaged(outside)) = data_of(2) else {
            panic!("read outside");
        };
        assert!(outside.contains("a file outside the PDF"), "{outside}");
        assert_eq!(data_of(3).unwrap(), b"piet@kpn.nl");
        // 10:15 at UTC+1 is 9:15 UTC.
        let at = files.value[1].modified.unwrap();
        let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_710_753_300);
        assert_eq!(files.value[0].modified, None);
    }

    #[test]
    fn two_embedded_files_of_one_name_are_two_members() {
        let objects = vec![
            b"<< /Names [(klanten.csv) 7 0 R (klanten.csv) 8 0 R (klanten.csv) 9 0 R] >>".to_vec(),
            file_spec("klanten.csv", 10),
            file_spec("klanten.csv", 11),
            file_spec("klanten.csv", 12),
            embedded_file(b"versie 1", ""),
            embedded_file(b"versie 2", ""),
            embedded_file(b"versie 3", ""),
        ];
        let data = with_parts(
            &PdfParts {
                catalog: "/Names << /EmbeddedFiles 6 0 R >>",
                ..PdfParts::default()
            },
            &objects,
        );
        let files = opened(&data).embedded_files().unwrap();
        let names: Vec<&str> = files.value.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["klanten.csv", "klanten.csv (2)", "klanten.csv (3)"]);
    }

    #[test]
    fn a_name_tree_that_loops_is_read_once_and_named() {
        let objects = vec![
            b"<< /Kids [7 0 R] >>".to_vec(),
            b"<< /Kids [6 0 R] /Names [(a.txt) 8 0 R] >>".to_vec(),
            file_spec("a.txt", 9),
            embedded_file(b"piet@kpn.nl", ""),
        ];
        let data = with_parts(
            &PdfParts {
                catalog: "/Names << /EmbeddedFiles 6 0 R >>",
                ..PdfParts::default()
            },
            &objects,
        );
        let files = opened(&data).embedded_files().unwrap();
        let names: Vec<&str> = files.value.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.txt"]);
        let Some(PdfError::Damaged(detail)) = files.problem else {
            panic!("no problem named: {:?}", files.problem);
        };
        assert!(detail.contains("node 6 0 R is reached again"), "{detail}");
    }

    #[test]
    fn pdf_dates_are_read_with_their_offset() {
        let secs = |text: &[u8]| {
            extras::pdf_date(text)
                .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs())
        };
        assert_eq!(secs(b"D:20240318091500Z"), Some(1_710_753_300));
        assert_eq!(secs(b"D:20240318101500+01'00'"), Some(1_710_753_300));
        assert_eq!(secs(b"D:20240318041500-05'00"), Some(1_710_753_300));
        assert_eq!(secs(b"D:20240318"), Some(1_710_720_000));
        assert_eq!(secs(b"D:2024"), Some(1_704_067_200));
        for bad in [&b"D:"[..], b"gisteren", b"D:20241399", b"D:2024031825"] {
            assert_eq!(secs(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn damaged_extras_never_panic() {
        let objects = vec![
            b"<< /Kids [7 0 R] /Names [(a.txt) 8 0 R] >>".to_vec(),
            b"<< /T (klant) /Kids [6 0 R 9 0 R] /V [(x) 3] >>".to_vec(),
            file_spec("a.txt", 10),
            b"<< /Type /Annot /Subtype /Text /T (Jan) /Contents <FEFFD800> /RC (<p>&#99999999;&amp) >>"
                .to_vec(),
            embedded_file(b"piet@kpn.nl", "/ModDate (D:99999999999999+99'99')"),
            b"<< /Author (Jan) /Title 12 0 R >>".to_vec(),
        ];
        let data = with_parts(
            &PdfParts {
                catalog: "/Names << /EmbeddedFiles 6 0 R >> /AcroForm << /Fields [7 0 R 9 0 R 99 0 R] >> /Metadata 7 0 R",
                pages: &["/Annots [9 0 R 6 0 R 99 0 R]"],
                trailer: "/Info 11 0 R",
            },
            &objects,
        );
        let mut seed = 0x51_7CC1_B727_220Au64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let everything = |data: &[u8]| {
            let budget = budget();
            let Ok(Opened::Readable(pdf)) = Pdf::open(data, &budget) else {
                return;
            };
            let _ = pdf.metadata();
            let _ = pdf.xmp(&budget);
            let _ = pdf.form();
            if let Ok(mut pages) = pdf.pages() {
                while pages.next_page(&budget).is_some() {}
            }
            if let Ok(files) = pdf.embedded_files() {
                for file in &files.value {
                    let _ = pdf.embedded_data(file, &budget);
                }
            }
        };
        everything(&data);
        for cut in (0..data.len()).step_by(11) {
            everything(&data[..cut]);
        }
        for _ in 0..1000 {
            let mut mutated = data.clone();
            for _ in 0..1 + next() % 6 {
                let at = (next() % mutated.len() as u64) as usize;
                match next() % 3 {
                    0 => mutated[at] = next() as u8,
                    1 => {
                        mutated.remove(at);
                    }
                    _ => mutated.insert(at, b"()[]<>/0 R\n"[(next() % 11) as usize]),
                }
            }
            everything(&mutated);
        }
    }
}
