//! The per-column inventory: every personal-data column of a table named
//! with its entity and evidence, in the JSON inventory, the human summary
//! and the inventory CSV.

mod common;

use common::{run, run_in, stdout, tree};

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("JSON inventory")
}

fn field<'a>(file: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    file["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {file}"))
}

#[test]
fn the_crm_export_has_a_verdict_for_every_personal_column() {
    let out = run(&[
        "scan",
        "--format",
        "json",
        "fixtures/exports/crm/klanten.csv",
    ]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 25);
    let expected = [
        ("voornaam", "person_name", "header"),
        ("achternaam", "person_name", "header"),
        ("email", "email", "header_and_values"),
        ("telefoon", "phone", "header_and_values"),
        ("straat", "address", "header"),
        ("huisnummer", "address", "header"),
        ("postcode", "postcode", "header_and_values"),
        ("woonplaats", "address", "header"),
        ("geboortedatum", "date_of_birth", "header_and_values"),
        ("bsn", "bsn", "header_and_values"),
        ("iban", "iban", "header_and_values"),
        ("kenteken", "licence_plate", "header_and_values"),
    ];
    for (name, entity, evidence) in expected {
        let f = field(file, name);
        assert_eq!(f["verdict"]["entity"], entity, "{name}: {f}");
        assert_eq!(f["verdict"]["evidence"], evidence, "{name}: {f}");
        assert_eq!(f["rows"], 25, "{name}");
    }
    for name in ["klantnummer", "aanmaakdatum"] {
        assert!(field(file, name)["verdict"].is_null(), "{name}");
    }
    let email = &field(file, "email")["entities"]["email"];
    assert_eq!(email["count"], 24);
    assert_eq!(email["distinct"], 24);
    assert_eq!(email["share"], 1.0);
    let names = &field(file, "achternaam")["entities"]["person_name"];
    assert_eq!(names["evidence"], "header");
    assert_eq!(names["distinct"], 25);
    // Samples are masked.
    for s in names["samples"].as_array().unwrap() {
        assert!(s.as_str().unwrap().contains('*'), "{s}");
    }
}

#[test]
fn columns_without_a_header_are_judged_by_their_values() {
    let dir = tree(&[(
        "dump.csv",
        b"1;jan.jansen@gmail.com;x\n2;piet@hotmail.com;y\n3;;z\n4;kees.devries@ziggo.nl;\n",
    )]);
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 4);
    let f = field(file, "column 2");
    assert_eq!(f["non_empty"], 3);
    assert_eq!(f["verdict"]["entity"], "email");
    assert_eq!(f["verdict"]["evidence"], "values");
    assert_eq!(f["entities"]["email"]["share"], 1.0);
    assert_eq!(field(file, "column 3")["non_empty"], 3);
}

#[test]
fn quoted_multi_line_notes_keep_rows_fields_and_lines_right() {
    let dir = tree(&[(
        "werkorders.csv",
        b"ordernr;opmerkingen;kenteken\n\
          1;\"klant belt terug;\nop 06-12345678\";GBN-38-T\n\
          2;\"\";K-712-ZD\n",
    )]);
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 2);
    let notes = field(file, "opmerkingen");
    assert_eq!(notes["non_empty"], 1);
    assert_eq!(notes["verdict"]["entity"], "free_text");
    assert_eq!(notes["entities"]["phone"]["count"], 1);
    assert_eq!(
        field(file, "kenteken")["entities"]["licence_plate"]["count"],
        2
    );
    let out = run_in(dir.path(), &["scan", "--format", "ndjson", "."]);
    let phone = common::ndjson(&out)
        .into_iter()
        .find(|v| v["entity"] == "phone")
        .expect("phone found");
    assert_eq!(phone["line"], 3);
    assert_eq!(phone["field"], "opmerkingen");
}

#[test]
fn accented_names_in_windows_1252_come_out_as_text() {
    let mut csv = b"voornaam;achternaam;email\n".to_vec();
    csv.extend_from_slice(b"\xC9lodie;Ma\xEFs;elodie.mais@gmail.com\n");
    let dir = tree(&[("klanten_1252.csv", &csv)]);
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    let doc = json(&out);
    let file = &doc["files"][0];
    let first = &field(file, "voornaam")["entities"]["person_name"]["samples"][0];
    assert_eq!(first, "É*****");
}

#[test]
fn the_inventory_csv_is_a_data_map_a_spreadsheet_can_open() {
    let out = run(&["scan", "--format", "inventory-csv", "fixtures"]);
    assert_eq!(out.status.code(), Some(1));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "path");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let find = |path: &str, field: &str, entity: &str| {
        rows.iter()
            .find(|r| {
                r[col("path")].ends_with(path)
                    && &r[col("field")] == field
                    && &r[col("entity")] == entity
            })
            .unwrap_or_else(|| panic!("no row {path} {field} {entity}"))
    };
    let r = find("klanten.csv", "achternaam", "person_name");
    assert_eq!(&r[col("evidence")], "header");
    assert_eq!(&r[col("rows")], "25");
    let r = find("vehicles.csv", "license_plate", "licence_plate");
    assert_eq!(&r[col("evidence")], "header_and_values");
    let r = find("customers.json", "klant.email", "email");
    assert_eq!(&r[col("count")], "10");
    // Text files: one row per entity, no field.
    find("notities_2024.txt", "", "vin");
    // No raw value anywhere.
    let text = stdout(&out);
    for value in [
        "jeroen.bakker@ziggo.nl",
        "Bakker",
        "Hoofdstraat",
        "NL82ABNA0363008004",
    ] {
        assert!(!text.contains(value), "{value} in the inventory CSV");
    }
}

#[test]
fn the_human_summary_shows_the_columns() {
    let out = run(&["scan", "fixtures/exports/crm/klanten.csv"]);
    let text = stdout(&out);
    assert!(text.contains("Personal data by column"), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("achternaam"))
        .expect("achternaam listed");
    assert!(
        line.contains("person_name") && line.contains("header"),
        "{line}"
    );
}

#[test]
fn sql_dumps_have_rows_and_columns_per_table() {
    let out = run(&["scan", "--format", "json", "fixtures/exports/db"]);
    let doc = json(&out);
    let files = doc["files"].as_array().unwrap();
    let mysql = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("dealer_mysql.sql"))
        .expect("mysqldump in the inventory");
    let email = field(mysql, "klanten.email");
    assert_eq!(email["rows"], 6);
    assert_eq!(email["non_empty"], 6);
    assert_eq!(email["verdict"]["evidence"], "header_and_values");
    assert_eq!(
        field(mysql, "klanten.achternaam")["verdict"]["entity"],
        "person_name"
    );
    // NULL is not a value.
    assert_eq!(field(mysql, "klanten.opmerking")["non_empty"], 3);
    let pg = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("dealer_pg.sql"))
        .expect("pg_dump in the inventory");
    let plates = field(pg, "voertuigen.kenteken");
    assert_eq!(plates["rows"], 6);
    assert_eq!(plates["entities"]["licence_plate"]["count"], 6);
    assert_eq!(field(pg, "voertuigen.vin")["verdict"]["entity"], "vin");
}

#[test]
fn ndjson_records_are_rows_and_paths_are_fields() {
    let out = run(&[
        "scan",
        "--format",
        "json",
        "fixtures/exports/crm/afspraken.ndjson",
    ]);
    let doc = json(&out);
    let file = &doc["files"][0];
    let name = field(file, "klant.naam");
    assert_eq!(name["rows"], 6);
    assert_eq!(name["verdict"]["entity"], "person_name");
    assert_eq!(name["entities"]["person_name"]["distinct"], 6);
    let plate = field(file, "kenteken");
    // One record has an empty plate.
    assert_eq!(plate["non_empty"], 5);
    assert_eq!(plate["verdict"]["evidence"], "header_and_values");
    assert!(field(file, "datum")["verdict"].is_null());
}

#[test]
fn sheets_and_tables_inside_archives_have_their_columns() {
    let out = run(&["scan", "--format", "json", "fixtures/exports/archive"]);
    let doc = json(&out);
    let files = doc["files"].as_array().unwrap();
    let sheet = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .ends_with("klanten_2024.xlsx!Klanten")
        })
        .expect("the Klanten sheet");
    assert_eq!(sheet["rows"], 5);
    assert_eq!(
        field(sheet, "achternaam")["verdict"]["entity"],
        "person_name"
    );
    assert_eq!(
        field(sheet, "email")["verdict"]["evidence"],
        "header_and_values"
    );
    let zipped = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .ends_with(".zip!/export/klanten_2023.csv")
        })
        .expect("the CSV inside the zip");
    assert_eq!(zipped["rows"], 5);
    assert_eq!(
        field(zipped, "voornaam")["verdict"]["entity"],
        "person_name"
    );
}

#[test]
fn the_windows_1252_fixture_keeps_its_accents() {
    let out = run(&[
        "scan",
        "--format",
        "json",
        "fixtures/exports/crm/klanten_latin1.csv",
    ]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 5);
    let first_names = &field(file, "voornaam")["entities"]["person_name"]["samples"];
    assert_eq!(first_names[0], "É*****");
    assert_eq!(
        field(file, "telefoon")["verdict"]["evidence"],
        "header_and_values"
    );
}

#[test]
fn an_excel_text_export_is_read_as_a_table() {
    // Saved from Excel as "Text (Tab delimited)": `.txt`, Windows-1252,
    // CRLF. Its BSN column holds values that count only with context.
    let out = run(&[
        "scan",
        "--format",
        "json",
        "fixtures/exports/crm/proefritten_2021.txt",
    ]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 5, "{file}");
    for (name, entity, evidence) in [
        ("Naam", "person_name", "header"),
        ("E-mailadres", "email", "header_and_values"),
        ("Telefoon", "phone", "header_and_values"),
        ("BSN", "bsn", "header_and_values"),
        ("Kenteken", "licence_plate", "header_and_values"),
        ("Postcode", "postcode", "header_and_values"),
    ] {
        let f = field(file, name);
        assert_eq!(f["verdict"]["entity"], entity, "{name}: {f}");
        assert_eq!(f["verdict"]["evidence"], evidence, "{name}: {f}");
    }
    assert_eq!(field(file, "BSN")["entities"]["bsn"]["count"], 5);
    assert_eq!(
        field(file, "Naam")["entities"]["person_name"]["samples"][0],
        "J*** M******"
    );
    // Order numbers that pass the BSN checksum are not citizen numbers.
    assert!(field(file, "Offertenummer")["verdict"].is_null());
}

#[test]
fn exports_without_a_table_extension_have_columns_and_prose_has_none() {
    let table = "naam;email;bsn\nJan Jansen;jan.jansen@ziggo.nl;111222333\n\
                 Piet Bakker;piet.bakker@kpn.nl;123456782\n";
    let prose = "Beste Jan, bedankt voor uw mail, tot ziens.\n\
                 Uw adres jan.jansen@ziggo.nl is genoteerd, met 111222333.\n";
    let unicode_text: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            table
                .replace(';', "\t")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let zipped = common::zip_of(&[("leden.dat", table.as_bytes())], common::deflated());
    let dir = tree(&[
        ("export", table.as_bytes()),
        ("unicode.txt", &unicode_text),
        ("archief.zip", &zipped),
        ("brief.txt", prose.as_bytes()),
    ]);
    let out = run_in(
        dir.path(),
        &["scan", "--format", "ndjson", "--reveal", "--exit-zero", "."],
    );
    let findings: Vec<(String, String, String)> = common::ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| {
            let text = |key: &str| l[key].as_str().unwrap_or("").to_string();
            (text("path"), text("entity"), text("field"))
        })
        .collect();
    let fields_of = |path: &str| -> Vec<(String, String)> {
        let mut of: Vec<(String, String)> = findings
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, e, f)| (e.clone(), f.clone()))
            .collect();
        of.sort();
        of
    };
    let as_table = vec![
        ("bsn".to_string(), "bsn".to_string()),
        ("bsn".to_string(), "bsn".to_string()),
        ("email".to_string(), "email".to_string()),
        ("email".to_string(), "email".to_string()),
    ];
    for path in ["export", "unicode.txt", "archief.zip!/leden.dat"] {
        assert_eq!(fields_of(path), as_table, "{path}: {findings:?}");
    }
    // The letter is text: no field, and a bare nine-digit number is no BSN.
    assert_eq!(
        fields_of("brief.txt"),
        vec![("email".to_string(), String::new())],
        "{findings:?}"
    );
}

#[test]
fn structured_logs_and_json_without_an_extension_name_their_fields() {
    let structured = "{\"ts\":\"2024-03-12T08:00:00Z\",\"level\":\"info\",\"user\":{\"email\":\"jan.jansen@ziggo.nl\"},\"msg\":\"login\"}\n\
                      {\"ts\":\"2024-03-12T08:00:01Z\",\"level\":\"warn\",\"user\":{\"email\":\"piet.bakker@kpn.nl\"},\"msg\":\"retry\"}\n";
    let plain = "2024-03-12T08:00:00Z INFO login {\"user\":\"jan.jansen@ziggo.nl\"}\n";
    let export = "[\n  {\"klant\": {\"email\": \"jan.jansen@ziggo.nl\"}}\n]\n";
    let dir = tree(&[
        ("app.log", structured.as_bytes()),
        ("plain.log", plain.as_bytes()),
        ("export", export.as_bytes()),
    ]);
    let out = run_in(
        dir.path(),
        &["scan", "--format", "ndjson", "--exit-zero", "."],
    );
    let mut findings: Vec<(String, String)> = common::ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| {
            let text = |key: &str| l[key].as_str().unwrap_or("").to_string();
            (text("path"), text("field"))
        })
        .collect();
    findings.sort();
    let expected: Vec<(String, String)> = [
        ("app.log", "user.email"),
        ("app.log", "user.email"),
        ("export", "klant.email"),
        ("plain.log", ""),
    ]
    .iter()
    .map(|(p, f)| (p.to_string(), f.to_string()))
    .collect();
    assert_eq!(findings, expected);
}

#[test]
fn xml_exports_name_their_elements_and_attributes() {
    // A dealer system's vehicle export: attributes, a CDATA note, a
    // namespace prefix, a comment; saved once as `.xml`, once without an
    // extension.
    let export = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <dms:Export xmlns:dms=\"urn:dealer:export\">\n\
          <!-- gemaakt door beheer@autojansen.nl -->\n\
          <dms:Voertuig kenteken=\"52-RTH-8\" vin=\"WVWZZZAUZKW123456\">\n\
            <dms:Eigenaar>\n\
              <dms:Naam>Jan Jansen</dms:Naam>\n\
              <dms:Email>jan.jansen@ziggo.nl</dms:Email>\n\
            </dms:Eigenaar>\n\
            <dms:Notitie><![CDATA[Klant belt terug op 06-38215947]]></dms:Notitie>\n\
          </dms:Voertuig>\n\
          <dms:Voertuig kenteken=\"2-KXP-47\">\n\
            <dms:Eigenaar><dms:Naam>Piet Bakker</dms:Naam></dms:Eigenaar>\n\
          </dms:Voertuig>\n\
        </dms:Export>\n";
    let dir = tree(&[
        ("voertuigen.xml", export.as_bytes()),
        ("voertuigen_export", export.as_bytes()),
    ]);
    for name in ["voertuigen.xml", "voertuigen_export"] {
        let out = run_in(dir.path(), &["scan", "--format", "ndjson", name]);
        let mut findings: Vec<(String, String)> = common::ndjson(&out)
            .into_iter()
            .filter(|l| l["type"] == "finding")
            .map(|l| {
                let text = |key: &str| l[key].as_str().unwrap_or("").to_string();
                (text("entity"), text("field"))
            })
            .collect();
        findings.sort();
        let expected: Vec<(String, String)> = [
            ("email", ""),
            ("email", "Export/Voertuig/Eigenaar/Email"),
            ("licence_plate", "Export/Voertuig/@kenteken"),
            ("licence_plate", "Export/Voertuig/@kenteken"),
            ("phone", "Export/Voertuig/Notitie"),
            ("vin", "Export/Voertuig/@vin"),
        ]
        .iter()
        .map(|(e, f)| (e.to_string(), f.to_string()))
        .collect();
        assert_eq!(findings, expected, "{name}");
        // Names are found by no rule: the element's name counts them.
        let out = run_in(dir.path(), &["scan", "--format", "json", name]);
        let doc = json(&out);
        let naam = field(&doc["files"][0], "Export/Voertuig/Eigenaar/Naam");
        assert_eq!(naam["verdict"]["entity"], "person_name", "{naam}");
        assert_eq!(naam["non_empty"], 2, "{naam}");
    }
}

#[test]
fn a_separator_line_for_excel_is_not_the_header() {
    // Written for Excel, which reads the delimiter from a first `sep=` line.
    let table = "sep=;\r\nnaam;email;bsn\r\nJan Jansen;jan.jansen@ziggo.nl;111222333\r\n\
                 Piet Bakker;piet.bakker@kpn.nl;123456782\r\n";
    let dir = tree(&[("klanten.csv", table.as_bytes())]);
    let out = run_in(dir.path(), &["scan", "--format", "json", "klanten.csv"]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 2, "{file}");
    let bsn = field(file, "bsn");
    assert_eq!(bsn["verdict"]["entity"], "bsn", "{bsn}");
    assert_eq!(bsn["entities"]["bsn"]["count"], 2, "{bsn}");
    assert_eq!(field(file, "email")["non_empty"], 2);
    assert_eq!(field(file, "naam")["verdict"]["entity"], "person_name");
}

#[test]
fn a_report_title_above_the_header_is_no_row_and_no_column() {
    // Exported as a report: a title and a date line, a blank line, then
    // the table.
    let report = "Klantenoverzicht Autobedrijf Jansen\r\n\
                  Gemaakt door beheer@autojansen.nl\r\n\
                  \r\n\
                  naam;email;bsn\r\n\
                  Jan Jansen;jan.jansen@ziggo.nl;111222333\r\n\
                  Piet Bakker;piet.bakker@kpn.nl;123456782\r\n";
    let dir = tree(&[("klanten.csv", report.as_bytes())]);
    let out = run_in(dir.path(), &["scan", "--format", "json", "klanten.csv"]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["rows"], 2, "{file}");
    let bsn = field(file, "bsn");
    assert_eq!(bsn["entities"]["bsn"]["count"], 2, "{bsn}");
    assert_eq!(field(file, "email")["non_empty"], 2);
    assert_eq!(field(file, "naam")["non_empty"], 2);
    // The address in the title is found, in no column.
    let out = run_in(
        dir.path(),
        &["scan", "--format", "ndjson", "--reveal", "klanten.csv"],
    );
    let title: Vec<serde_json::Value> = common::ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding" && l["line"] == 2)
        .collect();
    assert_eq!(title.len(), 1, "{title:?}");
    assert_eq!(title[0]["value"], "beheer@autojansen.nl");
    assert!(title[0]["field"].is_null(), "{:?}", title[0]);
}
