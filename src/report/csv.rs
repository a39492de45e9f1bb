//! `--format csv`: one row per finding, for spreadsheets.

use super::{RenderOptions, Report};
use crate::finding::Finding;
use crate::inventory::Inventory;
use arrayvec::ArrayString;
use std::fmt::Write as _;
use std::io::Write;

/// Rows gathered before they are handed to the output: one CSV writer for
/// the whole report, not one (with its own buffer) per row.
const ROWS_BUFFERED: usize = 64 * 1024;

pub struct CsvReport {
    options: RenderOptions,
    rows: Option<csv::Writer<Vec<u8>>>,
}

impl CsvReport {
    pub fn new(options: RenderOptions) -> Self {
        CsvReport {
            options,
            rows: None,
        }
    }

    fn write_row<'a>(
        &mut self,
        out: &mut dyn Write,
        fields: impl IntoIterator<Item = &'a str>,
    ) -> std::io::Result<()> {
        let rows = self
            .rows
            .get_or_insert_with(|| writer_over(Vec::with_capacity(ROWS_BUFFERED + 4096)));
        rows.write_record(fields).map_err(std::io::Error::other)?;
        if rows.get_ref().len() >= ROWS_BUFFERED {
            self.hand_over(out)?;
        }
        Ok(())
    }

    /// Writes the rows gathered so far to `out`.
    fn hand_over(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(rows) = self.rows.take() else {
            return Ok(());
        };
        let mut bytes = rows
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        out.write_all(&bytes)?;
        bytes.clear();
        self.rows = Some(writer_over(bytes));
        Ok(())
    }
}

/// The report's CSV writer, gathering rows in `bytes`.
fn writer_over(bytes: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(bytes)
}

const HEADER: [&str; 10] = [
    "entity",
    "rule",
    "category",
    "path",
    "line",
    "column",
    "field",
    "confidence",
    "masked",
    "fingerprint",
];

impl Report for CsvReport {
    fn begin(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let reveal = self.options.reveal.then_some("value");
        self.write_row(out, HEADER.into_iter().chain(reveal))
    }

    fn finding(&mut self, out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
        let (mut line, mut column) = (ArrayString::<20>::new(), ArrayString::<20>::new());
        // Twenty digits hold any u64.
        let _ = write!(line, "{}", f.line);
        let _ = write!(column, "{}", f.column);
        let row = [
            f.entity.as_str(),
            &f.rule,
            f.category.as_str(),
            &f.path,
            &line,
            &column,
            f.field.as_deref().unwrap_or(""),
            f.confidence.as_str(),
            &f.masked,
            &f.fingerprint,
        ];
        let value = self.options.reveal.then_some(f.value.as_str());
        self.write_row(out, row.into_iter().chain(value))
    }

    fn end(&mut self, out: &mut dyn Write, _inventory: &Inventory) -> std::io::Result<()> {
        self.hand_over(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Confidence, Entity};
    use crate::inventory::FileKeeping;

    fn finding(n: u64) -> Finding {
        Finding {
            entity: Entity::Email,
            rule: "email".into(),
            category: Category::Contact,
            path: format!("exports/\"klanten\", {n}.csv").into(),
            line: n,
            column: n * 7,
            field: n.is_multiple_of(2).then(|| "e-mail\nadres".to_string()),
            confidence: Confidence::High,
            masked: "j***@d***.nl".into(),
            fingerprint: format!("{n:032x}"),
            fingerprint_bits: n,
            value: format!("jan{n}@dealer.nl"),
        }
    }

    #[test]
    fn rows_handed_over_in_pieces_read_back_whole() {
        let count = 3_000u64;
        for reveal in [false, true] {
            let mut report = CsvReport::new(RenderOptions {
                reveal,
                ..RenderOptions::default()
            });
            let mut out = Vec::new();
            report.begin(&mut out).unwrap();
            let mut handed_over_before_the_end = false;
            for n in 1..=count {
                report.finding(&mut out, &finding(n)).unwrap();
                handed_over_before_the_end |= !out.is_empty();
            }
            assert!(handed_over_before_the_end, "{} bytes", out.len());
            let inventory = Inventory::keeping(Vec::new(), String::new(), 0, FileKeeping::Nothing);
            report.end(&mut out, &inventory).unwrap();

            let mut reader = csv::Reader::from_reader(out.as_slice());
            let headers = reader.headers().unwrap().clone();
            assert_eq!(headers.len(), 10 + usize::from(reveal));
            assert_eq!(headers.iter().any(|h| h == "value"), reveal);
            let rows: Vec<_> = reader.records().map(|r| r.unwrap()).collect();
            assert_eq!(rows.len() as u64, count);
            for (n, row) in (1..=count).zip(&rows) {
                let f = finding(n);
                assert_eq!(&row[3], &*f.path);
                assert_eq!(row[4].parse::<u64>().unwrap(), n);
                assert_eq!(row[5].parse::<u64>().unwrap(), n * 7);
                assert_eq!(&row[6], f.field.as_deref().unwrap_or(""));
                assert_eq!(row.get(10), reveal.then_some(f.value.as_str()));
            }
        }
    }
}
