//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`), read with calamine: each
//! sheet is a table whose first row is its header, reported as an inventory
//! entry of its own named `BOOK.xlsx!SHEET`.
//!
//! Each row is rendered as one line, its cells joined by `;`, and scanned
//! like a row of a CSV export of the sheet: a value's `field` is its
//! column's header (or `column N` when that header cell is empty), its
//! `line` is the spreadsheet row number and its `column` the character
//! position inside its cell. No rule pattern accepts `;`, so a value never
//! runs from one cell into the next, while a keyword earlier in the row
//! still gives context, as it would in the CSV.
//!
//! Memory: `.xlsx` sheets stream cell by cell; `.xls` and `.ods` sheets are
//! loaded whole by calamine. Zip-based workbooks are checked against the
//! archive limits by the sizes they declare before anything is unpacked, and
//! every rendered row counts against the same byte budget as archive members.

use crate::caught::{Panicked, caught};
use crate::columns::TableProfile;
use crate::container::{Budget, Container, MAX_IN_MEMORY, RATIO_GRACE, printable};
use crate::finding::Finding;
use crate::scan::Profiles;
use crate::scan::{FileOutcome, FileScanner, FileStatus, ScanSink, SkipReason};
use calamine::{Data, Reader};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

/// Joins the cells of a rendered row (see the module documentation).
const CELL_SEPARATOR: u8 = b';';

/// One sheet being scanned: its header and the row being rendered.
struct SheetScan {
    path: String,
    /// Column index -> header name, from the sheet's first row.
    header: Option<HashMap<u32, String>>,
    text: Vec<u8>,
    cells: Vec<(Range<usize>, String)>,
    outcome: FileOutcome,
    /// Rows and non-empty values per column, once the header row is read.
    profile: Option<TableProfile>,
}

impl SheetScan {
    fn new(book: &FileOutcome, sheet: &str) -> Self {
        let path = format!("{}!{}", book.path, printable(sheet));
        SheetScan {
            outcome: FileOutcome::start(path.clone(), 0, book.modified),
            path,
            header: None,
            text: Vec::new(),
            cells: Vec::new(),
            profile: None,
        }
    }

    fn field(&self, column: u32) -> String {
        self.header
            .as_ref()
            .and_then(|h| h.get(&column))
            .filter(|name| !name.trim().is_empty())
            .map(|name| name.trim().to_string())
            .unwrap_or_else(|| format!("column {}", column + 1))
    }

    /// Renders one row of (column index, value) cells.
    fn render(&mut self, row: &[(u32, String)]) {
        if self.header.is_none() {
            self.header = Some(row.iter().cloned().collect());
        }
        self.text.clear();
        self.cells.clear();
        for (column, value) in row {
            if !self.text.is_empty() {
                self.text.push(CELL_SEPARATOR);
            }
            let start = self.text.len();
            // Line ends inside a cell would throw the row's line number off.
            for c in value.chars() {
                let c = if c.is_control() { ' ' } else { c };
                let mut utf8 = [0u8; 4];
                self.text
                    .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
            let field = self.field(*column);
            self.cells.push((start..self.text.len(), field));
        }
    }
}

/// A cell's value as the text a user sees (dates as ISO dates), or `None`
/// for an empty or error cell.
fn render_value(value: &Data) -> Option<String> {
    let text = match value {
        Data::Empty | Data::Error(_) => return None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Integral floats print without `.0`: a phone number typed as a
        // number reads 612345678.
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// Checks a zip-based workbook against the limits by the sizes it declares,
/// before calamine unpacks anything.
fn check_declared_sizes<R: Read + Seek>(
    reader: &mut R,
    budget: &Budget,
) -> Result<(), (SkipReason, String)> {
    let archive = zip::ZipArchive::new(&mut *reader)
        .map_err(|e| (SkipReason::Corrupt, format!("not a readable workbook: {e}")))?;
    let (mut unpacked, mut packed) = (0u64, 0u64);
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_data(i) {
            unpacked = unpacked.saturating_add(entry.size());
            packed = packed.saturating_add(entry.compressed_size());
        }
    }
    if unpacked > budget.remaining() {
        return Err((
            SkipReason::LimitHit,
            format!(
                "workbook unpacks to {unpacked} bytes, over the {} left of --max-archive-bytes (limits.max_archive_bytes)",
                budget.remaining()
            ),
        ));
    }
    let ratio = budget.limits.max_ratio;
    if unpacked > RATIO_GRACE && unpacked > packed.saturating_mul(ratio) {
        return Err((
            SkipReason::LimitHit,
            format!(
                "compression ratio over {ratio}:1 ({unpacked} bytes from {packed}) (--max-archive-ratio, limits.max_archive_ratio)"
            ),
        ));
    }
    Ok(())
}

impl FileScanner<'_> {
    /// Scans every sheet of a workbook; `book` is the workbook's outcome.
    pub(crate) fn scan_workbook<R: Read + Seek>(
        &mut self,
        kind: Container,
        reader: &mut R,
        book: &mut FileOutcome,
        budget: &Budget,
        sink: &mut dyn ScanSink,
        progress: &dyn Fn(u64),
    ) {
        let fail = |book: &mut FileOutcome, reason, detail| {
            book.status = FileStatus::Skipped { reason, detail };
        };
        let checked = match kind {
            Container::Xlsx | Container::Ods => check_declared_sizes(reader, budget),
            // An .xls is read into memory whole.
            _ => match reader.seek(SeekFrom::End(0)) {
                Ok(len) if len > MAX_IN_MEMORY => Err((
                    SkipReason::LimitHit,
                    format!(
                        "workbook of {len} bytes is over the {MAX_IN_MEMORY} bytes opened in memory"
                    ),
                )),
                Ok(_) => Ok(()),
                Err(e) => Err((SkipReason::Unreadable, e.to_string())),
            },
        };
        if let Err((reason, detail)) = checked {
            fail(book, reason, detail);
            return;
        }
        if let Err(e) = reader.rewind() {
            fail(book, SkipReason::Unreadable, e.to_string());
            return;
        }
        match kind {
            Container::Xlsx => {
                let mut workbook: calamine::Xlsx<_> = match caught(|| calamine::Xlsx::new(reader)) {
                    Ok(Ok(w)) => w,
                    Ok(Err(e)) => {
                        let detail = format!("not a readable xlsx workbook: {e}");
                        fail(book, SkipReason::Corrupt, detail);
                        return;
                    }
                    Err(Panicked) => {
                        fail(book, SkipReason::Corrupt, reader_fault("xlsx"));
                        return;
                    }
                };
                for name in workbook.sheet_names() {
                    let mut sheet = SheetScan::new(book, &name);
                    match caught(|| workbook.worksheet_cells_reader(&name)) {
                        Err(Panicked) => sheet_error(&mut sheet.outcome, reader_fault("xlsx")),
                        Ok(Err(e)) => sheet_error(&mut sheet.outcome, e.to_string()),
                        Ok(Ok(mut cells)) => {
                            let mut row: Vec<(u32, String)> = Vec::new();
                            let mut row_number = 0u32;
                            loop {
                                let next = match caught(|| cells.next_cell()) {
                                    Ok(next) => next,
                                    Err(Panicked) => {
                                        sheet_error(&mut sheet.outcome, reader_fault("xlsx"));
                                        break;
                                    }
                                };
                                match next {
                                    Ok(Some(cell)) => {
                                        let (r, c) = cell.get_position();
                                        if r != row_number && !row.is_empty() {
                                            if !self.scan_sheet_row(
                                                &mut sheet, row_number, &row, budget, sink,
                                                progress,
                                            ) {
                                                break;
                                            }
                                            row.clear();
                                        }
                                        row_number = r;
                                        let value = Data::from(cell.get_value().clone());
                                        if let Some(text) = render_value(&value) {
                                            row.push((c, text));
                                        }
                                    }
                                    Ok(None) => {
                                        if !row.is_empty() {
                                            self.scan_sheet_row(
                                                &mut sheet, row_number, &row, budget, sink,
                                                progress,
                                            );
                                        }
                                        break;
                                    }
                                    Err(e) => {
                                        sheet_error(&mut sheet.outcome, e.to_string());
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    if !self.finish_sheet(sheet, book, budget, sink) {
                        return;
                    }
                }
            }
            Container::Xls => match caught(|| calamine::Xls::new(reader)) {
                Ok(Ok(mut workbook)) => {
                    self.scan_loaded_sheets(&mut workbook, "xls", book, budget, sink, progress)
                }
                Ok(Err(e)) => fail(
                    book,
                    SkipReason::Corrupt,
                    format!("not a readable xls workbook: {e}"),
                ),
                Err(Panicked) => fail(book, SkipReason::Corrupt, reader_fault("xls")),
            },
            Container::Ods => match caught(|| calamine::Ods::new(reader)) {
                Ok(Ok(mut workbook)) => {
                    self.scan_loaded_sheets(&mut workbook, "ods", book, budget, sink, progress)
                }
                Ok(Err(e)) => fail(
                    book,
                    SkipReason::Corrupt,
                    format!("not a readable ods workbook: {e}"),
                ),
                Err(Panicked) => fail(book, SkipReason::Corrupt, reader_fault("ods")),
            },
            Container::Gzip
            | Container::TarGz
            | Container::Tar
            | Container::Zip
            | Container::Document(_)
            | Container::Mail
            | Container::Mbox
            | Container::OutlookMsg
            | Container::Pdf
            | Container::Rtf => {
                unreachable!("only workbooks are opened here")
            }
        }
    }

    /// Scans the sheets of a workbook whose reader loads each sheet whole.
    fn scan_loaded_sheets<RS: Read + Seek, W: Reader<RS>>(
        &mut self,
        workbook: &mut W,
        kind: &str,
        book: &mut FileOutcome,
        budget: &Budget,
        sink: &mut dyn ScanSink,
        progress: &dyn Fn(u64),
    ) where
        W::Error: std::fmt::Display,
    {
        for name in workbook.sheet_names() {
            let mut sheet = SheetScan::new(book, &name);
            match caught(|| workbook.worksheet_range(&name)) {
                Err(Panicked) => sheet_error(&mut sheet.outcome, reader_fault(kind)),
                Ok(Err(e)) => sheet_error(&mut sheet.outcome, e.to_string()),
                Ok(Ok(range)) => {
                    let (top, left) = range.start().unwrap_or((0, 0));
                    for (i, cells) in range.rows().enumerate() {
                        let row: Vec<(u32, String)> = cells
                            .iter()
                            .enumerate()
                            .filter_map(|(j, v)| Some((left + j as u32, render_value(v)?)))
                            .collect();
                        if !row.is_empty()
                            && !self.scan_sheet_row(
                                &mut sheet,
                                top + i as u32,
                                &row,
                                budget,
                                sink,
                                progress,
                            )
                        {
                            break;
                        }
                    }
                }
            }
            if !self.finish_sheet(sheet, book, budget, sink) {
                return;
            }
        }
    }

    /// Scans one row (0-based `row`); false when the byte budget stopped it.
    fn scan_sheet_row(
        &mut self,
        sheet: &mut SheetScan,
        row: u32,
        cells: &[(u32, String)],
        budget: &Budget,
        sink: &mut dyn ScanSink,
        progress: &dyn Fn(u64),
    ) -> bool {
        sheet.render(cells);
        match sheet.profile.as_mut() {
            Some(profile) => profile.add_cells(
                cells.iter().map(|(c, v)| (*c as usize, v.as_str())),
                self.key(),
            ),
            None => {
                let width = cells
                    .iter()
                    .map(|(c, _)| *c as usize + 1)
                    .max()
                    .unwrap_or(0);
                let headers: Vec<String> = (0..width).map(|c| sheet.field(c as u32)).collect();
                sheet.profile = Some(TableProfile::for_cells(&headers));
            }
        }
        let len = sheet.text.len() as u64 + 1;
        if let Err(limit) = budget.charge(len) {
            sheet.outcome.status = FileStatus::Partial {
                reason: SkipReason::LimitHit,
                detail: limit.to_string(),
            };
            return false;
        }
        progress(len);
        sheet.outcome.size += len;
        sheet.outcome.bytes_scanned += len;
        self.scan_row(
            &sheet.text,
            u64::from(row) + 1,
            &sheet.cells,
            &sheet.path,
            &mut |f: &mut Finding| sink.finding(f),
        );
        true
    }

    /// Reports a finished sheet; false when the workbook must stop.
    fn finish_sheet(
        &mut self,
        sheet: SheetScan,
        book: &mut FileOutcome,
        budget: &Budget,
        sink: &mut dyn ScanSink,
    ) -> bool {
        let profiles = Profiles {
            table: sheet.profile.map(|mut profile| {
                profile.forget_counted_values();
                profile
            }),
            ..Profiles::default()
        };
        sink.entry(sheet.outcome, profiles);
        if budget.is_exhausted() {
            if matches!(book.status, FileStatus::Complete) {
                book.status = FileStatus::Partial {
                    reason: SkipReason::LimitHit,
                    detail: "the byte budget ran out before the last sheet (--max-archive-bytes, limits.max_archive_bytes)"
                        .into(),
                };
            }
            return false;
        }
        true
    }
}

fn sheet_error(outcome: &mut FileOutcome, detail: String) {
    let reason = SkipReason::Corrupt;
    let detail = format!("cannot read the sheet: {detail}");
    outcome.status = if outcome.bytes_scanned == 0 {
        FileStatus::Skipped { reason, detail }
    } else {
        FileStatus::Partial { reason, detail }
    };
}

/// Why a workbook's reader stopped when it failed on the file's bytes.
fn reader_fault(kind: &str) -> String {
    format!("a damaged {kind} workbook: its reader failed on it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_as_a_user_sees_them() {
        assert_eq!(
            render_value(&Data::Float(612345678.0)).as_deref(),
            Some("612345678")
        );
        assert_eq!(render_value(&Data::Int(42)).as_deref(), Some("42"));
        assert_eq!(render_value(&Data::String(String::new())), None);
        assert_eq!(render_value(&Data::Empty), None);
        let date =
            calamine::ExcelDateTime::new(31_121.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            render_value(&Data::DateTime(date)).as_deref(),
            Some("1985-03-15")
        );
    }

    #[test]
    fn rows_render_with_fields_from_the_header() {
        let book = FileOutcome::start("b.xlsx".into(), 0, None);
        let mut sheet = SheetScan::new(&book, "Klanten");
        assert_eq!(sheet.path, "b.xlsx!Klanten");
        sheet.render(&[(0, "naam".into()), (2, "email".into())]);
        sheet.render(&[
            (0, "Jan\nJansen".into()),
            (1, "x".into()),
            (2, "j@x.nl".into()),
        ]);
        assert_eq!(sheet.text, b"Jan Jansen;x;j@x.nl");
        let fields: Vec<&str> = sheet.cells.iter().map(|(_, f)| f.as_str()).collect();
        assert_eq!(fields, ["naam", "column 2", "email"]);
        assert_eq!(sheet.cells[2].0, 13..19);
    }
}
