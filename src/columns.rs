//! The per-column inventory of tables: which personal data each column of a
//! CSV/TSV file holds, and on what evidence.
//!
//! Two sources of evidence meet here. Values: findings carry the column they
//! sit in (`field`), so the inventory counts them per column. Headers: a
//! column called `achternaam`, `street` or `opmerkingen` holds names,
//! addresses or free text that no pattern can recognise, so header names in
//! Dutch, English, German and French are classified ([`classify_header`]).
//!
//! [`TableProfile`] walks every record of a delimited file once, chunk by
//! chunk as the scanner reads it, counting rows and non-empty values per
//! column, and, for columns classified by header, the distinct values (keyed
//! fingerprints, never the values) and masked samples.
//! [`column_verdict`] combines both into one verdict per column.

use crate::finding::{Confidence, Entity};
use crate::inventory::EntityStats;
use crate::redact::{FingerprintKey, mask, normalize_into};
use serde::Serialize;

thread_local! {
    /// The canonical form of the cell being counted: every cell of a
    /// header-classified column is normalised only to be hashed.
    static NORMALIZED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Longest value hashed for distinct counting (a long note is counted, but
/// its distinctness is judged on this prefix).
const MAX_HASHED_VALUE: usize = 256;

/// Values a column remembers as counted ([`CountedValues`]), and the
/// longest one it remembers.
const REMEMBERED_VALUES: usize = 512;
const REMEMBERED_VALUE_LEN: usize = 31;
/// Values a column counts before it starts remembering them: a small
/// table is not worth the table of remembered values.
const REMEMBER_AFTER: u64 = 64;

/// Short values of a header-classified column already counted, each in the
/// slot its bytes hash to (a newer value takes the slot over). A column of
/// first names, streets or towns holds a few hundred values over many
/// thousand rows, and a value counted before changes neither the distinct
/// count nor the samples: only the count goes up, without normalising and
/// keyed hashing it again (7% of a scan of the customer export went there).
#[derive(Clone)]
struct CountedValues {
    slots: Box<[(u8, [u8; REMEMBERED_VALUE_LEN])]>,
}

impl std::fmt::Debug for CountedValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values are personal data: never printed.
        f.write_str("CountedValues")
    }
}

impl CountedValues {
    fn new() -> CountedValues {
        CountedValues {
            slots: vec![(0, [0; REMEMBERED_VALUE_LEN]); REMEMBERED_VALUES].into_boxed_slice(),
        }
    }

    /// The slot of `value` (1 to [`REMEMBERED_VALUE_LEN`] bytes).
    fn slot(value: &[u8]) -> usize {
        let mut hash = value.len() as u64;
        for chunk in value.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            hash = (hash.rotate_left(23) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        (hash >> 32) as usize % REMEMBERED_VALUES
    }

    /// True when `value` is remembered as counted; otherwise remembers it
    /// (the caller counts it) when it is short enough.
    fn counted_before(&mut self, value: &[u8]) -> bool {
        if value.is_empty() || value.len() > REMEMBERED_VALUE_LEN {
            return false;
        }
        let (len, bytes) = &mut self.slots[Self::slot(value)];
        if usize::from(*len) == value.len() && &bytes[..value.len()] == value {
            return true;
        }
        *len = value.len() as u8;
        bytes[..value.len()].copy_from_slice(value);
        false
    }
}

/// Header terms, compared after [`header_key`] folding. A term matches the
/// whole header, one of its words, or (for terms of five or more letters)
/// the start or end of a compound such as `klantachternaam`.
const HEADER_TERMS: &[(Entity, &[&str])] = &[
    (
        Entity::PersonName,
        &[
            "naam",
            "voornaam",
            "voornamen",
            "achternaam",
            "tussenvoegsel",
            "voorletters",
            "roepnaam",
            "klantnaam",
            "contactpersoon",
            "geboortenaam",
            "name",
            "firstname",
            "lastname",
            "surname",
            "fullname",
            "givenname",
            "familyname",
            "middlename",
            "customername",
            "contactname",
            "forename",
            "vorname",
            "nachname",
            "familienname",
            "nom",
            "prenom",
            "nomdefamille",
        ],
    ),
    (
        Entity::Address,
        &[
            "adres",
            "straat",
            "straatnaam",
            "huisnummer",
            "huisnr",
            "toevoeging",
            "woonplaats",
            "plaats",
            "plaatsnaam",
            "address",
            "street",
            "streetname",
            "housenumber",
            "city",
            "town",
            "addressline",
            "addressline1",
            "addressline2",
            "adresse",
            "strasse",
            "hausnummer",
            "wohnort",
            "ort",
            "rue",
            "ville",
            "numerorue",
        ],
    ),
    (
        Entity::DateOfBirth,
        &[
            "geboortedatum",
            "gebdatum",
            "gebdat",
            "dateofbirth",
            "birthdate",
            "birthday",
            "dob",
            "geburtsdatum",
            "datedenaissance",
        ],
    ),
    (
        Entity::FreeText,
        &[
            "opmerking",
            "opmerkingen",
            "notitie",
            "notities",
            "notes",
            "note",
            "comment",
            "comments",
            "remarks",
            "memo",
            "klacht",
            "klachtomschrijving",
            "werkomschrijving",
            "bemerkung",
            "bemerkungen",
            "kommentar",
            "notiz",
            "remarque",
            "remarques",
            "commentaire",
            "commentaires",
        ],
    ),
    (
        Entity::Email,
        &["email", "emailadres", "mail", "emailaddress", "courriel"],
    ),
    (
        Entity::Phone,
        &[
            "telefoon",
            "telefoonnummer",
            "tel",
            "mobiel",
            "mobielnummer",
            "gsm",
            "phone",
            "phonenumber",
            "mobile",
            "telephone",
            "telefon",
            "telefonnummer",
            "handy",
            "telephone",
            "portable",
        ],
    ),
    (
        Entity::LicencePlate,
        &[
            "kenteken",
            "kentekenplaat",
            "plate",
            "licenseplate",
            "licenceplate",
            "registration",
            "numberplate",
            "kennzeichen",
            "immatriculation",
        ],
    ),
    (
        Entity::Vin,
        &["vin", "chassisnummer", "fin", "vehicleidentificationnumber"],
    ),
    (
        Entity::Iban,
        &["iban", "rekeningnummer", "bankrekening", "bankaccount"],
    ),
    (Entity::Bsn, &["bsn", "burgerservicenummer", "sofinummer"]),
    (
        Entity::Postcode,
        &[
            "postcode",
            "zipcode",
            "zip",
            "postalcode",
            "plz",
            "codepostal",
        ],
    ),
    (
        Entity::IpAddress,
        &["ip", "ipaddress", "ipadres", "clientip", "remoteaddr"],
    ),
];

/// Terms too generic to count as one word of a longer header: `naam` in
/// `product naam` or `registration` in `first_registration` say nothing
/// about a person. They match only the whole header.
const WHOLE_HEADER_ONLY: &[&str] = &[
    "naam",
    "name",
    "nom",
    "registration",
    "plate",
    "ort",
    "rue",
    "fin",
    "mail",
    "tel",
    "zip",
    "ip",
    "note",
    "memo",
];

/// Folds a header for comparison: lowercase ASCII, accents dropped from
/// common Latin letters, every other character a word break.
fn header_key(header: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    for c in header.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ü' => 'u',
            'ç' => 'c',
            'ß' => 's',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            if let Some(w) = words.last_mut() {
                w.push(c);
            }
        } else if words.last().is_some_and(|w| !w.is_empty()) {
            words.push(String::new());
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// The entity a column holds by its header name, if the name says so.
pub fn classify_header(header: &str) -> Option<Entity> {
    let words = header_key(header);
    if words.is_empty() {
        return None;
    }
    let joined: String = words.concat();
    // `straße` folds to `strase`; accept the German spelling either way.
    let joined = joined.replace("strase", "strasse");
    let matches = |term: &str| {
        if WHOLE_HEADER_ONLY.contains(&term) {
            return joined == term;
        }
        joined == term
            || words.iter().any(|w| w == term)
            || (term.len() >= 5 && (joined.starts_with(term) || joined.ends_with(term)))
    };
    // A date column is not an identifier column (`first_registration`,
    // `email_sent_at`), though it may be a date of birth.
    let is_date = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "date" | "datum" | "dat" | "jaar" | "year" | "time" | "tijd" | "at" | "on"
        )
    }) || joined.ends_with("datum")
        || joined.ends_with("date");
    // The longest matching term wins: `emailadres` over `adres`.
    let entity = HEADER_TERMS
        .iter()
        .flat_map(|(entity, terms)| terms.iter().map(move |t| (*entity, *t)))
        .filter(|(_, term)| matches(term))
        .max_by_key(|(_, term)| term.len())
        .map(|(entity, _)| entity)?;
    (!is_date || entity == Entity::DateOfBirth).then_some(entity)
}

/// Columns profiled per table. A crafted row of millions of delimiters would
/// otherwise cost a profile per column (and did: a 400 KB row of 200,000
/// cells took minutes). Findings past it are still found and named
/// `column N`; only the per-column counts stop, and the scan says so.
pub const MAX_TABLE_COLUMNS: usize = 4096;

/// What one column of a table holds, counted over every record.
#[derive(Debug, Clone, Default)]
pub struct ColumnProfile {
    /// The header name, or `column N` without a header.
    pub name: String,
    /// Records with a non-blank value in this column.
    pub non_empty: u64,
    /// The entity the header names, if any.
    pub header_entity: Option<Entity>,
    /// For header-classified columns: distinct values and masked samples.
    pub header_values: Option<EntityStats>,
    /// For date-like columns (`aanmaakdatum`, `laatste_bezoek`, `created_at`):
    /// the oldest and newest date found, the age of the records.
    pub dates: Option<DateRange>,
    /// For header-classified columns: values counted already.
    counted: Option<CountedValues>,
}

/// The oldest and newest dates of a column, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateRange {
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
    /// Values that parsed as dates.
    pub dated: u64,
}

impl DateRange {
    fn observe(&mut self, day: i64) {
        self.oldest = Some(self.oldest.map_or(day, |o| o.min(day)));
        self.newest = Some(self.newest.map_or(day, |n| n.max(day)));
        self.dated += 1;
    }

    /// Combines two ranges (for merging members or shards).
    pub fn merge(&mut self, other: &DateRange) {
        if let Some(o) = other.oldest {
            self.oldest = Some(self.oldest.map_or(o, |m| m.min(o)));
        }
        if let Some(n) = other.newest {
            self.newest = Some(self.newest.map_or(n, |m| m.max(n)));
        }
        self.dated += other.dated;
    }
}

/// Headers of columns whose dates say how old a record is: creation, last
/// activity, modification. Dates of birth say nothing about that.
const RECORD_DATE_TERMS: &[&str] = &[
    "aanmaakdatum",
    "aangemaakt",
    "aangemaaktop",
    "laatstebezoek",
    "laatstbezoek",
    "laatstecontact",
    "laatstgewijzigd",
    "gewijzigd",
    "gewijzigdop",
    "datum",
    "date",
    "created",
    "createdat",
    "createdon",
    "creationdate",
    "updated",
    "updatedat",
    "modified",
    "modifiedat",
    "lastvisit",
    "lastcontact",
    "lastactivity",
    "lastlogin",
    "lastorder",
    "orderdate",
    "afspraakdatum",
    "factuurdatum",
    "invoicedate",
    "timestamp",
    "erstelltam",
    "geandertam",
    "datecreation",
    "datemodification",
];

/// True when a column's dates tell the age of its records.
pub fn is_record_date_header(header: &str) -> bool {
    dates_records(header, classify_header(header))
}

/// [`is_record_date_header`] for a header already classified as `entity`.
fn dates_records(header: &str, entity: Option<Entity>) -> bool {
    let joined: String = header_key(header).concat();
    if joined.is_empty() || entity == Some(Entity::DateOfBirth) {
        return false;
    }
    // Expiry and due dates lie ahead; they do not date a record.
    if [
        "verval", "expir", "due", "geldig", "valid", "einde", "until",
    ]
    .iter()
    .any(|w| joined.contains(w))
    {
        return false;
    }
    RECORD_DATE_TERMS
        .iter()
        .any(|t| joined == *t || (t.len() >= 6 && (joined.starts_with(t) || joined.ends_with(t))))
        || joined.ends_with("datum")
        || joined.ends_with("date")
        || joined.ends_with("at")
            && (joined.starts_with("created") || joined.starts_with("updated"))
}

/// Parses the dates exports write: `2024-03-01`, `2024-03-01T10:00:00Z`,
/// `2024-03-01 10:00`, `01-03-2024`, `1-3-2024`, `01/03/2024`, `01.03.2024`
/// (day first, as in Dutch exports). Returns days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim().trim_matches('"').trim_matches('\'');
    let date_part = t.split(['T', ' ']).next()?;
    // Three groups of digits and their lengths, without allocating: a
    // date column is parsed once per row.
    let mut nums = [0i64; 3];
    let mut lens = [0usize; 3];
    let mut groups = 0;
    for part in date_part.split(['-', '/', '.']) {
        if groups == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums[groups] = part.parse().ok()?;
        lens[groups] = part.len();
        groups += 1;
    }
    if groups != 3 {
        return None;
    }
    let (y, m, d) = if lens[0] == 4 {
        (nums[0], nums[1], nums[2])
    } else if lens[2] == 4 {
        (nums[2], nums[1], nums[0])
    } else {
        return None;
    };
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d < 1 || d > days_in_month[(m - 1) as usize] {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn format_day(days: i64) -> String {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Walks every record of a delimited file, across the scanner's chunks.
#[derive(Debug, Clone)]
pub struct TableProfile {
    delimiter: u8,
    /// Records before the data: the header, and a `sep=` line or a title
    /// before it.
    leading_records: u64,
    /// Records seen, the leading ones included.
    records: u64,
    pub columns: Vec<ColumnProfile>,
    // Walk state carried from one chunk to the next.
    column: usize,
    in_quotes: bool,
    /// The current field has a non-blank byte.
    field_has_text: bool,
    /// The current record has a non-blank byte (blank lines are not rows).
    record_has_text: bool,
    /// The current field started in an earlier chunk: its bytes from
    /// there are in `carried`, unless they were too long to keep (then its
    /// value is counted, not hashed).
    field_from_earlier_chunk: bool,
    carried: Vec<u8>,
    carried_whole: bool,
    /// The widest record, when it had more than [`MAX_TABLE_COLUMNS`] cells.
    pub wider_than_limit: Option<usize>,
}

impl TableProfile {
    pub fn new(delimiter: u8, headers: &[String]) -> TableProfile {
        let columns = headers
            .iter()
            .take(MAX_TABLE_COLUMNS)
            .map(|h| ColumnProfile::named(h.clone(), h))
            .collect();
        TableProfile {
            delimiter,
            leading_records: u64::from(!headers.is_empty()),
            records: 0,
            columns,
            column: 0,
            in_quotes: false,
            field_has_text: false,
            record_has_text: false,
            field_from_earlier_chunk: false,
            carried: Vec::new(),
            carried_whole: false,
            wider_than_limit: (headers.len() > MAX_TABLE_COLUMNS).then_some(headers.len()),
        }
    }

    /// A profile for the rest of this table from a record boundary on: the
    /// same columns with nothing counted, the header (if any) behind it.
    /// Parts of one table profiled this way (by several threads) add up with
    /// [`TableProfile::absorb`] to what one walk over the whole would count.
    pub fn continuation(&self) -> TableProfile {
        TableProfile {
            delimiter: self.delimiter,
            leading_records: self.leading_records,
            records: self.leading_records,
            columns: self.columns.iter().map(ColumnProfile::fresh).collect(),
            column: 0,
            in_quotes: false,
            field_has_text: false,
            record_has_text: false,
            field_from_earlier_chunk: false,
            carried: Vec::new(),
            carried_whole: false,
            wider_than_limit: None,
        }
    }

    /// Adds the counts of `later`, a [`TableProfile::continuation`] that
    /// walked the part of the table after everything `self` walked, and was
    /// finished.
    pub fn absorb(&mut self, later: &TableProfile) {
        self.records += later.records.saturating_sub(later.leading_records);
        for (i, column) in later.columns.iter().enumerate() {
            if self.within_limit(i) {
                self.column_mut(i).absorb(column);
            }
        }
        self.wider_than_limit = self.wider_than_limit.max(later.wider_than_limit);
    }

    /// Notes a cell in `column` (0-based); false when it is past the limit.
    fn within_limit(&mut self, column: usize) -> bool {
        if column < MAX_TABLE_COLUMNS {
            return true;
        }
        if self.wider_than_limit.is_none_or(|w| w <= column) {
            self.wider_than_limit = Some(column + 1);
        }
        false
    }

    /// A table whose records arrive as cells (a spreadsheet sheet): the
    /// header row is already read.
    pub fn for_cells(headers: &[String]) -> TableProfile {
        let mut profile = TableProfile::new(b'\t', headers);
        profile.records = profile.leading_records;
        profile
    }

    /// Counts one record given as (0-based column, value) cells.
    pub fn add_cells<'v>(
        &mut self,
        cells: impl IntoIterator<Item = (usize, &'v str)>,
        key: &FingerprintKey,
    ) {
        let mut any = false;
        for (column, value) in cells {
            if value.trim().is_empty() {
                continue;
            }
            any = true;
            if !self.within_limit(column) {
                continue;
            }
            let col = self.column_mut(column);
            col.non_empty += 1;
            if col.reads_values() {
                col.observe(value, key);
            }
        }
        if any {
            self.records += 1;
        }
    }

    /// The profile of a 0-based column; a ragged row past the header adds
    /// numbered columns.
    #[inline]
    fn column_mut(&mut self, column: usize) -> &mut ColumnProfile {
        if self.columns.len() <= column {
            self.add_columns_up_to(column);
        }
        &mut self.columns[column]
    }

    /// Numbered columns up to `column` (0-based) past the known ones: rare,
    /// so kept out of the per-field path.
    #[cold]
    fn add_columns_up_to(&mut self, column: usize) {
        self.columns.resize_with(column + 1, ColumnProfile::default);
        for (i, c) in self.columns.iter_mut().enumerate() {
            if c.name.is_empty() {
                c.name = format!("column {}", i + 1);
            }
        }
    }

    /// Data rows: records that are not the header and not blank lines.
    pub fn rows(&self) -> u64 {
        self.records.saturating_sub(self.leading_records)
    }

    /// A profile whose table has `leading` records before its data (see
    /// [`crate::formats::TableTracker::leading_records`]).
    pub fn with_leading_records(mut self, leading: u64) -> TableProfile {
        self.leading_records = leading;
        self
    }

    /// Walks `chunk`, which continues where the previous chunk ended.
    pub fn walk(&mut self, chunk: &[u8], key: &FingerprintKey) {
        self.walk_marking(chunk, key, None, usize::MAX);
    }

    /// The column the walk is in and whether it is inside quotes: where
    /// the next chunk starts.
    pub fn position(&self) -> (usize, bool) {
        (self.column, self.in_quotes)
    }

    /// [`TableProfile::walk`] up to the first record end at or after
    /// `stop_after` bytes (or the chunk's end), also noting in `marks`
    /// (when given, with the chunk's offset in its buffer) where each field
    /// starts and its column: the chunk's start first, then every offset
    /// after a delimiter or line end outside quotes. Naming a column at an
    /// offset is then a look-up, not a second walk. Returns the bytes
    /// walked.
    pub fn walk_marking(
        &mut self,
        chunk: &[u8],
        key: &FingerprintKey,
        mut marks: Option<(&mut Vec<(u32, u32)>, usize)>,
        stop_after: usize,
    ) -> usize {
        if let Some((marks, offset)) = marks.as_mut() {
            marks.clear();
            marks.push((*offset as u32, self.column as u32));
        }
        let mut field_start = 0usize;
        let mut i = 0usize;
        while i < chunk.len() {
            if self.in_quotes {
                match memchr::memchr(b'"', &chunk[i..]) {
                    Some(j) => {
                        if j > 0 {
                            self.field_has_text = true;
                        }
                        self.in_quotes = false;
                        i += j + 1;
                    }
                    None => {
                        self.field_has_text |= i < chunk.len();
                        i = chunk.len();
                    }
                }
                continue;
            }
            let Some(j) = memchr::memchr3(self.delimiter, b'\n', b'"', &chunk[i..]) else {
                self.field_has_text |= has_text(&chunk[i..]);
                break;
            };
            let at = i + j;
            self.field_has_text |= has_text(&chunk[i..at]);
            match chunk[at] {
                b'"' => self.in_quotes = true,
                b'\n' => {
                    self.end_field(&chunk[field_start..at], key);
                    if self.record_has_text {
                        self.records += 1;
                    }
                    self.record_has_text = false;
                    self.column = 0;
                    field_start = at + 1;
                    if let Some((marks, offset)) = marks.as_mut() {
                        marks.push(((*offset + field_start) as u32, 0));
                    }
                    if field_start >= stop_after {
                        self.field_from_earlier_chunk = false;
                        return field_start;
                    }
                }
                _ => {
                    self.end_field(&chunk[field_start..at], key);
                    self.column += 1;
                    field_start = at + 1;
                    if let Some((marks, offset)) = marks.as_mut() {
                        marks.push(((*offset + field_start) as u32, self.column as u32));
                    }
                }
            }
            i = at + 1;
        }
        // A field cut by the chunk's end (a chunk may end at a line end
        // inside a quoted note) keeps its bytes so far, so its value is
        // counted and hashed as one read in one piece would be.
        let cut = field_start < chunk.len() || self.in_quotes;
        if cut {
            if !self.field_from_earlier_chunk {
                self.carried.clear();
                self.carried_whole = true;
            }
            let rest = &chunk[field_start.min(chunk.len())..];
            if self.carried_whole && self.carried.len() + rest.len() <= MAX_CARRIED_FIELD {
                self.carried.extend_from_slice(rest);
            } else {
                self.carried_whole = false;
                self.carried = Vec::new();
            }
        }
        self.field_from_earlier_chunk = cut;
        chunk.len()
    }

    /// Ends the input: a last record without a line end still counts.
    pub fn finish(&mut self, key: &FingerprintKey) {
        self.end_field(b"", key);
        if self.record_has_text {
            self.records += 1;
        }
        self.record_has_text = false;
        self.forget_counted_values();
    }

    /// Lets go of what speeds counting up (see `CountedValues`): a profile
    /// kept for the report holds only its counts.
    pub fn forget_counted_values(&mut self) {
        self.carried = Vec::new();
        for column in &mut self.columns {
            column.forget_counted_values();
        }
    }

    fn end_field(&mut self, raw: &[u8], key: &FingerprintKey) {
        let has_text = std::mem::take(&mut self.field_has_text);
        if std::mem::take(&mut self.field_from_earlier_chunk) {
            let mut carried = std::mem::take(&mut self.carried);
            if self.carried_whole {
                carried.extend_from_slice(raw);
                self.end_whole_field(has_text, &carried, true, key);
            } else {
                self.end_whole_field(has_text, b"", false, key);
            }
            carried.clear();
            self.carried = carried;
            return;
        }
        self.end_whole_field(has_text, raw, true, key);
    }

    /// Counts a field that ended (`raw` its bytes when `whole`).
    fn end_whole_field(&mut self, has_text: bool, raw: &[u8], whole: bool, key: &FingerprintKey) {
        if !has_text {
            return;
        }
        self.record_has_text = true;
        if self.records < self.leading_records {
            return;
        }
        let column = self.column;
        if !self.within_limit(column) {
            return;
        }
        let col = self.column_mut(column);
        col.non_empty += 1;
        if whole && col.reads_values() {
            col.observe(&unquote(raw), key);
        }
    }
}

/// Longest start of a field kept from one chunk for the next: a longer
/// field is counted, not hashed.
const MAX_CARRIED_FIELD: usize = 1 << 20;

/// Header names classified before, with what they hold and whether they
/// date records, per thread: every file of an export repeats its header,
/// and classifying a name took more than scanning a small file's rows.
const MAX_REMEMBERED_HEADERS: usize = 4096;

/// A header name's entity and whether it dates records.
type HeaderClass = (Option<Entity>, bool);

thread_local! {
    static CLASSIFIED_HEADERS: std::cell::RefCell<std::collections::HashMap<Box<str>, HeaderClass>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`classify_header`] of `header` and whether it [dates records](dates_records).
fn classify_column(header: &str) -> HeaderClass {
    CLASSIFIED_HEADERS.with_borrow_mut(|known| {
        if let Some(&answer) = known.get(header) {
            return answer;
        }
        let entity = classify_header(header);
        let answer = (entity, dates_records(header, entity));
        if known.len() >= MAX_REMEMBERED_HEADERS {
            known.clear();
        }
        known.insert(header.into(), answer);
        answer
    })
}

impl ColumnProfile {
    /// A column named by the last segment of a JSON path or a column name.
    pub fn named(name: String, header: &str) -> ColumnProfile {
        let (header_entity, dates_records) = classify_column(header);
        ColumnProfile {
            name,
            non_empty: 0,
            dates: dates_records.then(DateRange::default),
            header_entity,
            // Pattern entities are counted by their findings; only what no
            // rule can find is counted by header here.
            header_values: header_entity
                .filter(|e| e.is_header_only())
                .map(|_| EntityStats::default()),
            counted: None,
        }
    }

    /// The same column with nothing counted yet.
    fn fresh(&self) -> ColumnProfile {
        ColumnProfile {
            name: self.name.clone(),
            non_empty: 0,
            dates: self.dates.map(|_| DateRange::default()),
            header_entity: self.header_entity,
            header_values: self.header_values.as_ref().map(|_| EntityStats::default()),
            counted: None,
        }
    }

    /// Adds the counts of the same column in a later part of its table.
    pub(crate) fn absorb(&mut self, later: &ColumnProfile) {
        self.non_empty += later.non_empty;
        if let (Some(mine), Some(theirs)) = (self.dates.as_mut(), later.dates.as_ref()) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) =
            (self.header_values.as_mut(), later.header_values.as_ref())
        {
            mine.absorb(theirs);
        }
    }

    /// Lets go of the values remembered as counted (16 KiB for a
    /// header-classified column): an inventory keeps a profile for every
    /// table it holds.
    pub fn forget_counted_values(&mut self) {
        self.counted = None;
    }

    /// True when the column's values need looking at (not only counting).
    pub fn reads_values(&self) -> bool {
        self.header_values.is_some() || self.dates.is_some()
    }

    /// Looks at a non-blank value: a date for a date column, a fingerprint
    /// and sample for a header-classified one.
    pub fn observe(&mut self, value: &str, key: &FingerprintKey) {
        if let Some(range) = self.dates.as_mut()
            && let Some(day) = parse_date(value)
        {
            range.observe(day);
        }
        if self.header_values.is_some() {
            self.count_header_value(value, key);
        }
    }

    /// Counts a non-blank value of a header-classified column: its keyed
    /// fingerprint for the distinct count, and a masked sample.
    pub fn count_header_value(&mut self, value: &str, key: &FingerprintKey) {
        let (Some(entity), Some(stats)) = (self.header_entity, self.header_values.as_mut()) else {
            return;
        };
        let value = &value[..floor_char_boundary(value, MAX_HASHED_VALUE)];
        if stats.count >= REMEMBER_AFTER
            && self
                .counted
                .get_or_insert_with(CountedValues::new)
                .counted_before(value.as_bytes())
        {
            stats.count += 1;
            return;
        }
        let bits = NORMALIZED.with_borrow_mut(|normalized| {
            normalize_into(entity, value, "", normalized);
            key.distinct_bits(entity, normalized)
        });
        stats.count += 1;
        stats.distinct.insert(bits);
        if !stats.samples.is_full() {
            let masked = mask(entity, value.trim());
            if !stats.samples.iter().any(|s| *s == masked) {
                stats.samples.push(masked.into());
            }
        }
    }
}

/// True when `bytes` hold anything but blanks, quotes and carriage returns.
fn has_text(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'"'))
}

/// A field's text: surrounding blanks and one pair of quotes removed,
/// doubled quotes undone. Borrowed when nothing needs undoing (most fields).
fn unquote(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    let trimmed = raw.trim_ascii();
    let inner = trimmed
        .strip_prefix(b"\"")
        .and_then(|t| t.strip_suffix(b"\""))
        .unwrap_or(trimmed);
    let text = crate::formats::text_lossy(inner);
    if memchr::memmem::find(inner, b"\"\"").is_some() {
        std::borrow::Cow::Owned(text.replace("\"\"", "\""))
    } else {
        text
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// How a column's verdict was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// The header names the entity; the values were not checked or not found.
    Header,
    /// Values matched a rule; the header says nothing about it.
    Values,
    /// The header names the entity and values confirm it.
    HeaderAndValues,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Header => "header",
            Evidence::Values => "values",
            Evidence::HeaderAndValues => "header_and_values",
        }
    }
}

/// What a column holds, all evidence considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub entity: Entity,
    pub evidence: Evidence,
    pub confidence: Confidence,
}

/// Combines the header and the values of a column into a verdict. `non_empty`
/// is the number of non-blank values when it is known.
pub fn column_verdict(
    header_entity: Option<Entity>,
    value_entities: &crate::inventory::EntityMap,
    non_empty: Option<u64>,
) -> Option<Verdict> {
    let best = value_entities
        .iter()
        .max_by_key(|(e, s)| (s.count, std::cmp::Reverse(**e)))
        .map(|(e, s)| (*e, s));
    match (header_entity, best) {
        (Some(h), _) if value_entities.contains_key(&h) => Some(Verdict {
            entity: h,
            evidence: Evidence::HeaderAndValues,
            confidence: Confidence::High,
        }),
        (Some(h), _) => Some(Verdict {
            entity: h,
            evidence: Evidence::Header,
            // A header naming a pattern entity whose values never matched is
            // weak evidence; names, addresses and notes have no pattern.
            confidence: if h.is_header_only() || h == Entity::DateOfBirth {
                Confidence::Medium
            } else {
                Confidence::Low
            },
        }),
        (None, Some((entity, stats))) => {
            let share = non_empty
                .filter(|&n| n > 0)
                .map(|n| stats.count as f64 / n as f64);
            let confidence = match share {
                Some(s) if s >= 0.5 => stats.confidence.unwrap_or_default(),
                Some(s) if s >= 0.05 => {
                    stats.confidence.unwrap_or_default().min(Confidence::Medium)
                }
                Some(_) => Confidence::Low,
                None => stats.confidence.unwrap_or_default(),
            };
            Some(Verdict {
                entity,
                evidence: Evidence::Values,
                confidence,
            })
        }
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_exports_write_them() {
        let day = |y, m, d| Some(days_from_civil(y, m, d));
        for (text, expected) in [
            ("2024-03-01", day(2024, 3, 1)),
            ("2024-03-01T10:00:00Z", day(2024, 3, 1)),
            (" \"2024-03-01 10:00\" ", day(2024, 3, 1)),
            ("01-03-2024", day(2024, 3, 1)),
            ("1-3-2024", day(2024, 3, 1)),
            ("01/03/2024", day(2024, 3, 1)),
            ("'01.03.2024'", day(2024, 3, 1)),
            ("22-03-2019 15:15", day(2019, 3, 22)),
            ("29-02-2024", day(2024, 2, 29)),
            ("29-02-2023", None),
            ("31-04-2024", None),
            ("00-01-2024", None),
            ("01-13-2024", None),
            ("01-01-1899", None),
            ("2024-03", None),
            ("2024-03-01-02", None),
            ("2024--01", None),
            ("24-03-01", None),
            ("2024-0x-01", None),
            ("", None),
            ("2024-03-99999999999999999999", None),
        ] {
            assert_eq!(parse_date(text), expected, "{text:?}");
        }
    }

    #[test]
    fn values_counted_before_change_only_the_count() {
        let key = FingerprintKey::from_secret(b"columns test", "test");
        // Names cycled so that remembered values are taken over by others
        // in their slot and counted again, long ones never remembered,
        // spelled in other cases and with blanks (the same person).
        let names: Vec<String> = (0..700)
            .map(|i| match i % 4 {
                0 => format!("Naam{i}"),
                1 => format!("NAAM{}", i - 1),
                2 => format!(" Naam{i} "),
                _ => format!("Een heel lange achternaam van een klant {i}"),
            })
            .collect();
        let mut column = ColumnProfile::named("achternaam".into(), "achternaam");
        let mut order = Vec::new();
        for round in 0..5u64 {
            for (i, name) in names.iter().enumerate() {
                if !(i as u64 + round).is_multiple_of(3) {
                    column.observe(name, &key);
                    order.push(name);
                }
            }
        }
        // What counting every value from scratch gives.
        let mut distinct = std::collections::HashSet::new();
        let mut samples: Vec<String> = Vec::new();
        for name in &order {
            let mut normalized = String::new();
            normalize_into(Entity::PersonName, name, "", &mut normalized);
            distinct.insert(key.distinct_bits(Entity::PersonName, &normalized));
            let masked = mask(Entity::PersonName, name.trim());
            if samples.len() < crate::inventory::SAMPLES_PER_ENTITY && !samples.contains(&masked) {
                samples.push(masked);
            }
        }
        let stats = column.header_values.as_ref().expect("a name column");
        assert_eq!(stats.count, order.len() as u64);
        assert_eq!(stats.distinct.count(), distinct.len() as u64);
        assert!(stats.distinct.is_exact());
        assert_eq!(stats.samples.to_vec(), samples);
    }

    #[test]
    fn a_finished_table_keeps_only_its_counts() {
        let key = FingerprintKey::from_secret(b"columns test", "test");
        let mut table = TableProfile::new(b';', &["voornaam".into(), "woonplaats".into()]);
        let mut csv = b"voornaam;woonplaats\n".to_vec();
        for i in 0..100 {
            csv.extend_from_slice(format!("Jan{};Utrecht\n", i % 7).as_bytes());
        }
        table.walk(&csv, &key);
        assert!(table.columns.iter().all(|c| c.counted.is_some()));
        table.finish(&key);
        assert!(table.columns.iter().all(|c| c.counted.is_none()));
        let names = table.columns[0]
            .header_values
            .as_ref()
            .expect("a name column");
        assert_eq!((names.count, names.distinct.count()), (100, 7));
    }

    #[test]
    fn headers_in_four_languages() {
        for (header, entity) in [
            ("achternaam", Entity::PersonName),
            ("Voornaam", Entity::PersonName),
            ("last_name", Entity::PersonName),
            ("Nachname", Entity::PersonName),
            ("Prénom", Entity::PersonName),
            ("klant_naam", Entity::PersonName),
            ("straat", Entity::Address),
            ("Straße", Entity::Address),
            ("woonplaats", Entity::Address),
            ("Street Address", Entity::Address),
            ("geboortedatum", Entity::DateOfBirth),
            ("Date of Birth", Entity::DateOfBirth),
            ("opmerkingen", Entity::FreeText),
            ("notes", Entity::FreeText),
            ("e-mail", Entity::Email),
            ("emailadres", Entity::Email),
            ("telefoonnummer", Entity::Phone),
            ("kenteken", Entity::LicencePlate),
            ("IBAN", Entity::Iban),
            ("bsn", Entity::Bsn),
            ("postcode", Entity::Postcode),
        ] {
            assert_eq!(classify_header(header), Some(entity), "{header}");
        }
        for header in [
            "klantnummer",
            "bedrijfsnaam_id",
            "id",
            "aanmaakdatum",
            "bedrag",
            "merk",
            "model",
            "status",
            "productcode",
            "created_at",
            "first_registration",
            "email_sent_at",
            "registratiedatum",
            "product_name",
            "company name",
            "file_name",
            "productnaam",
        ] {
            assert_eq!(classify_header(header), None, "{header}");
        }
    }

    fn profile(text: &[u8], headers: &[&str], chunks: &[usize]) -> TableProfile {
        let key = FingerprintKey::from_secret(b"k", "test");
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let mut p = TableProfile::new(b';', &headers);
        let mut from = 0;
        for &to in chunks.iter().chain([&text.len()]) {
            p.walk(&text[from..to], &key);
            from = to;
        }
        p.finish(&key);
        p
    }

    #[test]
    fn counts_rows_and_non_empty_values_through_quotes() {
        let text = b"naam;notitie;email\nJan;\"zegt; hallo\nen meer\";jan@x.nl\n\nPiet;;\n;\"\";\nKees;x;k@y.nl";
        for cuts in [&[][..], &[20], &[25, 40]] {
            let p = profile(text, &["naam", "notitie", "email"], cuts);
            assert_eq!(p.rows(), 3, "cuts {cuts:?}");
            let counts: Vec<u64> = p.columns.iter().map(|c| c.non_empty).collect();
            assert_eq!(counts, vec![3, 2, 2], "cuts {cuts:?}");
        }
        let p = profile(text, &["naam", "notitie", "email"], &[]);
        let names = p.columns[0].header_values.as_ref().unwrap();
        assert_eq!(names.count, 3);
        assert_eq!(names.distinct.count(), 3);
        assert_eq!(names.samples[0], "J**");
        assert_eq!(p.columns[1].header_entity, Some(Entity::FreeText));
    }

    /// What a profile counted of each column's values: counts, distinct
    /// counts and samples.
    fn value_counts(p: &TableProfile) -> Vec<Option<(u64, u64, Vec<String>)>> {
        p.columns
            .iter()
            .map(|c| {
                c.header_values.as_ref().map(|v| {
                    let samples = v.samples.iter().map(|s| s.to_string()).collect();
                    (v.count, v.distinct.count(), samples)
                })
            })
            .collect()
    }

    #[test]
    fn a_value_cut_by_a_chunk_end_is_counted_as_one_read_whole() {
        // A chunk may end at a line end inside a quoted note, or anywhere in
        // a name; the cut value is counted and hashed all the same.
        let text = b"naam;notitie
Jan;\"belt terug\nover de lease\"\nPiet;\"kort\"\nKees;\"a\nb\nc\"\n";
        let headers = ["naam", "notitie"];
        let whole = profile(text, &headers, &[]);
        let notes = whole.columns[1].header_values.as_ref().unwrap();
        assert_eq!((notes.count, notes.distinct.count()), (3, 3));
        for cut in 1..text.len() {
            let p = profile(text, &headers, &[cut]);
            assert_eq!(value_counts(&p), value_counts(&whole), "cut at {cut}");
        }
        let p = profile(text, &headers, &[20, 24, 28, 50, 52, 54]);
        assert_eq!(value_counts(&p), value_counts(&whole));
    }

    #[test]
    fn ragged_rows_without_header_get_numbered_columns() {
        let p = profile(b"a;b\nc;d;e\n", &[], &[]);
        assert_eq!(p.rows(), 2);
        let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["column 1", "column 2", "column 3"]);
    }

    #[test]
    fn verdicts_weigh_header_and_values() {
        use crate::inventory::EntityMap;
        let mut values = EntityMap::new();
        *values.get_or_default(Entity::LicencePlate) = EntityStats {
            count: 10,
            confidence: Some(Confidence::High),
            ..Default::default()
        };
        let v = column_verdict(Some(Entity::LicencePlate), &values, Some(10)).unwrap();
        assert_eq!(v.evidence, Evidence::HeaderAndValues);
        let v = column_verdict(None, &values, Some(10)).unwrap();
        assert_eq!(
            (v.evidence, v.confidence),
            (Evidence::Values, Confidence::High)
        );
        let v = column_verdict(None, &values, Some(1000)).unwrap();
        assert_eq!(v.confidence, Confidence::Low);
        let v = column_verdict(Some(Entity::PersonName), &EntityMap::new(), Some(5)).unwrap();
        assert_eq!(
            (v.entity, v.evidence),
            (Entity::PersonName, Evidence::Header)
        );
        assert!(column_verdict(None, &EntityMap::new(), Some(5)).is_none());
    }
}
