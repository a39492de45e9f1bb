//! Field names for values inside XML documents: payment batches (SEPA
//! `pain.001` transfers and `pain.008` direct debits hold names and
//! IBANs), dealer-system and vehicle exports.
//!
//! A value is named by the local names of the elements open around it,
//! joined by `/` from the root, the way XPath writes them: in
//! `<Document><DrctDbtTxInf><DbtrAcct><Id><IBAN>NL..` the IBAN's field is
//! `Document/DrctDbtTxInf/DbtrAcct/Id/IBAN`. An attribute's value adds
//! `/@name`: `<Voertuig kenteken="..">` gives `Voertuig/@kenteken`.
//! Namespace prefixes are dropped (`ns2:Nm` is `Nm`), since exporters
//! choose them freely. Text in a CDATA section belongs to its element;
//! comments, processing instructions and declarations name no field.
//!
//! Like the JSON tracker, this one is a byte walk, not a parser: it never
//! rejects a document, so a truncated or malformed export is still named
//! as far as its tags go (an end tag closes the innermost element,
//! whatever its name).

use super::{FieldCounts, Key, MAX_JSON_DEPTH, Positioned, Rewind};
use crate::formats::NamesFields;
use crate::redact::FingerprintKey;

/// Elements nested deeper are still followed but not named beyond this
/// depth (the same bound as JSON's), so a 100,000-level document costs no
/// memory.
const MAX_XML_DEPTH: usize = MAX_JSON_DEPTH;

/// Longest name (element or attribute) kept whole; longer names are cut
/// here. XML names in exports are a few dozen bytes at most.
const MAX_NAME: usize = 128;

/// Where the walk is, byte by byte; every state survives a buffer cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    /// Text between tags.
    #[default]
    Content,
    /// After `<`.
    Open,
    /// Reading a start tag's name.
    ElementName,
    /// Inside a start tag, between attributes.
    InTag,
    /// After a `/` inside a start tag: `>` ends an empty element.
    EmptyEnd,
    /// Reading an attribute's name.
    AttributeName,
    /// After an attribute's name, before its `=`.
    AfterAttributeName,
    /// After `=`, before the value's quote.
    BeforeValue,
    /// Inside an attribute value quoted by this byte.
    AttributeValue(u8),
    /// Inside an end tag `</...>`.
    EndTag,
    /// After `<!`.
    Bang,
    /// After `<!-`.
    BangDash,
    /// Inside a comment; the dashes just seen in a row (at most 2).
    Comment(u8),
    /// After `<![`: how many bytes of `CDATA[` matched so far.
    CdataOpen(u8),
    /// Inside a CDATA section; the `]` just seen in a row (at most 2).
    Cdata(u8),
    /// Inside a declaration (`<!DOCTYPE ...>`), with the depth of `[`.
    Declaration(u32),
    /// Inside a processing instruction; whether a `?` was just seen.
    Instruction(bool),
}

#[derive(Debug, Clone, Default)]
struct XmlState {
    pos: usize,
    mode: Mode,
    /// Local names of the open elements joined by `/`, the root first:
    /// the field of their text, kept whole so naming it copies nothing.
    path: String,
    /// Where each open element's part of `path` starts (at its `/`).
    starts: Vec<u32>,
    /// Elements open past `MAX_XML_DEPTH`, counted but not stored.
    overflow: usize,
    /// The name being read (an element's or an attribute's), local part.
    name: Vec<u8>,
    /// The attribute whose value is being read.
    attribute: Option<Key>,
}

impl Positioned for XmlState {
    fn pos(&self) -> usize {
        self.pos
    }
}

/// Bytes that may be part of an XML name (ASCII ones; every byte of a
/// multi-byte UTF-8 character is taken as one too).
fn is_name_byte(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

const NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric()
            || matches!(byte, b'_' | b'-' | b'.' | b':')
            || byte >= 0x80;
        b += 1;
    }
    table
};

impl XmlState {
    fn advance(&mut self, buf: &[u8], to: usize) {
        let mut i = self.pos;
        while i < to {
            i = self.pass_over(buf, i, to);
            if i == to {
                break;
            }
            self.step(buf[i]);
            i += 1;
        }
        self.pos = to.max(self.pos);
    }

    /// The first offset from `at` (up to `to`) whose byte may change the
    /// mode, taking in the bytes before it: stretches of text, values,
    /// comments and end tags are jumped over, and a run of name bytes is
    /// added to the name at once. Most of a document is passed over here;
    /// [`Self::step`] sees the bytes around the tags.
    fn pass_over(&mut self, buf: &[u8], at: usize, to: usize) -> usize {
        let rest = &buf[at..to];
        let stop = match self.mode {
            Mode::Content => memchr::memchr(b'<', rest),
            Mode::AttributeValue(quote) => memchr::memchr(quote, rest),
            Mode::Cdata(0) => memchr::memchr(b']', rest),
            Mode::EndTag => memchr::memchr(b'>', rest),
            Mode::Comment(0) => memchr::memchr(b'-', rest),
            Mode::Instruction(false) => memchr::memchr(b'?', rest),
            Mode::ElementName | Mode::AttributeName => {
                let end = rest.iter().position(|&b| !is_name_byte(b));
                self.push_name_bytes(&rest[..end.unwrap_or(rest.len())]);
                end
            }
            _ => Some(0),
        };
        stop.map_or(to, |j| at + j)
    }

    fn step(&mut self, b: u8) {
        self.mode = match self.mode {
            Mode::Content => match b {
                b'<' => Mode::Open,
                _ => Mode::Content,
            },
            Mode::Open => match b {
                b'/' => Mode::EndTag,
                b'!' => Mode::Bang,
                b'?' => Mode::Instruction(false),
                _ if is_name_byte(b) => {
                    self.name.clear();
                    self.push_name_byte(b);
                    Mode::ElementName
                }
                // A `<` in text that starts no tag (malformed, but seen).
                _ => Mode::Content,
            },
            Mode::ElementName => match b {
                _ if is_name_byte(b) => {
                    self.push_name_byte(b);
                    Mode::ElementName
                }
                b'>' => {
                    self.open_element();
                    Mode::Content
                }
                b'/' => {
                    self.open_element();
                    Mode::EmptyEnd
                }
                _ => {
                    self.open_element();
                    Mode::InTag
                }
            },
            Mode::InTag | Mode::AfterAttributeName => match b {
                b'>' => Mode::Content,
                b'/' => Mode::EmptyEnd,
                b'=' if self.mode == Mode::AfterAttributeName => Mode::BeforeValue,
                b'"' | b'\'' => {
                    // A value without a name (malformed): no field.
                    self.attribute = None;
                    Mode::AttributeValue(b)
                }
                _ if is_name_byte(b) => {
                    self.name.clear();
                    self.push_name_byte(b);
                    Mode::AttributeName
                }
                _ => self.mode,
            },
            Mode::EmptyEnd => match b {
                b'>' => {
                    self.close_element();
                    Mode::Content
                }
                _ => Mode::InTag,
            },
            Mode::AttributeName => match b {
                _ if is_name_byte(b) => {
                    self.push_name_byte(b);
                    Mode::AttributeName
                }
                b'=' => Mode::BeforeValue,
                b'>' => Mode::Content,
                b'/' => Mode::EmptyEnd,
                _ => Mode::AfterAttributeName,
            },
            Mode::BeforeValue => match b {
                b'"' | b'\'' => {
                    self.attribute = Some(Key::of(&self.name));
                    Mode::AttributeValue(b)
                }
                b'>' => Mode::Content,
                _ => Mode::BeforeValue,
            },
            Mode::AttributeValue(quote) => {
                if b == quote {
                    self.attribute = None;
                    Mode::InTag
                } else {
                    self.mode
                }
            }
            Mode::EndTag => match b {
                b'>' => {
                    self.close_element();
                    Mode::Content
                }
                _ => Mode::EndTag,
            },
            Mode::Bang => match b {
                b'-' => Mode::BangDash,
                b'[' => Mode::CdataOpen(0),
                b'>' => Mode::Content,
                _ => Mode::Declaration(0),
            },
            Mode::BangDash => match b {
                b'-' => Mode::Comment(0),
                b'>' => Mode::Content,
                _ => Mode::Declaration(0),
            },
            Mode::Comment(dashes) => match b {
                b'-' => Mode::Comment((dashes + 1).min(2)),
                b'>' if dashes == 2 => Mode::Content,
                _ => Mode::Comment(0),
            },
            Mode::CdataOpen(matched) => {
                const OPENING: &[u8] = b"CDATA[";
                if OPENING.get(usize::from(matched)) == Some(&b) {
                    if usize::from(matched) + 1 == OPENING.len() {
                        Mode::Cdata(0)
                    } else {
                        Mode::CdataOpen(matched + 1)
                    }
                } else if b == b'>' {
                    Mode::Content
                } else {
                    Mode::Declaration(1)
                }
            }
            Mode::Cdata(brackets) => match b {
                b']' => Mode::Cdata((brackets + 1).min(2)),
                b'>' if brackets == 2 => Mode::Content,
                _ => Mode::Cdata(0),
            },
            Mode::Declaration(depth) => match b {
                b'[' => Mode::Declaration(depth.saturating_add(1)),
                b']' => Mode::Declaration(depth.saturating_sub(1)),
                b'>' if depth == 0 => Mode::Content,
                _ => Mode::Declaration(depth),
            },
            Mode::Instruction(question) => match b {
                b'>' if question => Mode::Content,
                _ => Mode::Instruction(b == b'?'),
            },
        };
    }

    /// Adds a byte to the name being read.
    fn push_name_byte(&mut self, b: u8) {
        self.push_name_bytes(&[b]);
    }

    /// Adds name bytes to the name being read: after a `:` only the local
    /// part is kept.
    fn push_name_bytes(&mut self, mut bytes: &[u8]) {
        if let Some(colon) = memchr::memrchr(b':', bytes) {
            self.name.clear();
            bytes = &bytes[colon + 1..];
        }
        // A character cut by MAX_NAME, or malformed input, is mended by
        // `Key::of`.
        let room = MAX_NAME.saturating_sub(self.name.len());
        self.name.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn open_element(&mut self) {
        if self.starts.len() >= MAX_XML_DEPTH || self.overflow > 0 {
            self.overflow += 1;
        } else {
            self.starts.push(self.path.len() as u32);
            if !self.path.is_empty() {
                self.path.push('/');
            }
            if self.name.is_ascii() {
                // Nearly every name: no UTF-8 to check.
                self.path.extend(self.name.iter().map(|&b| char::from(b)));
            } else {
                self.path.push_str(&crate::formats::text_lossy(&self.name));
            }
        }
        self.name.clear();
    }

    fn close_element(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else if let Some(start) = self.starts.pop() {
            self.path.truncate(start as usize);
        }
    }

    /// The local name of the innermost element named.
    fn element_name(&self) -> &str {
        let start = self.starts.last().map_or(0, |&s| s as usize);
        self.path[start..].trim_start_matches('/')
    }

    /// Elements open, past the depth named too.
    fn depth(&self) -> usize {
        self.starts.len() + self.overflow
    }

    /// Whether the byte at `pos` is part of an element's text (or CDATA).
    fn in_text(&self) -> bool {
        matches!(self.mode, Mode::Content | Mode::Cdata(_))
    }
}

/// The field of the text of `state`'s element, or of `attribute` when
/// given: its path, borrowed where nothing is added, else written into
/// `scratch`.
fn field_path<'s>(
    state: &'s XmlState,
    attribute: Option<&Key>,
    scratch: &'s mut String,
) -> &'s str {
    if state.overflow == 0 && attribute.is_none() {
        return &state.path;
    }
    scratch.clear();
    scratch.push_str(&state.path);
    if state.overflow > 0 {
        scratch.push_str("/…");
    }
    if let Some(attribute) = attribute {
        if !scratch.is_empty() {
            scratch.push('/');
        }
        scratch.push('@');
        scratch.push_str(attribute.as_str());
    }
    scratch
}

/// Follows an XML document to name the element (or attribute) of an offset.
#[derive(Debug, Clone, Default)]
pub struct XmlTracker {
    state: XmlState,
    rewind: Rewind<XmlState>,
    /// The last path named with an attribute, reused.
    path: String,
}

impl XmlTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves offsets back by `consumed` bytes when the scanner drops the
    /// front of its buffer.
    pub fn rebase(&mut self, buf: &[u8], consumed: usize) {
        if self.state.pos < consumed {
            self.state.advance(buf, consumed);
        }
        self.state.pos -= consumed;
        self.rewind = Rewind::starting_at(&self.state);
    }

    /// Walks to `offset` and tells what the byte there is part of:
    /// `Some(true)` an attribute's value (its name known), `Some(false)` an
    /// element's text, `None` anything else (or an offset before the
    /// current line).
    fn in_value_at(&mut self, buf: &[u8], offset: usize) -> Option<bool> {
        let offset = offset.min(buf.len());
        if !self
            .rewind
            .seek(&mut self.state, buf, offset, |s, to| s.advance(buf, to))
        {
            return None;
        }
        match self.state.mode {
            Mode::AttributeValue(_) => self.state.attribute.is_some().then_some(true),
            _ if self.state.in_text() => Some(false),
            _ => None,
        }
    }

    /// `f` applied to the name the context of the value at `offset` is
    /// judged by (a rule's `fields`), as a table's by its column header:
    /// its element's own name, or the attribute's, an ISO 20022
    /// abbreviation read as what it stands for (`PhneNb` is `phone`).
    /// The elements around it say nothing about one value: every example
    /// number of a phone-number metadata file sits under
    /// `phoneNumberMetadata`, and its mobile ones under `mobile`.
    pub fn with_context_name_at<R>(
        &mut self,
        buf: &[u8],
        offset: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Option<R> {
        let in_attribute = self.in_value_at(buf, offset)?;
        let state = &self.state;
        let own = match in_attribute {
            true => state.attribute.as_ref()?.as_str(),
            false if !state.path.is_empty() => state.element_name(),
            false => return None,
        };
        Some(f(classified_name(own)))
    }
}

impl NamesFields for XmlTracker {
    /// The element path of the text at `offset`, or of the attribute whose
    /// value it is in.
    fn with_field_at<R>(
        &mut self,
        buf: &[u8],
        offset: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Option<R> {
        let in_attribute = self.in_value_at(buf, offset)?;
        let attribute = self.state.attribute.as_ref().filter(|_| in_attribute);
        let path = field_path(&self.state, attribute, &mut self.path);
        (!path.is_empty()).then(|| f(path))
    }
}

/// ISO 20022 element names (SEPA payment files) that say what personal
/// data they hold, with the header name that says the same: field names
/// are classified like table headers, and these abbreviations are not
/// words. `Nm` is the name of a party (debtor, creditor), a person as
/// often as a company.
const ISO_20022_NAMES: &[(&str, &str)] = &[
    ("Nm", "name"),
    ("StrtNm", "street"),
    ("BldgNb", "housenumber"),
    ("TwnNm", "city"),
    ("AdrLine", "addressline"),
    ("PstCd", "postcode"),
    ("BirthDt", "dateofbirth"),
    ("CityOfBirth", "city"),
    ("EmailAdr", "email"),
    ("PhneNb", "phone"),
    ("MobNb", "mobile"),
    // Unstructured remittance information: what the payer wrote.
    ("Ustrd", "remarks"),
    // When a payment file was made and its payments are due: how old
    // its records are, for a retention review. (A mandate's signature
    // date is not: an old mandate may still be in use.)
    ("CreDtTm", "creationdate"),
    ("ReqdColltnDt", "collectiondate"),
    ("ReqdExctnDt", "executiondate"),
];

/// The name a field is classified by: its element's or attribute's own
/// name, or what an ISO 20022 abbreviation stands for.
fn classified_name(name: &str) -> &str {
    ISO_20022_NAMES
        .iter()
        .find(|(abbreviation, _)| *abbreviation == name)
        .map_or(name, |(_, header)| header)
}

/// Longest start of a value kept from one chunk for the next: only the
/// first 256 bytes of a value are hashed, and dates are short.
const MAX_CARRIED_VALUE: usize = 4096;

/// Counts, per element path and attribute, the non-blank values of an XML
/// document, walking every byte once; paths are those [`XmlTracker`] gives
/// findings. A value is the text between two tags (whitespace around it
/// trimmed: the blanks between elements are no values), a CDATA section or
/// an attribute's value. XML has no records to count.
#[derive(Debug, Clone, Default)]
pub struct XmlProfile {
    state: XmlState,
    /// The start of a value cut by the end of the previous chunk.
    carried: Vec<u8>,
    path: String,
    pub counts: FieldCounts,
    /// The deepest nesting seen, when it went past the depth named.
    pub deeper_than_limit: Option<usize>,
}

impl XmlProfile {
    /// What the inventory keeps: the fields.
    pub fn into_document(mut self) -> super::DocumentProfile {
        self.counts.forget_counted_values();
        super::DocumentProfile {
            records: None,
            fields: self.counts.fields,
        }
    }

    /// Walks `chunk`, which continues where the previous one ended.
    pub fn walk(&mut self, chunk: &[u8], key: &FingerprintKey) {
        // Where the value being read starts in this chunk (0 for one that
        // began in an earlier chunk).
        let mut start = 0;
        let mut i = 0;
        while i < chunk.len() {
            i = self.state.pass_over(chunk, i, chunk.len());
            if i == chunk.len() {
                break;
            }
            let before = self.state.mode;
            let b = chunk[i];
            let attribute = match before {
                Mode::AttributeValue(quote) if b == quote => self.state.attribute.take(),
                _ => None,
            };
            self.state.step(b);
            let after = self.state.mode;
            match (before, after) {
                (Mode::Content, Mode::Open) => self.value_ended(&chunk[start..i], 0, None, key),
                (Mode::AttributeValue(_), Mode::InTag) => {
                    self.value_ended(&chunk[start..i], 0, attribute.as_ref(), key);
                }
                // The value ends before the `]]` of `]]>`.
                (Mode::Cdata(_), Mode::Content) => self.value_ended(&chunk[start..i], 2, None, key),
                _ => {}
            }
            let value_starts = match after {
                Mode::Content => before != Mode::Content,
                Mode::AttributeValue(_) => !matches!(before, Mode::AttributeValue(_)),
                Mode::Cdata(_) => matches!(before, Mode::CdataOpen(_)),
                _ => false,
            };
            if value_starts {
                start = i + 1;
                self.carried.clear();
            }
            if self.state.overflow > 0 {
                let depth = self.state.depth();
                if self.deeper_than_limit.is_none_or(|d| d < depth) {
                    self.deeper_than_limit = Some(depth);
                }
            }
            i += 1;
        }
        if matches!(
            self.state.mode,
            Mode::Content | Mode::AttributeValue(_) | Mode::Cdata(_)
        ) {
            let rest = &chunk[start.min(chunk.len())..];
            let room = MAX_CARRIED_VALUE.saturating_sub(self.carried.len());
            self.carried
                .extend_from_slice(&rest[..rest.len().min(room)]);
        }
    }

    /// Counts the value that ended with `tail` (after what was carried),
    /// less its last `strip` bytes, at the current path.
    fn value_ended(
        &mut self,
        tail: &[u8],
        strip: usize,
        attribute: Option<&Key>,
        key: &FingerprintKey,
    ) {
        let mut joined;
        let mut value = tail;
        if !self.carried.is_empty() {
            joined = std::mem::take(&mut self.carried);
            let room = MAX_CARRIED_VALUE.saturating_sub(joined.len());
            joined.extend_from_slice(&tail[..tail.len().min(room)]);
            value = &joined;
        }
        let value = value[..value.len().saturating_sub(strip)].trim_ascii();
        if !value.is_empty() {
            let path = field_path(&self.state, attribute, &mut self.path);
            let name = attribute.map_or_else(|| self.state.element_name(), Key::as_str);
            self.counts.count(path, classified_name(name), value, key);
        }
        self.carried.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field of the first occurrence of `needle` in `doc`.
    fn field_of(doc: &str, needle: &str) -> Option<String> {
        let at = doc.find(needle).expect("needle in document");
        XmlTracker::new().field_at(doc.as_bytes(), at)
    }

    #[test]
    fn elements_are_named_by_their_path_from_the_root() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.008.001.02\">\n\
              <DrctDbtTxInf>\n\
                <DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct>\n\
                <Dbtr><Nm>J. de Vries</Nm></Dbtr>\n\
              </DrctDbtTxInf>\n\
            </Document>\n";
        assert_eq!(
            field_of(doc, "NL91").as_deref(),
            Some("Document/DrctDbtTxInf/DbtrAcct/Id/IBAN")
        );
        assert_eq!(
            field_of(doc, "J. de").as_deref(),
            Some("Document/DrctDbtTxInf/Dbtr/Nm")
        );
    }

    #[test]
    fn attributes_add_their_name_and_prefixes_are_dropped() {
        let doc = "<ns2:Export xmlns:ns2=\"urn:x\"><ns2:Voertuig kenteken='12-ABC-3' \
                   vin = \"WVWZZZ1JZXW000001\"><ns2:Eigenaar/>x</ns2:Voertuig></ns2:Export>";
        assert_eq!(
            field_of(doc, "12-ABC").as_deref(),
            Some("Export/Voertuig/@kenteken")
        );
        assert_eq!(
            field_of(doc, "WVWZZZ").as_deref(),
            Some("Export/Voertuig/@vin")
        );
        // After the empty element, the text is the vehicle's again.
        assert_eq!(field_of(doc, "x</").as_deref(), Some("Export/Voertuig"));
    }

    #[test]
    fn cdata_is_its_elements_text_and_comments_name_nothing() {
        let doc = "<a><!-- jan@example.nl --><note><![CDATA[mail <piet@example.nl> ]]]]></note>\
                   <!DOCTYPE x [ <!ENTITY e \"v\"> ]><?pi y?><b>tail</b></a>";
        assert_eq!(field_of(doc, "jan@"), None);
        assert_eq!(field_of(doc, "piet@").as_deref(), Some("a/note"));
        // A `]]` inside CDATA that is not followed by `>` does not end it.
        assert_eq!(field_of(doc, "tail").as_deref(), Some("a/b"));
        assert_eq!(field_of(doc, "v\">"), None);
    }

    #[test]
    fn later_and_earlier_offsets_and_buffer_cuts_give_the_same_names() {
        let doc = "<r><k><e>a@x.nl</e><t>0612345678</t></k><k><e>b@x.nl</e></k></r>";
        let bytes = doc.as_bytes();
        let mut tracker = XmlTracker::new();
        let b = doc.find("b@").unwrap();
        let t = doc.find("0612").unwrap();
        assert_eq!(tracker.field_at(bytes, b).as_deref(), Some("r/k/e"));
        // Asked again for an earlier offset of the same line.
        assert_eq!(tracker.field_at(bytes, t).as_deref(), Some("r/k/t"));
        // The scanner drops the front of its buffer at a cut inside a tag.
        let cut = doc.find("/t>").unwrap();
        let mut tracker = XmlTracker::new();
        tracker.field_at(bytes, 3);
        tracker.rebase(bytes, cut);
        let rest = &bytes[cut..];
        assert_eq!(tracker.field_at(rest, b - cut).as_deref(), Some("r/k/e"));
    }

    #[test]
    fn context_is_judged_by_the_own_name() {
        let context_of = |doc: &str, needle: &str| {
            let at = doc.find(needle).expect("needle in document");
            XmlTracker::new().with_context_name_at(doc.as_bytes(), at, str::to_string)
        };
        let metadata = "<phoneNumberMetadata><territory id=\"NL\"><mobile>\
                        <exampleNumber>650123456</exampleNumber></mobile></territory></phoneNumberMetadata>";
        assert_eq!(
            context_of(metadata, "650").as_deref(),
            Some("exampleNumber")
        );
        assert_eq!(context_of(metadata, "NL\"").as_deref(), Some("id"));
        let sepa = "<Dbtr><CtctDtls><PhneNb>0612345678</PhneNb></CtctDtls></Dbtr>";
        assert_eq!(context_of(sepa, "0612").as_deref(), Some("phone"));
        assert_eq!(context_of("<a><!-- 1 --></a>", "1"), None);
        assert_eq!(context_of("1 <a/>", "1"), None);
    }

    #[test]
    fn malformed_and_deep_documents_are_still_walked() {
        // An end tag closes the innermost element whatever its name; a
        // stray `<` in text opens nothing.
        let doc = "<a><b>1 < 2</c><d>here</d></a>";
        assert_eq!(field_of(doc, "here").as_deref(), Some("a/d"));
        let deep = format!(
            "{}<x>value</x>{}",
            "<n>".repeat(MAX_XML_DEPTH + 10),
            "</n>".repeat(MAX_XML_DEPTH + 10)
        );
        let name = field_of(&deep, "value").unwrap();
        assert!(name.ends_with("n/…"), "{}", &name[name.len() - 10..]);
        // A truncated document names what it opened.
        assert_eq!(
            field_of("<a><b x=\"tail", "tail").as_deref(),
            Some("a/b/@x")
        );
    }

    #[test]
    fn non_ascii_names_are_kept() {
        let doc = "<klant><straat_naam>x</straat_naam><geboortedatum_één>1980-01-02</geboortedatum_één></klant>";
        assert_eq!(
            field_of(doc, "1980").as_deref(),
            Some("klant/geboortedatum_één")
        );
    }

    fn profile_of(chunks: &[&str]) -> XmlProfile {
        let key = FingerprintKey::from_secret(b"test", "test");
        let mut profile = XmlProfile::default();
        for chunk in chunks {
            profile.walk(chunk.as_bytes(), &key);
        }
        profile
    }

    /// Per field (path, non-blank values, entity named, and for a name or
    /// an address the values counted and their distinct count), sorted.
    type Fields = Vec<(String, u64, Option<&'static str>, Option<(u64, u64)>)>;

    fn fields_of(profile: &XmlProfile) -> Fields {
        let mut fields: Vec<_> = profile
            .counts
            .fields
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.non_empty,
                    f.header_entity.map(|e| e.as_str()),
                    f.header_values
                        .as_ref()
                        .map(|v| (v.count, v.distinct.count())),
                )
            })
            .collect();
        fields.sort();
        fields
    }

    const EXPORT: &str = "<?xml version=\"1.0\"?>\n\
        <!-- export 2024 -->\n\
        <Klanten>\n\
          <Klant nr=\"1\">\n\
            <Naam>Jan de Vries</Naam>\n\
            <Email>jan@example.nl</Email>\n\
            <Notitie><![CDATA[belt <na> 17:00]]></Notitie>\n\
            <Telefoon/>\n\
          </Klant>\n\
          <Klant nr=\"2\">\n\
            <Naam>  Piet Jansen </Naam>\n\
            <Email></Email>\n\
          </Klant>\n\
        </Klanten>\n";

    #[test]
    fn values_are_counted_per_element_and_attribute() {
        let profile = profile_of(&[EXPORT]);
        assert_eq!(
            fields_of(&profile),
            vec![
                ("Klanten/Klant/@nr".to_string(), 2, None, None),
                ("Klanten/Klant/Email".to_string(), 1, Some("email"), None),
                // Names are found by no rule: their values are counted by
                // the field's name.
                (
                    "Klanten/Klant/Naam".to_string(),
                    2,
                    Some("person_name"),
                    Some((2, 2))
                ),
                (
                    "Klanten/Klant/Notitie".to_string(),
                    1,
                    Some("free_text"),
                    Some((1, 1))
                ),
            ]
        );
        assert_eq!(profile.into_document().records, None);
    }

    #[test]
    fn values_cut_by_a_chunk_end_count_as_in_one_piece() {
        let whole = fields_of(&profile_of(&[EXPORT]));
        for cut in 1..EXPORT.len() {
            if !EXPORT.is_char_boundary(cut) {
                continue;
            }
            let (a, b) = EXPORT.split_at(cut);
            assert_eq!(fields_of(&profile_of(&[a, b])), whole, "cut at {cut}");
        }
    }

    #[test]
    fn sepa_abbreviations_name_what_they_hold() {
        let doc = "<Document><DrctDbtTxInf><Dbtr><Nm>M. Bosman</Nm><PstlAdr>\
                   <StrtNm>Lindelaan</StrtNm><PstCd>3742 KD</PstCd></PstlAdr></Dbtr>\
                   <RmtInf><Ustrd>kenteken 52-RTH-8</Ustrd></RmtInf><MndtId>M-1</MndtId>\
                   </DrctDbtTxInf></Document>";
        let entities: Vec<_> = fields_of(&profile_of(&[doc]))
            .into_iter()
            .map(|(path, _, entity, _)| (path.rsplit('/').next().unwrap().to_string(), entity))
            .collect();
        assert_eq!(
            entities,
            vec![
                ("Nm".to_string(), Some("person_name")),
                ("PstCd".to_string(), Some("postcode")),
                ("StrtNm".to_string(), Some("address")),
                ("MndtId".to_string(), None),
                ("Ustrd".to_string(), Some("free_text")),
            ]
        );
    }

    #[test]
    fn payment_dates_date_the_records() {
        let doc = "<Document><GrpHdr><CreDtTm>2019-03-01T09:14:22</CreDtTm></GrpHdr>\
                   <PmtInf><ReqdColltnDt>2019-03-25</ReqdColltnDt>\
                   <DtOfSgntr>2012-06-14</DtOfSgntr></PmtInf></Document>";
        let profile = profile_of(&[doc]);
        let dated: Vec<(&str, bool)> = profile
            .counts
            .fields
            .iter()
            .map(|f| {
                let name = f.name.rsplit('/').next().unwrap();
                (name, f.dates.is_some_and(|d| d.dated == 1))
            })
            .collect();
        assert_eq!(
            dated,
            vec![
                ("CreDtTm", true),
                ("ReqdColltnDt", true),
                ("DtOfSgntr", false)
            ]
        );
    }

    #[test]
    fn nesting_past_the_limit_is_noted() {
        let deep = format!(
            "{}<x>value</x>{}",
            "<n>".repeat(MAX_XML_DEPTH + 10),
            "</n>".repeat(MAX_XML_DEPTH + 10)
        );
        assert_eq!(
            profile_of(&[&deep]).deeper_than_limit,
            Some(MAX_XML_DEPTH + 11)
        );
        assert_eq!(profile_of(&[EXPORT]).deeper_than_limit, None);
    }
}
