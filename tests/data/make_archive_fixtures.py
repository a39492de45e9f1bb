#!/usr/bin/env python3
"""Builds the compressed, archived and spreadsheet fixtures under
fixtures/exports/archive/ from slices of the plain fixtures, and rewrites
their lines in tests/data/fixture_truth.jsonl from the plain files' truth.

Run from the crate root: python3 tests/data/make_archive_fixtures.py
The output is deterministic (fixed timestamps, no owner names), so running
it again changes nothing unless the sources changed.

Archive members keep the line numbers of their source slice, so their truth
is the source's truth with the path changed. A spreadsheet row N holds CSV
line N, so the same holds for its sheets.
"""

import gzip
import io
import json
import os
import tarfile
import zipfile
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = "fixtures/exports/archive"
TRUTH = "tests/data/fixture_truth.jsonl"
# 2023-06-30 12:00:00 UTC, as a zip time tuple and as a Unix time.
ZIP_TIME = (2023, 6, 30, 12, 0, 0)
UNIX_TIME = 1688126400


def read_lines(path, count=None):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    return lines if count is None else lines[:count]


def load_truth():
    with open(os.path.join(ROOT, TRUTH), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def truth_for(truth, source, new_path, lines):
    """The source's truth entries on `lines` (a set), moved to `new_path`."""
    out = []
    for t in truth:
        if t["path"] == source and t["line"] in lines:
            moved = dict(t)
            moved["path"] = new_path
            out.append(moved)
    return out


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def gzip_bytes(data):
    return gzip.compress(data, mtime=UNIX_TIME)


def tar_gz_bytes(members):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = UNIX_TIME
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return gzip_bytes(raw.getvalue())


def column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def sheet_xml(rows, numeric_columns):
    """A worksheet: every cell an inline string, except the columns named in
    `numeric_columns`, written as numbers the way Excel stores them."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    header = rows[0]
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, value in enumerate(row):
            if value == "":
                continue
            ref = f"{column_letter(c)}{r}"
            if r > 1 and header[c] in numeric_columns and value.isdigit():
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def xlsx_bytes(sheets):
    """A minimal .xlsx workbook: `sheets` is a list of (name, rows, numeric columns)."""
    ns = "http://schemas.openxmlformats.org/"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{ns}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{ns}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _, _) in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{ns}package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    members = [
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", root_rels.encode()),
        ("xl/workbook.xml", workbook.encode()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
    ]
    for i, (_, rows, numeric) in enumerate(sheets, start=1):
        members.append((f"xl/worksheets/sheet{i}.xml", sheet_xml(rows, numeric)))
    return zip_bytes(members)


def csv_rows(lines, delimiter):
    return [l.rstrip("\r\n").split(delimiter) for l in lines]


def main():
    os.chdir(ROOT)
    os.makedirs(OUT, exist_ok=True)
    truth = [t for t in load_truth() if not t["path"].startswith(OUT + "/")]
    source_truth = list(truth)
    new_truth = []

    def add(source, new_path, count):
        new_truth.extend(truth_for(source_truth, source, new_path, set(range(1, count + 1))))

    # A zip of one mail and a CSV slice.
    mail_src = "fixtures/exports/mail/bericht_0001.txt"
    csv_src = "fixtures/exports/crm/klanten.csv"
    mail = "".join(read_lines(mail_src)).encode()
    klanten = read_lines(csv_src, 6)
    path = f"{OUT}/mail_2023.zip"
    with open(path, "wb") as f:
        f.write(zip_bytes([("bericht_0001.txt", mail), ("export/klanten_2023.csv", "".join(klanten).encode())]))
    add(mail_src, f"{path}!/bericht_0001.txt", len(read_lines(mail_src)))
    add(csv_src, f"{path}!/export/klanten_2023.csv", 6)

    # A gzip log.
    log_src = "fixtures/logs/app.log"
    log = read_lines(log_src, 20)
    path = f"{OUT}/app_2023.log.gz"
    with open(path, "wb") as f:
        f.write(gzip_bytes("".join(log).encode()))
    add(log_src, f"{path}!/app_2023.log", 20)

    # A tar.gz of workshop notes and a vehicle table.
    notes_src = "fixtures/exports/werkplaats/notities_2024.txt"
    vehicles_src = "fixtures/exports/crm/vehicles.csv"
    notes = read_lines(notes_src, 14)
    vehicles = read_lines(vehicles_src, 6)
    path = f"{OUT}/werkplaats_2022.tar.gz"
    with open(path, "wb") as f:
        f.write(tar_gz_bytes([
            ("werkplaats/notities.txt", "".join(notes).encode()),
            ("werkplaats/voertuigen.csv", "".join(vehicles).encode()),
        ]))
    add(notes_src, f"{path}!/werkplaats/notities.txt", 14)
    add(vehicles_src, f"{path}!/werkplaats/voertuigen.csv", 6)

    # A workbook with two sheets: customers (numbers stored as numbers) and vehicles.
    path = f"{OUT}/klanten_2024.xlsx"
    with open(path, "wb") as f:
        f.write(xlsx_bytes([
            ("Klanten", csv_rows(read_lines(csv_src, 6), ";"), {"klantnummer", "huisnummer", "bsn"}),
            ("Voertuigen", csv_rows(read_lines(vehicles_src, 6), ","), {"customer_id", "mileage"}),
        ]))
    add(csv_src, f"{path}!Klanten", 6)
    add(vehicles_src, f"{path}!Voertuigen", 6)

    with open(TRUTH, "w", encoding="utf-8") as f:
        for t in truth + new_truth:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}/ and {len(new_truth)} truth lines")


if __name__ == "__main__":
    main()
