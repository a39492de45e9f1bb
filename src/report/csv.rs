//! `--format csv`: one row per finding, for spreadsheets.

use super::{RenderOptions, Report};
use crate::finding::Finding;
use crate::inventory::Inventory;
use std::io::Write;

pub struct CsvReport {
    options: RenderOptions,
}

impl CsvReport {
    pub fn new(options: RenderOptions) -> Self {
        CsvReport { options }
    }
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

fn write_row(out: &mut dyn Write, fields: &[&str]) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(fields).map_err(std::io::Error::other)?;
    w.flush()
}

impl Report for CsvReport {
    fn begin(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut header: Vec<&str> = HEADER.to_vec();
        if self.options.reveal {
            header.push("value");
        }
        write_row(out, &header)
    }

    fn finding(&mut self, out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
        let line = f.line.to_string();
        let column = f.column.to_string();
        let mut row = vec![
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
        if self.options.reveal {
            row.push(&f.value);
        }
        write_row(out, &row)
    }

    fn end(&mut self, _out: &mut dyn Write, _inventory: &Inventory) -> std::io::Result<()> {
        Ok(())
    }
}
