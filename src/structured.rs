//! Field names for values inside JSON documents, SQL dumps and (in
//! [`xml`]) XML documents.
//!
//! Like the table tracker in [`crate::formats`], these trackers walk forward
//! lazily: the scanner asks "which field is this offset in?" only where a
//! candidate matched, and each tracker continues from its previous answer.
//! Answers may also be asked again for an earlier offset of the same line,
//! because rules confirm their candidates in rule order; states saved at the
//! line start and every `REWIND_SPACING` bytes along it make that cheap,
//! also on a dump's 20 KB `INSERT` lines or a minified JSON document.
//!
//! JSON paths: object keys joined by `.`, an array adds `[]` to the key that
//! holds it, and a top-level array of records adds nothing: in
//! `[{"klant": {"email": ..}}]` the e-mail's field is `klant.email`; in
//! `{"items": [{"vin": ..}]}` the VIN's field is `items[].vin`. NDJSON (one
//! document per line) gives the same paths. SQL: `table.column`, from
//! `INSERT INTO t (cols) VALUES (...),(...)` (columns from the statement or
//! from an earlier `CREATE TABLE`) and from `COPY t (cols) FROM stdin` blocks.

use crate::columns::ColumnProfile;
use crate::formats::NamesFields;
use crate::redact::FingerprintKey;
use std::collections::HashMap;
use std::sync::Arc;

pub mod xml;
pub use xml::{XmlProfile, XmlTracker};

/// Deeper JSON nesting is still parsed but not named beyond this depth, so a
/// 100,000-level document costs no memory.
pub const MAX_JSON_DEPTH: usize = 256;

/// How far apart the states saved along a line are: a question about an
/// earlier offset re-walks at most this many bytes.
const REWIND_SPACING: usize = 64;
/// States saved per line at most (the spacing grows past this), so a line
/// of many megabytes keeps memory bounded.
const REWIND_SAVED: usize = 1024;

/// A tracker state that knows where it is.
trait Positioned: Clone {
    fn pos(&self) -> usize;
}

/// The states of a tracker saved along the current line, in position order.
#[derive(Debug, Clone)]
struct Rewind<S> {
    saved: Vec<S>,
    spacing: usize,
}

impl<S> Default for Rewind<S> {
    fn default() -> Self {
        Rewind {
            saved: Vec::new(),
            spacing: REWIND_SPACING,
        }
    }
}

impl<S: Positioned> Rewind<S> {
    fn starting_at(state: &S) -> Self {
        Rewind {
            saved: vec![state.clone()],
            spacing: REWIND_SPACING,
        }
    }

    /// Moves `state` to `offset` with `advance`: from the nearest state
    /// saved at or before it when that is nearer than `state` (or `offset`
    /// is behind `state`), saving states on the way; a new line starts the
    /// saved list again. False when `offset` is before the current line.
    fn seek(
        &mut self,
        state: &mut S,
        buf: &[u8],
        offset: usize,
        mut advance: impl FnMut(&mut S, usize),
    ) -> bool {
        if self.saved.is_empty() {
            // The first question: the state as the tracker began.
            self.saved.push(state.clone());
        }
        let n = self.saved.partition_point(|s| s.pos() <= offset);
        match n.checked_sub(1).map(|at| &self.saved[at]) {
            Some(saved) if offset < state.pos() || saved.pos() > state.pos() => {
                *state = saved.clone();
            }
            None if offset < state.pos() => return false,
            _ => {}
        }
        if let Some(nl) = memchr::memrchr(b'\n', &buf[state.pos().min(offset)..offset]) {
            advance(state, state.pos() + nl + 1);
            self.saved.clear();
            self.saved.push(state.clone());
            self.spacing = REWIND_SPACING;
        }
        loop {
            let next_save = self.saved.last().map_or(0, |s| s.pos()) + self.spacing;
            if next_save >= offset || state.pos() >= offset {
                break;
            }
            advance(state, next_save);
            if self.saved.len() == REWIND_SAVED {
                // Keep every other state and space them twice as far.
                let mut i = 0;
                self.saved.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.spacing *= 2;
            }
            self.saved.push(state.clone());
        }
        advance(state, offset);
        true
    }
}

#[derive(Debug, Clone)]
enum Frame {
    Object { key: Option<Key>, expect_key: bool },
    Array,
}

/// Keys this long or shorter (nearly all) are kept in their frame.
const SHORT_KEY: usize = 30;

/// An object key, kept in place when short: setting the key of every
/// value of every record, and copying the walker's state (the tracker
/// saves one every few dozen bytes of a line, to answer again for an
/// earlier offset), then allocates nothing.
#[derive(Debug, Clone)]
enum Key {
    Short(arrayvec::ArrayString<SHORT_KEY>),
    Long(Box<str>),
}

impl Key {
    /// The key of the bytes of a JSON string, invalid UTF-8 replaced.
    fn of(raw: &[u8]) -> Key {
        let text = crate::formats::text_lossy(raw);
        match arrayvec::ArrayString::from(&text) {
            Ok(short) => Key::Short(short),
            Err(_) => Key::Long(text.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Key::Short(short) => short,
            Key::Long(long) => long,
        }
    }
}

/// The frames open between top-level records: none (NDJSON), or the
/// document's top-level array.
fn top_level_frames(in_array: bool) -> Vec<Frame> {
    if in_array {
        vec![Frame::Array]
    } else {
        Vec::new()
    }
}

#[derive(Debug, Clone, Default)]
struct JsonState {
    pos: usize,
    stack: Vec<Frame>,
    /// Frames past `MAX_JSON_DEPTH`, counted but not stored.
    overflow: usize,
    in_string: bool,
    escaped: bool,
    /// The string being read is an object key; its bytes start here.
    key_start: Option<usize>,
}

/// Follows a JSON or NDJSON document to name the field of an offset.
#[derive(Debug, Clone, Default)]
pub struct JsonTracker {
    state: JsonState,
    rewind: Rewind<JsonState>,
    /// The last path named, reused so a name can be looked at without a copy.
    name: String,
}

impl Positioned for JsonState {
    fn pos(&self) -> usize {
        self.pos
    }
}

impl SqlState {
    /// `table.column` of the value being read (`column N` when the
    /// statement does not name it).
    fn field_name(&self) -> String {
        let mut name = String::with_capacity(self.table.len() + 24);
        self.write_field_name(&mut name);
        name
    }

    /// [`field_name`](Self::field_name), appended to `name`.
    fn write_field_name(&self, name: &mut String) {
        write_field_name(&self.table, &self.columns, self.column, name);
    }
}

/// `table.column` of column `column` (0-based) of a statement on `table`
/// naming `columns`, appended to `name` (`column N` when it names fewer).
fn write_field_name(table: &str, columns: &[String], column: usize, name: &mut String) {
    name.push_str(table);
    name.push('.');
    match columns.get(column) {
        Some(column) => name.push_str(column),
        None => {
            use std::fmt::Write;
            let _ = write!(name, "column {}", column + 1);
        }
    }
}

impl Positioned for SqlState {
    fn pos(&self) -> usize {
        self.pos
    }
}

impl JsonState {
    fn advance(&mut self, buf: &[u8], to: usize) {
        let mut i = self.pos;
        while i < to {
            let b = buf[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if let Some(start) = self.key_start.take()
                        && let Some(Frame::Object { key, .. }) = self.stack.last_mut()
                    {
                        *key = Some(Key::of(&buf[start..i]));
                    }
                } else if let Some(j) = memchr::memchr2(b'"', b'\\', &buf[i..to]) {
                    // Jump over plain string bytes.
                    i += j;
                    continue;
                } else {
                    i = to;
                    continue;
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    let is_key = matches!(
                        self.stack.last(),
                        Some(Frame::Object {
                            expect_key: true,
                            ..
                        })
                    ) && self.overflow == 0;
                    self.key_start = is_key.then_some(i + 1);
                }
                b'{' => self.push(Frame::Object {
                    key: None,
                    expect_key: true,
                }),
                b'[' => self.push(Frame::Array),
                b'}' | b']' => self.pop(),
                b':' => {
                    if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                        *expect_key = false;
                    }
                }
                b',' => {
                    if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                        *expect_key = true;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = to.max(self.pos);
    }

    fn push(&mut self, frame: Frame) {
        if self.stack.len() >= MAX_JSON_DEPTH || self.overflow > 0 {
            self.overflow += 1;
        } else {
            self.stack.push(frame);
        }
    }

    fn pop(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else {
            self.stack.pop();
        }
    }
}

/// Writes the path of the innermost frame of `stack` into `path`.
fn write_path(stack: &[Frame], overflow: usize, path: &mut String) {
    {
        for frame in stack {
            match frame {
                Frame::Object { key: Some(k), .. } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k.as_str());
                }
                Frame::Object { key: None, .. } => {}
                Frame::Array => {
                    if !path.is_empty() {
                        path.push_str("[]");
                    }
                }
            }
        }
        if overflow > 0 {
            path.push_str(".…");
        }
    }
}

/// Per field path of a structured document (JSON, XML): its profile, the
/// non-blank values and those of a field whose name says what it holds.
#[derive(Debug, Clone, Default)]
pub struct FieldCounts {
    /// In first-seen order.
    pub fields: Vec<ColumnProfile>,
    /// Looked up for every value: hashed with foldhash, several times
    /// quicker than the standard library's SipHash on short paths.
    index: HashMap<String, usize, foldhash::fast::RandomState>,
}

impl FieldCounts {
    /// Counts a value of the field at `path`, whose own name is `name`
    /// (the last key or element of the path).
    pub fn count(&mut self, path: &str, name: &str, text: &[u8], key: &FingerprintKey) {
        if text.trim_ascii().is_empty() || path.is_empty() {
            return;
        }
        let at = match self.index.get(path) {
            Some(&at) => at,
            None => {
                self.fields
                    .push(ColumnProfile::named(path.to_string(), name));
                self.index.insert(path.to_string(), self.fields.len() - 1);
                self.fields.len() - 1
            }
        };
        let field = &mut self.fields[at];
        field.non_empty += 1;
        if field.reads_values() {
            field.observe(&crate::formats::text_lossy(text), key);
        }
    }

    /// Adds the counts of `later`, of the part of the document after
    /// everything `self` counted: fields in first-seen order.
    pub fn absorb(&mut self, later: &FieldCounts) {
        for field in &later.fields {
            match self.index.get(field.name.as_str()) {
                Some(&at) => self.fields[at].absorb(field),
                None => {
                    self.index.insert(field.name.clone(), self.fields.len());
                    self.fields.push(field.clone());
                }
            }
        }
    }

    /// See [`ColumnProfile::forget_counted_values`].
    pub fn forget_counted_values(&mut self) {
        self.fields
            .iter_mut()
            .for_each(ColumnProfile::forget_counted_values);
    }
}

/// What the inventory keeps of a structured document's profile.
#[derive(Debug, Clone, Default)]
pub struct DocumentProfile {
    /// Top-level records of a JSON export; `None` for documents without
    /// records to count (XML).
    pub records: Option<u64>,
    /// Per field path, in first-seen order.
    pub fields: Vec<ColumnProfile>,
}

/// Counts the records of a JSON export (the objects of a top-level array, or
/// the lines of NDJSON) and, per field path, the non-blank values, walking
/// every byte once. Paths are those [`JsonTracker`] gives findings.
#[derive(Debug, Clone, Default)]
pub struct JsonProfile {
    stack: Vec<Frame>,
    overflow: usize,
    in_string: bool,
    escaped: bool,
    string_start: usize,
    string_is_key: bool,
    /// A bare scalar (number, true, false, null) is being read.
    in_scalar: bool,
    scalar_start: usize,
    path: String,
    pub records: u64,
    pub counts: FieldCounts,
    /// The deepest nesting seen, when it went past [`MAX_JSON_DEPTH`]: the
    /// scan reports the cap instead of naming those fields silently short.
    pub deeper_than_limit: Option<usize>,
}

impl JsonProfile {
    /// What the inventory keeps: records and fields.
    pub fn into_document(mut self) -> DocumentProfile {
        self.counts.forget_counted_values();
        DocumentProfile {
            records: Some(self.records),
            fields: self.counts.fields,
        }
    }

    /// A profile for the rest of a document from a point between top-level
    /// records (see [`JsonTracker::between_records`]), nothing counted.
    /// Parts profiled this way add up with [`JsonProfile::absorb`].
    pub fn between_records(in_array: bool) -> JsonProfile {
        JsonProfile {
            stack: top_level_frames(in_array),
            ..JsonProfile::default()
        }
    }

    /// Adds the counts of `later`, the profile of the part of the document
    /// after everything `self` walked: fields in first-seen order.
    pub fn absorb(&mut self, later: &JsonProfile) {
        self.records += later.records;
        self.counts.absorb(&later.counts);
        self.deeper_than_limit = self.deeper_than_limit.max(later.deeper_than_limit);
    }

    /// Walks `chunk`, which continues where the previous one ended (chunks
    /// are cut at line ends, which JSON strings cannot hold).
    pub fn walk(&mut self, chunk: &[u8], key: &FingerprintKey) {
        let mut i = 0;
        // A string or scalar cut by the chunk's end restarts in this one.
        self.string_start = 0;
        self.scalar_start = 0;
        while i < chunk.len() {
            let b = chunk[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    let text = &chunk[self.string_start.min(i)..i];
                    if self.string_is_key {
                        if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
                            *key = Some(Key::of(text));
                        }
                    } else {
                        self.value(text, key);
                    }
                } else if let Some(j) = memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                    i += j;
                    continue;
                } else {
                    i = chunk.len();
                    continue;
                }
                i += 1;
                continue;
            }
            if self.in_scalar {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                    self.in_scalar = false;
                    let text = &chunk[self.scalar_start.min(i)..i];
                    if text != b"null" {
                        self.value(text, key);
                    }
                } else {
                    i += 1;
                    continue;
                }
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.string_start = i + 1;
                    self.string_is_key = matches!(
                        self.stack.last(),
                        Some(Frame::Object {
                            expect_key: true,
                            ..
                        })
                    );
                }
                b'{' => self.push(Frame::Object {
                    key: None,
                    expect_key: true,
                }),
                b'[' => self.push(Frame::Array),
                b'}' | b']' => {
                    let closes_object = b == b'}';
                    self.pop();
                    let top_level = self.overflow == 0
                        && (self.stack.is_empty()
                            || (self.stack.len() == 1 && matches!(self.stack[0], Frame::Array)));
                    if closes_object && top_level {
                        self.records += 1;
                    }
                }
                b':' => {
                    if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                        *expect_key = false;
                    }
                }
                b',' => {
                    if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                        *expect_key = true;
                    }
                }
                b' ' | b'\t' | b'\r' | b'\n' => {}
                _ => {
                    self.in_scalar = true;
                    self.scalar_start = i;
                }
            }
            i += 1;
        }
    }

    fn push(&mut self, frame: Frame) {
        if self.stack.len() >= MAX_JSON_DEPTH || self.overflow > 0 {
            self.overflow += 1;
            let depth = self.stack.len() + self.overflow;
            if self.deeper_than_limit.is_none_or(|d| d < depth) {
                self.deeper_than_limit = Some(depth);
            }
        } else {
            self.stack.push(frame);
        }
    }

    fn pop(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else {
            self.stack.pop();
        }
    }

    /// Counts a value at the current path.
    fn value(&mut self, text: &[u8], key: &FingerprintKey) {
        if text.trim_ascii().is_empty() {
            return;
        }
        self.path.clear();
        write_path(&self.stack, self.overflow, &mut self.path);
        let name = self.path.rsplit(['.', ']']).next().unwrap_or("");
        self.counts.count(&self.path, name, text, key);
    }
}

impl NamesFields for JsonTracker {
    /// The path of the value at `offset`.
    fn with_field_at<R>(
        &mut self,
        buf: &[u8],
        offset: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Option<R> {
        let offset = offset.min(buf.len());
        if !self
            .rewind
            .seek(&mut self.state, buf, offset, |s, to| s.advance(buf, to))
        {
            return None;
        }
        self.name.clear();
        write_path(&self.state.stack, self.state.overflow, &mut self.name);
        (!self.name.is_empty()).then(|| f(&self.name))
    }
}

impl JsonTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// A tracker for a buffer that starts between top-level values: of the
    /// document (`in_array` false, NDJSON lines) or of a top-level array
    /// of records.
    pub fn between_records(in_array: bool) -> Self {
        let state = JsonState {
            stack: top_level_frames(in_array),
            ..JsonState::default()
        };
        JsonTracker {
            rewind: Rewind::starting_at(&state),
            state,
            name: String::new(),
        }
    }

    /// Moves offsets back by `consumed` bytes when the scanner drops the
    /// front of its buffer.
    pub fn rebase(&mut self, buf: &[u8], consumed: usize) {
        if self.state.pos < consumed {
            self.state.advance(buf, consumed);
        }
        self.state.pos -= consumed;
        // A key cut in two is lost rather than misread.
        self.state.key_start = None;
        self.rewind = Rewind::starting_at(&self.state);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum SqlMode {
    /// Between statements.
    #[default]
    Statement,
    /// Inside `VALUES (...), (...)`.
    Values,
    /// Inside a `COPY ... FROM stdin` block.
    Copy,
}

#[derive(Debug, Clone, Default)]
struct SqlState {
    pos: usize,
    mode: SqlMode,
    /// Shared, so saving a state costs no copies.
    table: Arc<str>,
    columns: Arc<[String]>,
    column: usize,
    depth: usize,
    in_quote: bool,
}

/// Follows an SQL dump to name the `table.column` of an offset.
#[derive(Debug, Clone, Default)]
pub struct SqlTracker {
    state: SqlState,
    rewind: Rewind<SqlState>,
    /// Column names from `CREATE TABLE`, for inserts without a column list.
    schemas: HashMap<String, Arc<[String]>>,
    /// Set on a tracker that profiles the dump (it only moves forward).
    counts: Option<Box<SqlCounts>>,
    /// The last field named, reused so a name can be looked at without a copy.
    name: String,
    /// Where the field changes in the buffer being scanned, noted by the
    /// dump's profile as it walked it (see [`SqlTracker::use_marks`]).
    marks: Box<SqlMarks>,
}

/// Where the field being read changes in one buffer of an SQL dump, noted
/// by the profile's walk so that naming the field of an offset is a
/// look-up instead of a second walk over the same values.
#[derive(Debug, Clone, Default)]
struct SqlMarks {
    /// From which offset on each field holds, in order.
    marks: Vec<SqlMark>,
    /// The tables and column lists of the statements the marks name.
    statements: Vec<(Arc<str>, Arc<[String]>)>,
    /// The mark the last question was answered from.
    at: usize,
    /// The marks cover offsets before this; `None` when not in use.
    end: Option<usize>,
    /// The walk's state and schemas where the marks end.
    after: Option<WalkEnd>,
}

/// Where a walk ended: its state and the schemas it knew.
type WalkEnd = (SqlState, HashMap<String, Arc<[String]>>);

/// 12 bytes: a stretch of a dense dump holds a mark for nearly every value.
#[derive(Debug, Clone, Copy)]
struct SqlMark {
    from: u32,
    column: u16,
    statement: u16,
    mode: SqlMode,
}

impl SqlMarks {
    fn clear(&mut self) {
        self.marks.clear();
        self.statements.clear();
        self.at = 0;
        self.end = None;
        self.after = None;
    }

    /// Notes `state` as holding from offset `from` on, unless it names the
    /// same field as the last mark. False when `from` does not fit a mark.
    #[inline]
    fn note(&mut self, from: usize, state: &SqlState) -> bool {
        // Most steps (a byte of a value, a string jumped over) leave the
        // field as it was.
        if let (Some(last), Some((table, columns))) = (self.marks.last(), self.statements.last())
            && last.column as usize == state.column
            && last.mode == state.mode
            && Arc::ptr_eq(table, &state.table)
            && Arc::ptr_eq(columns, &state.columns)
        {
            return true;
        }
        let (Ok(from), Ok(column)) = (u32::try_from(from), u16::try_from(state.column)) else {
            return false;
        };
        let same_statement = self
            .statements
            .last()
            .is_some_and(|(t, c)| Arc::ptr_eq(t, &state.table) && Arc::ptr_eq(c, &state.columns));
        if !same_statement {
            self.statements
                .push((state.table.clone(), state.columns.clone()));
        }
        let Ok(statement) = u16::try_from(self.statements.len() - 1) else {
            return false;
        };
        self.marks.push(SqlMark {
            from,
            mode: state.mode,
            column,
            statement,
        });
        true
    }

    /// The mark that holds at `offset` (which the marks cover).
    fn mark_at(&mut self, offset: usize) -> SqlMark {
        self.at = crate::formats::last_mark_at(&self.marks, self.at, offset as u32, |m| m.from);
        self.marks[self.at]
    }
}

/// Rows per table and non-blank values per `table.column` of an SQL dump.
#[derive(Debug, Clone, Default)]
pub struct SqlCounts {
    pub rows: HashMap<String, u64>,
    /// Per `table.column`, in first-seen order.
    pub fields: Vec<ColumnProfile>,
    index: HashMap<String, usize>,
    /// Where the value being read started (buffer offset).
    value_start: usize,
    /// The statement whose columns `statement_fields` indexes (held, so its
    /// table and columns are the same allocations while compared).
    statement: Option<(Arc<str>, Arc<[String]>)>,
    /// Per column of that statement: its index in `fields`.
    statement_fields: Vec<Option<usize>>,
}

impl SqlCounts {
    /// The index in `fields` of the state's `table.column`, named once per
    /// statement and column rather than once per value.
    fn field_index(&mut self, state: &SqlState) -> usize {
        let same_statement = self.statement.as_ref().is_some_and(|(table, columns)| {
            Arc::ptr_eq(table, &state.table) && Arc::ptr_eq(columns, &state.columns)
        });
        if !same_statement {
            self.statement = Some((Arc::clone(&state.table), Arc::clone(&state.columns)));
            self.statement_fields.clear();
        }
        if let Some(&Some(at)) = self.statement_fields.get(state.column) {
            return at;
        }
        let name = state.field_name();
        let at = match self.index.get(&name) {
            Some(&at) => at,
            None => {
                let column = &name[state.table.len() + 1..];
                self.fields.push(ColumnProfile::named(name.clone(), column));
                self.index.insert(name, self.fields.len() - 1);
                self.fields.len() - 1
            }
        };
        if self.statement_fields.len() <= state.column {
            self.statement_fields.resize(state.column + 1, None);
        }
        self.statement_fields[state.column] = Some(at);
        at
    }

    fn row(&mut self, table: &str) {
        match self.rows.get_mut(table) {
            Some(n) => *n += 1,
            None => {
                self.rows.insert(table.to_string(), 1);
            }
        }
    }

    fn value(&mut self, state: &SqlState, raw: &[u8], key: &FingerprintKey) {
        let text = raw.trim_ascii();
        let blank = text.is_empty()
            || text.eq_ignore_ascii_case(b"null")
            || text == b"''"
            || text == b"\\N";
        if blank {
            return;
        }
        let at = self.field_index(state);
        let field = &mut self.fields[at];
        field.non_empty += 1;
        if field.reads_values() {
            let inner = text
                .strip_prefix(b"'")
                .and_then(|t| t.strip_suffix(b"'"))
                .unwrap_or(text);
            field.observe(&crate::formats::text_lossy(inner), key);
        }
    }
}

/// Profiles a whole SQL dump: a forward-only tracker that counts as it goes.
#[derive(Debug, Clone, Default)]
pub struct SqlProfile {
    tracker: SqlTracker,
    /// Where the fields of the stretch last walked start, for the tracker
    /// that names them (see [`SqlTracker::use_marks`]).
    marks: Box<SqlMarks>,
}

impl SqlProfile {
    pub fn new() -> Self {
        SqlProfile {
            tracker: SqlTracker {
                counts: Some(Box::default()),
                ..SqlTracker::default()
            },
            marks: Box::default(),
        }
    }

    /// Walks `buf` on from where the walk stands (`from`, or past it when
    /// a statement's header ran on) up to `to`; the buffer's end is marked
    /// with [`SqlProfile::end_buffer`]. A statement's header is read from
    /// `buf` whole, as the tracker naming fields reads it. With `mark`,
    /// notes from `from` on where the field changes, for
    /// [`SqlTracker::use_marks`].
    pub fn walk_to(
        &mut self,
        buf: &[u8],
        from: usize,
        to: usize,
        key: &FingerprintKey,
        mark: bool,
    ) {
        self.marks.clear();
        // Where a statement's header ran on past `from`, the walk stands
        // further on; a tracker walking by itself names nothing before that.
        let first = from.max(self.tracker.state.pos);
        let marks =
            (mark && self.marks.note(first, &self.tracker.state)).then_some(&mut *self.marks);
        self.tracker.advance_counting(buf, to, Some(key), marks);
    }

    /// Ends the walk of a buffer at `end`: the next buffer starts there.
    pub fn end_buffer(&mut self, end: usize) {
        self.tracker.state.pos = self.tracker.state.pos.saturating_sub(end);
        if let Some(c) = self.tracker.counts.as_mut() {
            c.value_start = 0;
        }
    }

    pub fn counts(&self) -> Option<&SqlCounts> {
        self.tracker.counts.as_deref()
    }

    /// A profile of the part of a dump that starts where `tracker` stands
    /// (a piece read by another thread), with nothing counted yet: the
    /// counts of the file are then [`SqlProfile::absorb`]ed in file order.
    pub fn continuing(tracker: &SqlTracker) -> SqlProfile {
        let mut profile = SqlProfile::new();
        profile.stand_at(tracker);
        profile
    }

    /// Moves the walk to where `tracker` stands, keeping what is counted:
    /// the parts of the dump in between were profiled elsewhere.
    pub fn stand_at(&mut self, tracker: &SqlTracker) {
        self.marks.clear();
        self.tracker.state = tracker.state.clone();
        self.tracker.schemas = tracker.schemas.clone();
        self.tracker.rewind = Rewind::starting_at(&self.tracker.state);
        if let Some(c) = self.tracker.counts.as_mut() {
            c.value_start = 0;
        }
    }

    /// Adds the counts of `later`, the profile of the part of the dump
    /// after everything `self` counted (fields new to `self` come after
    /// its own, as a walk of the whole dump would have met them).
    pub fn absorb(&mut self, later: &SqlProfile) {
        let (Some(mine), Some(theirs)) = (self.tracker.counts.as_mut(), later.counts()) else {
            return;
        };
        for (table, rows) in &theirs.rows {
            *mine.rows.entry(table.clone()).or_default() += rows;
        }
        for field in &theirs.fields {
            match mine.index.get(&field.name) {
                Some(&at) => mine.fields[at].absorb(field),
                None => {
                    mine.index.insert(field.name.clone(), mine.fields.len());
                    mine.fields.push(field.clone());
                }
            }
        }
    }

    /// See [`ColumnProfile::forget_counted_values`].
    pub fn forget_counted_values(&mut self) {
        // The marks too: an inventory keeps the profile of every dump.
        *self.marks = SqlMarks::default();
        if let Some(counts) = self.tracker.counts.as_mut() {
            counts
                .fields
                .iter_mut()
                .for_each(ColumnProfile::forget_counted_values);
        }
    }
}

/// Strips quoting from an SQL identifier: `"x"`, `` `x` ``, `[x]`, and a
/// schema prefix (`public.klanten` -> `klanten`).
fn identifier(raw: &str) -> String {
    let last = raw.rsplit('.').next().unwrap_or(raw);
    last.trim()
        .trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
        .to_string()
}

fn parse_column_list(list: &str) -> Vec<String> {
    list.split(',').map(identifier).collect()
}

fn starts_with_ignore_case(hay: &[u8], word: &[u8]) -> bool {
    hay.len() >= word.len() && hay[..word.len()].eq_ignore_ascii_case(word)
}

impl NamesFields for SqlTracker {
    /// `table.column` of the value at `offset`.
    fn with_field_at<R>(
        &mut self,
        buf: &[u8],
        offset: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Option<R> {
        let offset = offset.min(buf.len());
        if let Some(end) = self.marks.end {
            if self
                .marks
                .marks
                .first()
                .is_none_or(|m| offset < m.from as usize)
            {
                // Before the stretch marked: a line already left behind.
                return None;
            }
            if offset < end {
                let mark = self.marks.mark_at(offset);
                if mark.mode == SqlMode::Statement {
                    return None;
                }
                let (table, columns) = &self.marks.statements[mark.statement as usize];
                self.name.clear();
                write_field_name(table, columns, mark.column as usize, &mut self.name);
                return Some(f(&self.name));
            }
            self.stop_using_marks();
        }
        // Walking needs the whole tracker (it learns schemas on the way):
        // the state being moved is swapped in for each step.
        let mut state = std::mem::take(&mut self.state);
        let mut rewind = std::mem::take(&mut self.rewind);
        let known = rewind.seek(&mut state, buf, offset, |s, to| {
            std::mem::swap(&mut self.state, s);
            self.advance(buf, to);
            std::mem::swap(&mut self.state, s);
        });
        self.state = state;
        self.rewind = rewind;
        if !known {
            return None;
        }
        match self.state.mode {
            SqlMode::Statement => None,
            SqlMode::Values | SqlMode::Copy => {
                self.name.clear();
                self.state.write_field_name(&mut self.name);
                Some(f(&self.name))
            }
        }
    }
}

impl SqlTracker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn rebase(&mut self, buf: &[u8], consumed: usize) {
        if self.state.pos < consumed {
            self.advance(buf, consumed);
        }
        self.state.pos -= consumed;
        self.rewind = Rewind::starting_at(&self.state);
    }

    fn advance(&mut self, buf: &[u8], to: usize) {
        self.advance_counting(buf, to, None, None);
    }

    /// The first line end of `buf` at or after `from` and before `limit`
    /// where a piece of the dump may end, with the tracker walked there;
    /// `None` (and the tracker where the walk stopped) when there is none.
    /// A piece ends where no value, string or statement header runs on
    /// into the next: between statements, between the tuples of a
    /// `VALUES` list, or between the rows of a `COPY` block.
    pub fn walk_to_piece_end(&mut self, buf: &[u8], from: usize, limit: usize) -> Option<usize> {
        let limit = limit.min(buf.len());
        let mut at = from.min(limit);
        while let Some(i) = memchr::memchr(b'\n', &buf[at..limit]) {
            let end = at + i + 1;
            self.advance(buf, end);
            let s = &self.state;
            let clean = match s.mode {
                SqlMode::Statement => true,
                SqlMode::Values => s.depth == 0 && !s.in_quote,
                SqlMode::Copy => s.column == 0,
            };
            if s.pos == end && clean {
                return Some(end);
            }
            // A statement's header or string may run on past the line.
            at = s.pos.max(end);
            if at >= limit {
                break;
            }
        }
        None
    }

    /// Whether the tracker stands where `profile`'s walk does, in the same
    /// state: the walk's marks of the next stretch can then name its fields
    /// (see [`SqlProfile::walk_to`]).
    pub fn starts_like(&self, profile: &SqlProfile) -> bool {
        let (a, b) = (&self.state, &profile.tracker.state);
        a.pos == b.pos
            && self.marks.end.is_none()
            && a.mode == b.mode
            && a.table == b.table
            && a.columns == b.columns
            && a.column == b.column
            && a.depth == b.depth
            && a.in_quote == b.in_quote
            && self.schemas == profile.tracker.schemas
    }

    /// Names fields from the marks `profile` noted as it walked the buffer
    /// from `from` (where the tracker stands) up to `end`, until
    /// `SqlTracker::stop_using_marks`; the tracker then goes on from where
    /// the walk ended.
    pub fn use_marks(&mut self, profile: &mut SqlProfile, from: usize, end: usize) {
        std::mem::swap(&mut self.marks, &mut profile.marks);
        if self
            .marks
            .marks
            .first()
            .is_none_or(|m| (m.from as usize) < from)
        {
            self.marks.clear();
            return;
        }
        self.marks.at = 0;
        self.marks.end = Some(end);
        self.marks.after = Some((
            profile.tracker.state.clone(),
            profile.tracker.schemas.clone(),
        ));
    }

    /// Leaves the marks and hands their buffer back to `profile` for its
    /// next walk (one buffer per dump, not two).
    pub fn give_back_marks(&mut self, profile: &mut SqlProfile) {
        self.stop_using_marks();
        std::mem::swap(&mut self.marks, &mut profile.marks);
    }

    /// Leaves the marks: the tracker stands where the profile's walk ended.
    fn stop_using_marks(&mut self) {
        let after = self.marks.after.take();
        self.marks.clear();
        if let Some((state, schemas)) = after {
            self.rewind = Rewind::starting_at(&state);
            self.state = state;
            self.schemas = schemas;
        }
    }

    fn advance_counting(
        &mut self,
        buf: &[u8],
        to: usize,
        key: Option<&FingerprintKey>,
        mut marks: Option<&mut SqlMarks>,
    ) {
        // Where the state the last step left holds from, for a walk asked
        // to stop at any later offset: a statement is read whole by a walk
        // to any offset after its start; within values, a walk stops at the
        // offset it is asked for, so a step's state holds from where it
        // ends.
        let holds_from = |(from, statement): (usize, bool), pos: usize| {
            if statement { from + 1 } else { pos }
        };
        let mut last_step: Option<(usize, bool)> = None;
        while self.state.pos < to {
            let i = self.state.pos;
            if let (Some(m), Some(step)) = (marks.as_deref_mut(), last_step)
                && !m.note(holds_from(step, i), &self.state)
            {
                m.clear();
                marks = None;
            }
            last_step = Some((i, self.state.mode == SqlMode::Statement));
            match self.state.mode {
                SqlMode::Statement => {
                    self.statement_step(buf, to);
                    if let Some(c) = self.counts.as_mut()
                        && self.state.mode == SqlMode::Copy
                    {
                        c.value_start = self.state.pos;
                    }
                }
                SqlMode::Copy => {
                    let s = &mut self.state;
                    match memchr::memchr2(b'\t', b'\n', &buf[i..to]) {
                        Some(j) => {
                            let at = i + j;
                            if let (Some(c), Some(key)) = (self.counts.as_mut(), key) {
                                let start = c.value_start.min(at);
                                c.value(s, &buf[start..at], key);
                                c.value_start = at + 1;
                                if buf[at] == b'\n' && s.column == 0 && start == at {
                                    // An empty line is not a row.
                                } else if buf[at] == b'\n' {
                                    c.row(&s.table);
                                }
                            }
                            if buf[at] == b'\t' {
                                s.column += 1;
                            } else {
                                s.column = 0;
                                // `\.` alone on a line ends the block.
                                if buf[at + 1..].starts_with(b"\\.") {
                                    s.mode = SqlMode::Statement;
                                }
                            }
                            s.pos = at + 1;
                        }
                        None => s.pos = to,
                    }
                }
                SqlMode::Values => {
                    let s = &mut self.state;
                    let b = buf[i];
                    if s.in_quote {
                        if b == b'\\' {
                            // The escaped byte goes with the backslash, also
                            // when the walk was asked to stop between them:
                            // taken on its own the next time, an escaped
                            // quote would end the string.
                            s.pos = (i + 2).min(buf.len());
                            continue;
                        }
                        if b != b'\'' {
                            // Jump over the plain bytes of the string.
                            s.pos =
                                memchr::memchr2(b'\'', b'\\', &buf[i..to]).map_or(to, |j| i + j);
                            continue;
                        }
                        if b == b'\'' {
                            if buf.get(i + 1) == Some(&b'\'') {
                                s.pos = i + 2;
                                continue;
                            }
                            s.in_quote = false;
                        }
                    } else {
                        let counting = self.counts.as_mut().zip(key);
                        match b {
                            b'\'' => s.in_quote = true,
                            b'(' => {
                                s.depth += 1;
                                if s.depth == 1 {
                                    s.column = 0;
                                    if let Some((c, _)) = counting {
                                        c.row(&s.table);
                                        c.value_start = i + 1;
                                    }
                                }
                            }
                            b')' => {
                                if s.depth == 1
                                    && let Some((c, key)) = counting
                                {
                                    let start = c.value_start.min(i);
                                    c.value(s, &buf[start..i], key);
                                }
                                s.depth = s.depth.saturating_sub(1);
                            }
                            b',' if s.depth == 1 => {
                                if let Some((c, key)) = counting {
                                    let start = c.value_start.min(i);
                                    c.value(s, &buf[start..i], key);
                                    c.value_start = i + 1;
                                }
                                s.column += 1;
                            }
                            b';' if s.depth == 0 => s.mode = SqlMode::Statement,
                            // A comma between rows or nested in a value, a
                            // semicolon inside a row.
                            b',' | b';' => {}
                            _ => {
                                // A number, NULL or blanks: nothing changes
                                // before the next byte that can change
                                // something.
                                s.pos = buf[i + 1..to]
                                    .iter()
                                    .position(|b| matches!(b, b'\'' | b'(' | b')' | b',' | b';'))
                                    .map_or(to, |j| i + 1 + j);
                                continue;
                            }
                        }
                    }
                    s.pos = i + 1;
                }
            }
        }
        if let (Some(m), Some(step)) = (marks, last_step)
            && !m.note(holds_from(step, self.state.pos), &self.state)
        {
            m.clear();
        }
    }

    /// Between statements: looks at each line start for INSERT, COPY or
    /// CREATE TABLE; everything else is skipped a line at a time.
    fn statement_step(&mut self, buf: &[u8], to: usize) {
        let i = self.state.pos;
        let line_end = memchr::memchr(b'\n', &buf[i..]).map_or(buf.len(), |j| i + j);
        let line = buf[i..line_end].trim_ascii_start();
        if starts_with_ignore_case(line, b"INSERT INTO") {
            // The header runs to VALUES; find it (it may span lines).
            let rest = &buf[i..];
            let upper_find = find_ignore_case(rest, b"VALUES");
            if let Some(v) = upper_find {
                let header = String::from_utf8_lossy(&rest[..v]);
                let after_into =
                    header[header.to_ascii_uppercase().find("INTO").unwrap_or(0) + 4..].trim();
                let (name, cols) = match after_into.find('(') {
                    Some(p) => (
                        identifier(after_into[..p].trim()),
                        parse_column_list(after_into[p + 1..].trim_end().trim_end_matches(')')),
                    ),
                    None => (identifier(after_into), Vec::new()),
                };
                let cols = if cols.is_empty() {
                    self.schemas.get(&name).cloned().unwrap_or_default()
                } else {
                    cols.into()
                };
                let s = &mut self.state;
                s.table = name.into();
                s.columns = cols;
                s.column = 0;
                s.depth = 0;
                s.in_quote = false;
                s.mode = SqlMode::Values;
                s.pos = i + v + b"VALUES".len();
                return;
            }
        } else if starts_with_ignore_case(line, b"COPY ") {
            let text = String::from_utf8_lossy(line);
            let body = &text[5..];
            if let Some(from) = body.to_ascii_uppercase().find(" FROM STDIN") {
                let head = body[..from].trim();
                let (name, cols) = match head.find('(') {
                    Some(p) => (
                        identifier(head[..p].trim()),
                        parse_column_list(head[p + 1..].trim_end_matches(')')).into(),
                    ),
                    None => {
                        let n = identifier(head);
                        let cols = self.schemas.get(&n).cloned().unwrap_or_default();
                        (n, cols)
                    }
                };
                let s = &mut self.state;
                s.table = name.into();
                s.columns = cols;
                s.column = 0;
                s.mode = SqlMode::Copy;
                s.pos = (line_end + 1).min(buf.len());
                return;
            }
        } else if starts_with_ignore_case(line, b"CREATE TABLE") {
            self.read_create_table(&buf[i..]);
        }
        self.state.pos = (line_end + 1)
            .min(buf.len())
            .max(i + 1)
            .min(to.max(line_end + 1));
    }

    fn read_create_table(&mut self, from: &[u8]) {
        // The statement ends at the first `;` (column definitions rarely hold one).
        let end = memchr::memchr(b';', from)
            .unwrap_or(from.len())
            .min(64 * 1024);
        let text = String::from_utf8_lossy(&from[..end]);
        let Some(open) = text.find('(') else { return };
        let head = &text[..open];
        let name = identifier(head.split_whitespace().last().unwrap_or_default());
        let mut columns = Vec::new();
        let mut depth = 0usize;
        let mut current = String::new();
        for c in text[open + 1..].chars() {
            match c {
                '(' => {
                    depth += 1;
                    current.push(c);
                }
                ')' if depth == 0 => break,
                ')' => {
                    depth -= 1;
                    current.push(c);
                }
                ',' if depth == 0 => {
                    columns.push(std::mem::take(&mut current));
                }
                _ => current.push(c),
            }
        }
        columns.push(current);
        const NOT_COLUMNS: [&str; 7] = [
            "PRIMARY",
            "KEY",
            "UNIQUE",
            "CONSTRAINT",
            "INDEX",
            "FOREIGN",
            "CHECK",
        ];
        let names: Vec<String> = columns
            .iter()
            .filter_map(|def| def.split_whitespace().next())
            .filter(|w| !NOT_COLUMNS.contains(&w.to_ascii_uppercase().as_str()))
            .map(identifier)
            .collect();
        if !name.is_empty() {
            self.schemas.insert(name, names.into());
        }
    }
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    // Bounded: an INSERT header longer than this is not one we can name.
    let hay = &hay[..hay.len().min(64 * 1024)];
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(buf: &[u8], needle: &str) -> usize {
        buf.windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .unwrap()
    }

    #[test]
    fn a_piece_of_a_dump_ends_only_where_nothing_runs_on() {
        let dump: &[u8] = b"INSERT INTO t\n(a, b)\nVALUES (1,'x\ny'),\n(2,'it''s\\\n');\n\
            COPY t (a, b) FROM stdin;\n1\tx\n2\ty\n\\.\n-- end\n";
        let mut tracker = SqlTracker::new();
        // The header's line ends (the walk reads it whole) and the one
        // inside a string are passed over; the first end is between tuples.
        let ends: Vec<usize> = std::iter::from_fn(|| {
            let from = tracker.state.pos;
            tracker.walk_to_piece_end(dump, from, dump.len())
        })
        .collect();
        let line_after = |needle: &str| at(dump, needle) + needle.len();
        assert_eq!(
            ends,
            vec![
                line_after("y'),\n"),
                line_after("');\n"),
                line_after("stdin;\n"),
                line_after("1\tx\n"),
                line_after("2\ty\n"),
                line_after("\\.\n"),
                dump.len(),
            ]
        );
        // Where the walk stops is where a walk to that offset stands.
        let mut walked = SqlTracker::new();
        let end = walked.walk_to_piece_end(dump, line_after("COPY"), dump.len());
        let mut straight = SqlTracker::new();
        straight.advance(dump, line_after("stdin;\n"));
        assert_eq!(end, Some(line_after("stdin;\n")));
        assert_eq!(walked.state.column, straight.state.column);
        assert_eq!(walked.state.mode, straight.state.mode);
        assert_eq!(walked.state.table, straight.state.table);
        // None before `limit`: the walk stops there.
        let mut short = SqlTracker::new();
        assert_eq!(short.walk_to_piece_end(dump, 0, line_after("VALUES")), None);
    }

    #[test]
    fn json_paths_name_nested_fields() {
        let buf = br#"[
  {
    "klant": {"naam": "Jan", "email": "jan@x.nl"},
    "voertuigen": [{"kenteken": "GB-12-NZ", "vin": "WVWZZZ1JZXW000001"}]
  }
]"#;
        let mut t = JsonTracker::new();
        assert_eq!(
            t.field_at(buf, at(buf, "jan@x.nl")).as_deref(),
            Some("klant.email")
        );
        assert_eq!(
            t.field_at(buf, at(buf, "WVWZZZ")).as_deref(),
            Some("voertuigen[].vin")
        );
        // Asking again about an earlier offset on the same line.
        assert_eq!(
            t.field_at(buf, at(buf, "GB-12")).as_deref(),
            Some("voertuigen[].kenteken")
        );
    }

    #[test]
    fn json_keys_with_escapes_and_ndjson_lines() {
        let buf = b"{\"a\\\"b\": \"x\", \"tel\": \"0612345678\"}\n{\"email\": \"p@q.nl\"}\n";
        let mut t = JsonTracker::new();
        assert_eq!(t.field_at(buf, at(buf, "0612")).as_deref(), Some("tel"));
        assert_eq!(t.field_at(buf, at(buf, "p@q")).as_deref(), Some("email"));
    }

    #[test]
    fn deep_json_costs_no_memory() {
        let mut buf = Vec::new();
        buf.extend(std::iter::repeat_n(b'[', 100_000));
        buf.extend_from_slice(b"\"x\"");
        buf.extend(std::iter::repeat_n(b']', 100_000));
        let mut t = JsonTracker::new();
        let _ = t.field_at(&buf, buf.len());
        assert!(t.state.stack.len() <= MAX_JSON_DEPTH);
        assert_eq!(t.state.overflow, 0);
    }

    #[test]
    fn sql_insert_with_and_without_column_list() {
        let buf = b"CREATE TABLE `klanten` (\n  `id` int NOT NULL,\n  `email` varchar(255),\n  `telefoon` varchar(20),\n  PRIMARY KEY (`id`)\n);\nINSERT INTO `klanten` VALUES (1,'jan@x.nl','0612345678'),(2,'it''s@y.nl','0687654321');\nINSERT INTO voertuigen (id, kenteken) VALUES\n(1, 'GB-12-NZ');\n";
        let mut t = SqlTracker::new();
        assert_eq!(
            t.field_at(buf, at(buf, "jan@x")).as_deref(),
            Some("klanten.email")
        );
        assert_eq!(
            t.field_at(buf, at(buf, "0612")).as_deref(),
            Some("klanten.telefoon")
        );
        assert_eq!(
            t.field_at(buf, at(buf, "0687")).as_deref(),
            Some("klanten.telefoon")
        );
        assert_eq!(
            t.field_at(buf, at(buf, "GB-12")).as_deref(),
            Some("voertuigen.kenteken")
        );
    }

    /// Answers of one tracker asked in rule order (several ascending passes
    /// over the same line, each starting behind the last) are those of a
    /// fresh tracker walking straight to each offset.
    fn asked_in_rule_order_as_fresh<T: Default>(
        buf: &[u8],
        offsets: &[usize],
        field_at: impl Fn(&mut T, &[u8], usize) -> Option<String>,
    ) {
        let mut tracker = T::default();
        for pass in 0..3 {
            for &offset in offsets.iter().skip(pass).step_by(3) {
                let fresh = field_at(&mut T::default(), buf, offset);
                assert!(fresh.is_some(), "offset {offset}");
                assert_eq!(
                    field_at(&mut tracker, buf, offset),
                    fresh,
                    "offset {offset}"
                );
            }
        }
    }

    /// 400 records joined by commas on one line between `head` and
    /// `tail`, with the offsets `back` bytes before each record's end.
    fn joined_records(
        head: &str,
        tail: &str,
        back: usize,
        record: impl Fn(usize) -> String,
    ) -> (String, Vec<usize>) {
        let mut text = String::from(head);
        let mut offsets = Vec::new();
        for i in 0..400 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&record(i));
            offsets.push(text.len() - back);
        }
        text.push_str(tail);
        (text, offsets)
    }

    #[test]
    fn long_lines_asked_out_of_order() {
        // One INSERT line of many rows (as mysqldump writes them), quotes
        // and escapes included, longer than many rewind spacings.
        let (sql, offsets) = joined_records(
            "CREATE TABLE k (id int, naam text, email text);\nINSERT INTO k VALUES ",
            ";\n",
            10,
            |i| format!("({i},'O\\'Brien, ''{i}'' (x)','p{i}@x.nl')"),
        );
        asked_in_rule_order_as_fresh(sql.as_bytes(), &offsets, SqlTracker::field_at);
        let mut t = SqlTracker::new();
        assert_eq!(
            t.field_at(sql.as_bytes(), offsets[399]).as_deref(),
            Some("k.email")
        );

        // A minified JSON array on one line.
        let (json, offsets) = joined_records("[", "]", 8, |i| {
            format!(r#"{{"id":{i},"a":{{"note":"say \"{i}\" [x]","tel":"06{i:08}"}}}}"#)
        });
        asked_in_rule_order_as_fresh(json.as_bytes(), &offsets, JsonTracker::field_at);
        let mut t = JsonTracker::new();
        assert_eq!(
            t.field_at(json.as_bytes(), offsets[7]).as_deref(),
            Some("a.tel")
        );
    }

    #[test]
    fn a_walk_stopped_after_a_backslash_stays_in_the_string() {
        let buf = b"INSERT INTO k (id, naam, email) VALUES (1,'O\\'Brien, Jan','j@x.nl');\n";
        let mut t = SqlTracker::new();
        let backslash = at(buf, "\\'Brien");
        assert_eq!(t.field_at(buf, backslash + 1).as_deref(), Some("k.naam"));
        assert_eq!(
            t.field_at(buf, at(buf, " Jan")).as_deref(),
            Some("k.naam"),
            "the escaped quote does not end the string"
        );
        assert_eq!(t.field_at(buf, at(buf, "j@x")).as_deref(), Some("k.email"));
    }

    #[test]
    fn sql_copy_blocks() {
        let buf = b"COPY public.klanten (id, naam, email) FROM stdin;\n1\tJan\tjan@x.nl\n2\tPiet\tpiet@y.nl\n\\.\n\nSELECT 'a@b.nl';\n";
        let mut t = SqlTracker::new();
        assert_eq!(
            t.field_at(buf, at(buf, "jan@x")).as_deref(),
            Some("klanten.email")
        );
        assert_eq!(
            t.field_at(buf, at(buf, "Piet")).as_deref(),
            Some("klanten.naam")
        );
        assert_eq!(t.field_at(buf, at(buf, "a@b")), None);
    }

    /// Fields named from the marks of the profile's walk are the fields a
    /// tracker walking straight from the buffer's start names: INSERTs
    /// with and without column lists (one over two lines), quotes, escapes
    /// and parentheses in strings, COPY blocks, statements between, buffers
    /// cut at line ends (or inside a long line), questions a few values
    /// back on a line.
    #[test]
    fn marked_sql_fields_are_the_walked_fields() {
        let key = crate::redact::FingerprintKey::from_secret(b"marks", "test");
        let mut dump = String::from(
            "CREATE TABLE `klanten` (\n  `id` int,\n  `naam` text,\n  `email` text\n);\n",
        );
        for line in 0..40 {
            dump.push_str("INSERT INTO `klanten` VALUES ");
            for row in 0..12 {
                if row > 0 {
                    dump.push(',');
                }
                let n = line * 12 + row;
                dump.push_str(&format!("({n},'O\\'Brien, ''{n}'' (x)','p{n}@x.nl')"));
            }
            dump.push_str(";\n");
            if line % 7 == 0 {
                dump.push_str("INSERT INTO voertuigen (id, kenteken)\nVALUES (1, 'GB-12-NZ'), (2, '1-ABC-23');\n");
                dump.push_str("COPY public.orders (id, email, note) FROM stdin;\n1\ta@b.nl\tx, (y)\n2\tc@d.nl\t\\.z\n\\.\nSELECT 'a@b.nl';\n");
            }
        }
        let text = dump.as_bytes();
        for chunk_len in [150, 1000, 4096, text.len()] {
            let mut walking = SqlTracker::new();
            let mut marked = SqlTracker::new();
            let mut profile = SqlProfile::new();
            let (mut from, mut named, mut from_marks) = (0, 0, 0);
            while from < text.len() {
                let buf = &text[from..];
                let end = if buf.len() <= chunk_len {
                    buf.len()
                } else {
                    memchr::memrchr(b'\n', &buf[..chunk_len]).map_or(chunk_len, |i| i + 1)
                };
                // The buffer in stretches cut at line ends, as a scan names
                // them (a stretch of about 60 bytes here).
                let mut stretch_from = 0;
                let mut line_start = 0;
                while stretch_from < end {
                    let alike = marked.starts_like(&profile);
                    let stretch_to = match stretch_from + 60 {
                        target if alike && target < end => {
                            memchr::memchr(b'\n', &buf[target..end]).map_or(end, |i| target + i + 1)
                        }
                        _ => end,
                    };
                    // Offsets of a statement's header that an earlier walk
                    // read past (the word VALUES of a header over two lines)
                    // are not asked: a tracker answers them by the order it
                    // was asked in.
                    let ahead = profile.tracker.state.pos;
                    profile.walk_to(buf, stretch_from, stretch_to, &key, alike);
                    if alike {
                        marked.use_marks(&mut profile, stretch_from, stretch_to);
                        from_marks += 1;
                    }
                    for at in (stretch_from.max(ahead)..stretch_to).step_by(5) {
                        if let Some(nl) = memchr::memrchr(b'\n', &buf[line_start..at]) {
                            line_start += nl + 1;
                        }
                        let mut ask = vec![at];
                        if at % 3 == 0 {
                            ask.push(at.saturating_sub(23).max(line_start).max(ahead));
                        }
                        for q in ask {
                            // A walk straight from the buffer's start to `q`.
                            let expected = walking.clone().field_at(buf, q);
                            named += usize::from(expected.is_some());
                            assert_eq!(
                                marked.field_at(buf, q),
                                expected,
                                "offset {} in buffers of {chunk_len}",
                                from + q
                            );
                        }
                    }
                    marked.give_back_marks(&mut profile);
                    stretch_from = stretch_to;
                }
                profile.end_buffer(end);
                walking.rebase(buf, end);
                marked.rebase(buf, end);
                from += end;
            }
            assert!(named > 1000, "{named} fields named: too few to tell");
            assert!(
                from_marks > text.len().div_ceil(chunk_len),
                "marks used for {from_marks} stretches in buffers of {chunk_len}"
            );
        }
    }
}
