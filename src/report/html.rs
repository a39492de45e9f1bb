//! `--format html`: the data map as one self-contained page for a privacy
//! officer: totals, charts of personal data per top-level directory and per
//! entity (static SVG), a table of files and columns with their entities,
//! counts, distinct counts and ages, locations past their retention policy
//! highlighted, and what could not be scanned and why. No network: the CSS
//! and the small script (table filter) are inline. Values appear masked.

use super::spill::Spill;
use super::{Report, age_days, rfc3339};
use crate::inventory::{EntrySink, FileEntry, Inventory};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1d2733;background:#fafbfc}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.3rem}
.meta{color:#57606a;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:.8rem 1.1rem;min-width:9rem}
.card .n{font-size:1.6rem;font-weight:600}.card .l{color:#57606a;font-size:.85rem}
.card.warn{border-color:#d4a72c;background:#fff8e5}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem}
th,td{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.overdue td{background:#ffebe9}
.tag{display:inline-block;border-radius:4px;padding:0 .35rem;font-size:.8rem;background:#ddf4ff;color:#0a3069}
.tag.overdue{background:#ffcecb;color:#82071e}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.chart{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:.8rem}
input[type=search]{padding:.35rem .5rem;width:22rem;max-width:100%;margin:.5rem 0}
.note{color:#57606a;font-size:.85rem}
"#;

const SCRIPT: &str = r#"
(function(){
  var box=document.getElementById('filter');
  var rows=document.querySelectorAll('#locations tbody tr');
  box.addEventListener('input',function(){
    var q=box.value.toLowerCase();
    rows.forEach(function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});
  });
  document.body.setAttribute('data-ready','yes');
})();
"#;

/// A horizontal bar chart as inline SVG.
fn bar_chart(title: &str, bars: &[(String, u64)]) -> String {
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let row = 22;
    let label_width = 260;
    let bar_width = 320;
    let height = row * bars.len().max(1) + 30;
    let mut svg = format!(
        r#"<div class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{}" height="{height}" aria-label="{}"><title>{}</title><text x="0" y="14" font-size="13" font-weight="600">{}</text>"#,
        label_width + bar_width + 70,
        escape(title),
        escape(title),
        escape(title)
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = 28 + i * row;
        let w = (*n as f64 / max as f64 * bar_width as f64).round().max(1.0);
        let shown = if label.chars().count() > 38 {
            format!(
                "…{}",
                label
                    .chars()
                    .rev()
                    .take(37)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<String>()
            )
        } else {
            label.clone()
        };
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text><rect x="{}" y="{}" width="{w}" height="14" fill="#3d8bd9"><title>{}: {n}</title></rect><text x="{}" y="{}" font-size="12">{n}</text>"##,
            label_width - 6,
            y + 11,
            escape(&shown),
            label_width,
            y,
            escape(label),
            label_width as f64 + w + 5.0,
            y + 11
        );
    }
    svg.push_str("</svg></div>");
    svg
}

/// The directory a file is counted under: the root and its first level.
fn top_directory(roots: &[String], path: &str) -> String {
    let outer = path.split('!').next().unwrap_or(path);
    let root = roots
        .iter()
        .filter(|r| {
            let r = r.trim_end_matches('/');
            r == "." || outer == r || outer.starts_with(&format!("{r}/"))
        })
        .max_by_key(|r| r.len());
    let rest = match root {
        Some(r) if r.as_str() != "." => {
            outer[r.trim_end_matches('/').len()..].trim_start_matches('/')
        }
        _ => outer,
    };
    let prefix = match root {
        Some(r) if r.as_str() != "." => format!("{}/", r.trim_end_matches('/')),
        _ => String::new(),
    };
    match rest.split_once('/') {
        Some((first, _)) => format!("{prefix}{first}/"),
        None => format!("{prefix}(files)"),
    }
}

fn card(out: &mut String, n: &str, label: &str, warn: bool) {
    let class = if warn { "card warn" } else { "card" };
    let _ = write!(
        out,
        r#"<div class="{class}"><div class="n">{}</div><div class="l">{}</div></div>"#,
        escape(n),
        escape(label)
    );
}

/// What the page needs of every file besides its rows: how many hold
/// personal data, and the chart of personal values per top directory.
#[derive(Debug, Default)]
struct PageTally {
    files_with: u64,
    by_dir: BTreeMap<String, u64>,
}

impl PageTally {
    fn add(&mut self, roots: &[String], path: &str, entry: &FileEntry) {
        if entry.holds_personal_data() {
            self.files_with += 1;
        }
        let n = entry.findings()
            + entry
                .field_summaries()
                .iter()
                .filter_map(|f| f.header_values.map(|v| v.count))
                .sum::<u64>();
        if n > 0 {
            *self.by_dir.entry(top_directory(roots, path)).or_default() += n;
        }
    }
}

/// The page's rows and tally, taken file by file as the scan finishes
/// each (see [`crate::inventory::FileKeeping::Streamed`]): the rows are
/// written to an unnamed temporary file, so memory does not grow with the
/// number of files. With a retention policy, each file is judged as it
/// comes (see [`Inventory::judge_retention`]) and its rows show it.
#[derive(Debug)]
pub struct HtmlEntries {
    rows: Spill,
    roots: Vec<String>,
    tally: PageTally,
}

impl HtmlEntries {
    /// `roots` as the inventory names them (see [`crate::walk::display_path`]).
    pub fn new(roots: Vec<String>, now: SystemTime) -> std::io::Result<HtmlEntries> {
        Ok(HtmlEntries {
            rows: Spill::new(now, spilled_rows)?,
            roots,
            tally: PageTally::default(),
        })
    }
}

impl EntrySink for HtmlEntries {
    fn entry(
        &mut self,
        path: &str,
        entry: &FileEntry,
        overdue: Option<&[crate::retention::Overdue]>,
    ) {
        self.tally.add(&self.roots, path, entry);
        self.rows.entry(path, entry, overdue);
    }
}

fn spilled_rows(
    path: &str,
    entry: &FileEntry,
    overdue: Option<&[crate::retention::Overdue]>,
    now: SystemTime,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let mut rows = String::new();
    file_rows(path, entry, now, overdue.unwrap_or(&[]), &mut rows);
    out.extend_from_slice(rows.as_bytes());
    Ok(())
}

/// The page before the rows of the files table, and after them.
fn page(inv: &Inventory, tally: &PageTally) -> (String, String) {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(
        html,
        "<title>piiscan data map: {}</title><style>{STYLE}</style></head><body>",
        escape(&inv.roots.join(", "))
    );
    let _ = write!(
        html,
        r#"<h1>Personal data map</h1><p class="meta">{} scanned {} &middot; piiscan {} &middot; {} rules &middot; fingerprint key id {} &middot; values are masked</p>"#,
        escape(&inv.roots.join(", ")),
        escape(&rfc3339(inv.started_at)),
        env!("CARGO_PKG_VERSION"),
        inv.rules,
        escape(&inv.key_id)
    );

    // Totals.
    let files_with = tally.files_with;
    html.push_str(r#"<h2 id="totals">Totals</h2><div class="cards">"#);
    card(
        &mut html,
        &inv.total_findings().to_string(),
        "findings",
        false,
    );
    card(
        &mut html,
        &files_with.to_string(),
        "files and sheets with personal data",
        false,
    );
    card(
        &mut html,
        &inv.files_scanned.to_string(),
        "files scanned",
        false,
    );
    let bytes = inv.bytes_scanned as f64;
    let size = if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.1} KB", bytes / 1e3)
    };
    card(&mut html, &size, "scanned", false);
    card(
        &mut html,
        &inv.skipped_count().to_string(),
        "not fully scanned",
        !inv.skipped.is_empty(),
    );
    if let Some(overdue) = &inv.overdue {
        card(
            &mut html,
            &overdue.len().to_string(),
            "locations past their retention policy",
            !overdue.is_empty(),
        );
    }
    html.push_str("</div>");

    // Per entity.
    html.push_str(r#"<table id="entities"><thead><tr><th>entity</th><th>findings</th><th>distinct</th><th>files</th><th>confidence</th><th>samples (masked)</th></tr></thead><tbody>"#);
    for (entity, s) in &inv.totals {
        let approx = if s.distinct.is_exact() { "" } else { "~" };
        let _ = write!(
            html,
            r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{approx}{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
            entity.as_str(),
            s.count,
            s.distinct.count(),
            s.files,
            s.confidence.map(|c| c.as_str()).unwrap_or("-"),
            escape(&s.samples.join(" · "))
        );
    }
    html.push_str("</tbody></table>");

    // Charts.
    let mut dirs: Vec<(String, u64)> = tally.by_dir.iter().map(|(d, n)| (d.clone(), *n)).collect();
    dirs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    dirs.truncate(20);
    let entities: Vec<(String, u64)> = inv
        .totals
        .iter()
        .map(|(e, s)| (e.as_str().to_string(), s.count))
        .collect();
    html.push_str(r#"<h2 id="charts">Where it lives</h2><div class="charts">"#);
    html.push_str(&bar_chart("Personal values per top-level directory", &dirs));
    html.push_str(&bar_chart("Findings per entity", &entities));
    html.push_str("</div><p class=\"note\">Per directory: findings plus values in columns known by their header (names, addresses, notes).</p>");

    // Files and columns.
    html.push_str(r#"<h2 id="locations-title">Files and columns</h2><input type="search" id="filter" placeholder="Filter by path, column or entity"><table id="locations"><thead><tr><th>file</th><th>column / field</th><th>entity</th><th>evidence</th><th>count</th><th>share</th><th>distinct</th><th>samples (masked)</th><th>age (days)</th><th>records</th><th>retention</th></tr></thead><tbody>"#);
    let head = std::mem::take(&mut html);
    html.push_str("</tbody></table>");

    // Not scanned.
    let _ = write!(
        html,
        r#"<h2 id="skipped">Not fully scanned ({})</h2>"#,
        inv.skipped.len()
    );
    if inv.skipped.is_empty() {
        html.push_str("<p>Every file was scanned to the end.</p>");
    } else {
        html.push_str("<table><thead><tr><th>path</th><th>reason</th><th>detail</th><th>partly scanned</th></tr></thead><tbody>");
        for s in &inv.skipped {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.path),
                s.reason.as_str(),
                escape(&s.detail),
                if s.partial { "yes" } else { "no" }
            );
        }
        html.push_str("</tbody></table>");
    }
    let _ = writeln!(html, "<script>{SCRIPT}</script></body></html>");
    (head, html)
}

/// The rows of the files table for one file.
fn file_rows(
    path: &str,
    entry: &FileEntry,
    now: SystemTime,
    overdue: &[crate::retention::Overdue],
    out: &mut String,
) {
    let age = entry
        .modified
        .map(|m| age_days(m, now).to_string())
        .unwrap_or_default();
    let dated = match entry.dated {
        crate::scan::Dated::Modified => "",
        crate::scan::Dated::Message => r#" title="since the e-mail message was written""#,
    };
    let records = entry
        .record_dates()
        .map(|(d, column)| {
            format!(
                "{} to {} ({column})",
                d.oldest.map(crate::columns::format_day).unwrap_or_default(),
                d.newest.map(crate::columns::format_day).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    for row in entry.location_rows() {
        let (field, evidence, share) = match &row.field {
            Some(f) => (
                f.name,
                f.verdict
                    .filter(|v| v.entity == row.entity)
                    .map(|v| v.evidence.as_str().replace('_', " "))
                    .unwrap_or_else(|| row.source.to_string()),
                f.share(row.count)
                    .map(|x| format!("{:.0}%", x * 100.0))
                    .unwrap_or_default(),
            ),
            None => ("", row.source.to_string(), String::new()),
        };
        let (entity, count, s) = (row.entity, row.count, row.stats);
        let approx = if s.distinct.is_exact() { "" } else { "~" };
        let distinct = format!("{approx}{}", s.distinct.count());
        let samples = s.samples.join(" · ");
        let late = overdue
            .iter()
            .find(|o| o.path == path && o.entity == entity);
        let (class, retention) = match late {
            Some(o) => (
                " class=\"overdue\"",
                format!(
                    r#"<span class="tag overdue">overdue</span> {}: {}"#,
                    escape(&o.policy),
                    escape(&o.evidence)
                ),
            ),
            None => ("", String::new()),
        };
        let _ = write!(
            out,
            r#"<tr{class}><td>{}</td><td>{}</td><td><span class="tag">{}</span></td><td>{}</td><td class="num">{count}</td><td class="num">{share}</td><td class="num">{}</td><td>{}</td><td class="num"{dated}>{age}</td><td>{}</td><td>{retention}</td></tr>"#,
            escape(path),
            escape(field),
            entity.as_str(),
            escape(&evidence),
            escape(&distinct),
            escape(&samples),
            escape(&records)
        );
    }
}

/// The whole page of an inventory that kept every file's entry.
pub fn render(inv: &Inventory) -> String {
    let now = SystemTime::now();
    let mut tally = PageTally::default();
    for (path, entry) in &inv.files {
        tally.add(&inv.roots, path, entry);
    }
    let (mut html, tail) = page(inv, &tally);
    for (path, entry) in &inv.files {
        let overdue = inv.overdue.as_ref().map(|all| all.of_file(path));
        file_rows(
            path,
            entry,
            now,
            overdue.as_deref().unwrap_or(&[]),
            &mut html,
        );
    }
    html.push_str(&tail);
    html
}

#[derive(Default)]
pub struct HtmlReport {
    /// Set when the inventory streamed its entries here.
    pub entries: Option<Arc<Mutex<HtmlEntries>>>,
}

impl Report for HtmlReport {
    fn end(&mut self, out: &mut dyn Write, inventory: &Inventory) -> std::io::Result<()> {
        let Some(entries) = &self.entries else {
            return out.write_all(render(inventory).as_bytes());
        };
        let mut entries = entries
            .lock()
            .map_err(|_| std::io::Error::other("a scanning thread panicked"))?;
        entries.rows.finish()?;
        let (head, tail) = page(inventory, &entries.tally);
        out.write_all(head.as_bytes())?;
        entries
            .rows
            .for_each_in_order(&mut |_, rows| out.write_all(rows))?;
        out.write_all(tail.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_written_out_during_the_scan_make_the_same_page() {
        use crate::inventory::FileKeeping;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        crate::report::assert_streamed_writes_what_kept_writes(
            &|| Box::new(HtmlReport::default()),
            &|_| {
                let roots = vec![crate::walk::display_path(&root)];
                let entries = HtmlEntries::new(roots, SystemTime::now()).unwrap();
                let entries = Arc::new(Mutex::new(entries));
                let report = HtmlReport {
                    entries: Some(entries.clone()),
                };
                (FileKeeping::Streamed(entries), Box::new(report))
            },
            &|kept, retention| {
                assert!(kept.matches("<tr>").count() > 30, "{kept}");
                assert_eq!(kept.contains("class=\"overdue\""), retention);
            },
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn top_directories_are_under_the_root() {
        let roots = vec!["fixtures".to_string()];
        assert_eq!(
            top_directory(&roots, "fixtures/exports/crm/a.csv"),
            "fixtures/exports/"
        );
        assert_eq!(top_directory(&roots, "fixtures/a.csv"), "fixtures/(files)");
        let dot = vec![".".to_string()];
        assert_eq!(top_directory(&dot, "exports/a.zip!/b.txt"), "exports/");
    }
}
