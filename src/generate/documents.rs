//! The documents of the generated tree, one writer per kind of file.
//!
//! Personal values are written with [`Sink::pii`] and look-alikes with
//! [`Sink::look`], so the truth file knows where each one starts. Values are
//! placed the way real exports and people place them: in their columns and
//! fields, or in prose next to the words that announce them ("kenteken",
//! "BSN", "geboortedatum"). Identifiers that are ambiguous on their own (a
//! plate without dashes, a BSN, a date of birth) appear only with such
//! context, since without it no reader could tell them from an id or a date.

use super::rng::Rng;
use super::values::*;
use super::{FileSpec, Kind, Sink};
use crate::finding::Entity;
use std::fmt::Write as _;

pub(super) fn write(spec: &FileSpec, rng: &mut Rng, sink: &mut Sink) {
    match spec.kind {
        Kind::CrmCsvDutch => crm_csv_dutch(rng, sink, spec.target, false),
        Kind::CrmCsvWindows1252 => crm_csv_dutch(rng, sink, spec.target, true),
        Kind::CrmCsvEnglish => crm_csv_english(rng, sink, spec.target),
        Kind::CrmJson => crm_json(rng, sink, spec.target),
        Kind::EventsNdjson => events_ndjson(rng, sink, spec.target),
        Kind::MysqlDump => mysql_dump(rng, sink, spec.target),
        Kind::PgDump => pg_dump(rng, sink, spec.target),
        Kind::Mail => mail(rng, sink, spec.target),
        Kind::WorkshopNotes | Kind::WorkshopNotesRtf => workshop_notes(rng, sink, spec.target),
        Kind::AppLog => app_log(rng, sink, spec.target),
        Kind::Source => source(rng, sink, spec),
        Kind::TestDrivesText => test_drives_text(rng, sink, spec.target),
        Kind::DirectDebitsXml => direct_debits_xml(rng, sink, spec.target),
        // Packed message by message by `write_mailbox`; as one file, one
        // message.
        Kind::MailboxZip | Kind::MailFolder => mail(rng, sink, spec.target),
    }
}

// ---------------------------------------------------------------------------
// Shared pieces

fn make_model(rng: &mut Rng) -> (&'static str, &'static str) {
    let (make, models) = *rng.pick(MAKES);
    (make, *rng.pick(models))
}

/// A plate as a CRM stores it: the RDW's dash-less form or with dashes.
fn plate_for_column(rng: &mut Rng) -> String {
    if rng.chance(50) {
        nl_plate_bare(rng).0
    } else {
        nl_plate_dashed(rng)
    }
}

fn timestamp(rng: &mut Rng) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1000)
    )
}

fn hex(rng: &mut Rng, n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| char::from(*rng.pick(HEX))).collect()
}

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-a{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        hex(rng, 3),
        hex(rng, 12)
    )
}

fn amount(rng: &mut Rng) -> String {
    format!(
        "{}.{:03},{:02}",
        rng.range(1, 45),
        rng.below(1000),
        rng.below(100)
    )
}

/// A one-line note in a CRM record, sometimes with a plate or phone in it.
fn crm_note(rng: &mut Rng, sink: &mut Sink, quote: bool) {
    let q = if quote { "\"" } else { "" };
    match rng.below(6) {
        0 => {
            sink.s(q);
            sink.s("Proefrit gehad, twijfelt nog.\nBelt terug op ");
            sink.pii(Entity::Phone, &phone(rng));
            sink.s(q);
        }
        1 => {
            let _ = write!(sink, "{q}Inruil: kenteken ");
            sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
            let _ = write!(
                sink,
                ", {} km; klant zegt \"\"geen haast\"\"{q}",
                rng.range(20, 300) * 1000
            );
        }
        2 => sink.s("APK gepland"),
        3 => {
            sink.s(q);
            sink.s("Called back about the lease offer.\nPrefers e-mail: ");
            let p = Person::new(rng, 0);
            sink.pii(Entity::Email, &email(rng, &p));
            sink.s(q);
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// CRM exports

fn crm_csv_dutch(rng: &mut Rng, sink: &mut Sink, target: u64, windows_1252: bool) {
    sink.s("klantnummer;voornaam;achternaam;email;telefoon;straat;huisnummer;postcode;woonplaats;geboortedatum;bsn;iban;kenteken;merk;model;km_stand;vin;status;vestiging;verkoper;nieuwsbrief;bron;notitie;aanmaakdatum\n");
    let mut id = 100_000 + rng.below(50_000);
    while sink.bytes() < target {
        id += 1;
        let p = Person::new(rng, if windows_1252 { 100 } else { 3 });
        let _ = write!(sink, "{id};{};{};", p.first, p.last);
        sink.pii(Entity::Email, &email(rng, &p));
        sink.s(";");
        if rng.chance(90) {
            sink.pii(Entity::Phone, &phone(rng));
        }
        let _ = write!(sink, ";{};{}", p.street, p.number);
        if rng.chance(10) {
            sink.s("a");
        }
        sink.s(";");
        let pc = postcode(rng, false);
        let pc = if rng.chance(20) {
            pc.replace(' ', "")
        } else {
            pc
        };
        sink.pii(Entity::Postcode, &pc);
        let _ = write!(sink, ";{};", p.city);
        sink.pii(
            Entity::DateOfBirth,
            &format_date(birth_date(rng), DateStyle::DutchDash),
        );
        sink.s(";");
        if rng.chance(60) {
            sink.pii(Entity::Bsn, &bsn(rng));
        }
        sink.s(";");
        sink.pii(Entity::Iban, &iban(rng));
        sink.s(";");
        sink.pii(Entity::LicencePlate, &plate_for_column(rng));
        let (make, model) = make_model(rng);
        let _ = write!(sink, ";{make};{model};{};", rng.range(1000, 250_000));
        sink.pii(Entity::Vin, &vin(rng));
        let _ = write!(
            sink,
            ";{};{};{};{};{};",
            rng.pick(&["actief", "prospect", "oud-klant", "lease", "zakelijk"]),
            rng.pick(CITIES),
            rng.pick(FIRST_NAMES),
            rng.pick(&["ja", "nee"]),
            rng.pick(&[
                "website",
                "showroom",
                "autotrack",
                "marktplaats",
                "doorverwezen"
            ])
        );
        crm_note(rng, sink, true);
        let _ = writeln!(
            sink,
            ";{} {:02}:{:02}",
            recent_date(rng),
            rng.range(8, 17),
            rng.below(60)
        );
    }
}

/// Test drives as Excel saves a sheet as "Unicode Text": tab-delimited,
/// CRLF, a field with a line end or a quote in quotes. A BSN and a plate
/// without dashes count only in their columns; about a third of the quote
/// numbers pass the BSN checksum (look-alikes: not in a BSN column).
fn test_drives_text(rng: &mut Rng, sink: &mut Sink, target: u64) {
    sink.s("Naam\tE-mailadres\tTelefoon\tBSN\tKenteken\tPostcode\tDatum proefrit\tOffertenummer\tOpmerking\r\n");
    while sink.bytes() < target {
        let p = Person::new(rng, 20);
        let _ = write!(sink, "{} {}\t", p.first, p.last);
        sink.pii(Entity::Email, &email(rng, &p));
        sink.s("\t");
        if rng.chance(90) {
            sink.pii(Entity::Phone, &phone(rng));
        }
        sink.s("\t");
        if rng.chance(70) {
            sink.pii(Entity::Bsn, &bsn(rng));
        }
        sink.s("\t");
        sink.pii(Entity::LicencePlate, &plate_for_column(rng));
        sink.s("\t");
        sink.pii(Entity::Postcode, &postcode(rng, false));
        let _ = write!(sink, "\t{}\t", recent_date(rng));
        if rng.chance(30) {
            sink.look(Entity::Bsn, &bsn(rng));
        } else {
            let _ = write!(sink, "{}", 2024_00000 + rng.below(100_000));
        }
        sink.s("\t");
        match rng.below(4) {
            0 => sink.s("Wil teruggebeld worden"),
            1 => crm_note(rng, sink, true),
            _ => {}
        }
        sink.s("\r\n");
    }
}

/// A batch of SEPA direct debits (ISO 20022 `pain.008`) for maintenance and
/// lease contracts, as a dealer sends its bank: per debtor a name, an
/// address line with the postcode, an IBAN, sometimes a date of birth, an
/// e-mail address and a phone number in their ISO 20022 elements, and
/// remittance text naming the car. The creditor identifier (IBAN-like)
/// and the mandates' signature dates are look-alikes.
fn direct_debits_xml(rng: &mut Rng, sink: &mut Sink, target: u64) {
    let dealer = *rng.pick(&[
        "Autobedrijf De Vries B.V.",
        "Garage Bakker V.O.F.",
        "Autohuis Emmen B.V.",
    ]);
    let month = rng.range(1, 12);
    let _ = write!(
        sink,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.008.001.02\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
         \x20 <CstmrDrctDbtInitn>\n\
         \x20   <GrpHdr>\n\
         \x20     <MsgId>INC-2024-{month:02}-{}</MsgId>\n\
         \x20     <CreDtTm>2024-{month:02}-01T09:{:02}:{:02}</CreDtTm>\n\
         \x20     <InitgPty><Nm>{dealer}</Nm></InitgPty>\n\
         \x20   </GrpHdr>\n\
         \x20   <PmtInf>\n\
         \x20     <PmtInfId>ONDH-2024-{month:02}</PmtInfId>\n\
         \x20     <PmtMtd>DD</PmtMtd>\n\
         \x20     <ReqdColltnDt>2024-{month:02}-25</ReqdColltnDt>\n\
         \x20     <Cdtr><Nm>{dealer}</Nm></Cdtr>\n\
         \x20     <CdtrAcct><Id><IBAN>",
        rng.below(1000),
        rng.below(60),
        rng.below(60)
    );
    sink.pii(Entity::Iban, &iban(rng).replace(' ', ""));
    sink.s("</IBAN></Id></CdtrAcct>\n      <CdtrSchmeId><Id><PrvtId><Othr><Id>");
    sink.look(Entity::Iban, &creditor_id(rng));
    sink.s("</Id></Othr></PrvtId></Id></CdtrSchmeId>\n");
    let mut n = rng.below(9000);
    while sink.bytes() < target {
        n += 1;
        let p = Person::new(rng, 10);
        let _ = write!(
            sink,
            "      <DrctDbtTxInf>\n\
             \x20       <PmtId><EndToEndId>E2E-2024{month:02}{n:05}</EndToEndId></PmtId>\n\
             \x20       <InstdAmt Ccy=\"EUR\">{}.{:02}</InstdAmt>\n\
             \x20       <DrctDbtTx><MndtRltdInf><MndtId>MND-{n:05}</MndtId><DtOfSgntr>",
            rng.range(25, 450),
            rng.below(100)
        );
        let signed = (
            rng.range(2012, 2023) as u32,
            rng.range(1, 12) as u32,
            rng.range(1, 28) as u32,
        );
        sink.look(Entity::DateOfBirth, &format_date(signed, DateStyle::Iso));
        let _ = write!(
            sink,
            "</DtOfSgntr></MndtRltdInf></DrctDbtTx>\n\
             \x20       <Dbtr>\n\
             \x20         <Nm>{}</Nm>\n\
             \x20         <PstlAdr><Ctry>NL</Ctry><AdrLine>{} {}</AdrLine><AdrLine>",
            p.full_name(),
            p.street,
            p.number
        );
        sink.pii(Entity::Postcode, &postcode(rng, false));
        let _ = writeln!(sink, " {}</AdrLine></PstlAdr>", p.city);
        if rng.chance(30) {
            sink.s("          <Id><PrvtId><DtAndPlcOfBirth><BirthDt>");
            sink.pii(
                Entity::DateOfBirth,
                &format_date(birth_date(rng), DateStyle::Iso),
            );
            let _ = writeln!(
                sink,
                "</BirthDt><CityOfBirth>{}</CityOfBirth><CtryOfBirth>NL</CtryOfBirth></DtAndPlcOfBirth></PrvtId></Id>",
                rng.pick(CITIES)
            );
        }
        if rng.chance(60) {
            sink.s("          <CtctDtls>");
            if rng.chance(70) {
                sink.s("<EmailAdr>");
                sink.pii(Entity::Email, &email(rng, &p));
                sink.s("</EmailAdr>");
            }
            if rng.chance(50) {
                sink.s("<PhneNb>");
                sink.pii(Entity::Phone, &phone_iso20022(rng));
                sink.s("</PhneNb>");
            }
            sink.s("</CtctDtls>\n");
        }
        sink.s("        </Dbtr>\n        <DbtrAcct><Id><IBAN>");
        sink.pii(Entity::Iban, &iban(rng).replace(' ', ""));
        sink.s("</IBAN></Id></DbtrAcct>\n        <RmtInf><Ustrd>");
        match rng.below(3) {
            0 => {
                sink.s("Onderhoudscontract kenteken ");
                sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
                let _ = write!(sink, " termijn {month}/12");
            }
            1 => {
                sink.s("Leasetermijn VIN ");
                sink.pii(Entity::Vin, &vin(rng));
            }
            _ => {
                let _ = write!(sink, "Factuur {}", 24_000_000 + rng.below(999_999));
            }
        }
        sink.s("</Ustrd></RmtInf>\n      </DrctDbtTxInf>\n");
    }
    sink.s("    </PmtInf>\n  </CstmrDrctDbtInitn>\n</Document>\n");
}

fn crm_csv_english(rng: &mut Rng, sink: &mut Sink, target: u64) {
    sink.s("customer_id,first_name,last_name,email,phone,mobile,address,zip,city,date_of_birth,iban,license_plate,vin,make,model,status,branch,sales_rep,newsletter,source,notes,created_at\n");
    let mut id = 200_000 + rng.below(50_000);
    while sink.bytes() < target {
        id += 1;
        let p = Person::new(rng, 3);
        let _ = write!(sink, "{id},{},{},", p.first, p.last);
        sink.pii(Entity::Email, &email(rng, &p));
        sink.s(",");
        if rng.chance(50) {
            sink.pii(Entity::Phone, &phone(rng));
        }
        sink.s(",");
        if rng.chance(70) {
            sink.pii(Entity::Phone, &phone(rng));
        }
        let _ = write!(sink, ",{} {},", p.street, p.number);
        sink.pii(Entity::Postcode, &postcode(rng, false));
        let _ = write!(sink, ",{},", p.city);
        let style = if rng.chance(70) {
            DateStyle::Iso
        } else {
            DateStyle::Slash
        };
        sink.pii(Entity::DateOfBirth, &format_date(birth_date(rng), style));
        sink.s(",");
        sink.pii(Entity::Iban, &iban(rng));
        sink.s(",");
        sink.pii(Entity::LicencePlate, &plate_for_column(rng));
        sink.s(",");
        sink.pii(Entity::Vin, &vin(rng));
        let (make, model) = make_model(rng);
        let _ = write!(
            sink,
            ",{make},{model},{},{},{},{},{},",
            rng.pick(&["active", "prospect", "former", "lease", "business"]),
            rng.pick(CITIES),
            rng.pick(FIRST_NAMES),
            rng.pick(&["yes", "no"]),
            rng.pick(&["website", "showroom", "autotrack", "referral"])
        );
        match rng.below(4) {
            0 => {
                sink.s("\"Called back, wants a test drive.\nOther number: ");
                sink.pii(Entity::Phone, &phone(rng));
                sink.s("\"");
            }
            1 => {
                sink.s("\"Trade-in, registration ");
                sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
                sink.s(", service history complete\"");
            }
            _ => sink.s("no notes"),
        }
        let _ = writeln!(
            sink,
            ",2023-{:02}-{:02}T{:02}:{:02}:00Z",
            rng.range(1, 12),
            rng.range(1, 28),
            rng.below(24),
            rng.below(60)
        );
    }
}

fn crm_json(rng: &mut Rng, sink: &mut Sink, target: u64) {
    sink.s("[\n");
    let mut id = 300_000 + rng.below(50_000);
    let mut first = true;
    while sink.bytes() < target {
        id += 1;
        if !first {
            sink.s(",\n");
        }
        first = false;
        let p = Person::new(rng, 5);
        let _ = write!(
            sink,
            "  {{\n    \"klantnummer\": {id},\n    \"naam\": \"{}\",\n    \"email\": \"",
            p.full_name()
        );
        sink.pii(Entity::Email, &email(rng, &p));
        sink.s("\",\n    \"telefoon\": \"");
        sink.pii(Entity::Phone, &phone(rng));
        let _ = write!(
            sink,
            "\",\n    \"adres\": {{\n      \"straat\": \"{} {}\",\n      \"postcode\": \"",
            p.street, p.number
        );
        sink.pii(Entity::Postcode, &postcode(rng, false));
        let _ = write!(
            sink,
            "\",\n      \"plaats\": \"{}\"\n    }},\n    \"geboortedatum\": \"",
            p.city
        );
        sink.pii(
            Entity::DateOfBirth,
            &format_date(birth_date(rng), DateStyle::Iso),
        );
        sink.s("\",\n    \"iban\": \"");
        sink.pii(Entity::Iban, &iban(rng));
        sink.s("\",\n    \"voertuigen\": [");
        for v in 0..rng.range(1, 2) {
            if v > 0 {
                sink.s(",");
            }
            sink.s("\n      {\n        \"kenteken\": \"");
            sink.pii(Entity::LicencePlate, &plate_for_column(rng));
            sink.s("\",\n        \"vin\": \"");
            sink.pii(Entity::Vin, &vin(rng));
            let (make, model) = make_model(rng);
            let _ = write!(
                sink,
                "\",\n        \"merk\": \"{make}\",\n        \"model\": \"{model}\",\n        \"apk_vervaldatum\": \"{}\"\n      }}",
                recent_date(rng)
            );
        }
        let _ = write!(
            sink,
            "\n    ],\n    \"klant_sinds\": \"{}\",\n    \"marketing_opt_in\": {},\n    \"status\": \"{}\",\n    \"verkoper\": \"{}\",\n    \"aantal_bezoeken\": {},\n    \"omzet_totaal\": {}.{:02},\n    \"voorkeur_contact\": \"{}\",\n    \"laatste_contact\": \"{}\"\n  }}",
            recent_date(rng),
            rng.chance(40),
            rng.pick(&["actief", "prospect", "oud-klant"]),
            rng.pick(FIRST_NAMES),
            rng.range(1, 40),
            rng.range(100, 90_000),
            rng.below(100),
            rng.pick(&["email", "telefoon", "whatsapp", "geen"]),
            recent_date(rng)
        );
    }
    sink.s("\n]\n");
}

fn events_ndjson(rng: &mut Rng, sink: &mut Sink, target: u64) {
    while sink.bytes() < target {
        let ts = timestamp(rng);
        match rng.below(5) {
            0 => {
                let p = Person::new(rng, 0);
                let _ = write!(sink, "{{\"ts\":\"{ts}\",\"event\":\"login\",\"user\":\"");
                sink.pii(Entity::Email, &email(rng, &p));
                sink.s("\",\"ip\":\"");
                sink.pii(Entity::IpAddress, &ip(rng));
                sink.s("\",\"ua\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.94 Safari/537.36\"}\n");
            }
            1 => {
                let p = Person::new(rng, 5);
                let _ = write!(
                    sink,
                    "{{\"ts\":\"{ts}\",\"event\":\"lead\",\"lead\":{{\"name\":\"{}\",\"email\":\"",
                    p.full_name()
                );
                sink.pii(Entity::Email, &email(rng, &p));
                sink.s("\",\"phone\":\"");
                sink.pii(Entity::Phone, &phone(rng));
                sink.s("\",\"plate\":\"");
                sink.pii(Entity::LicencePlate, &plate_for_column(rng));
                let (make, model) = make_model(rng);
                let _ = writeln!(sink, "\",\"interest\":\"{make} {model}\"}}}}");
            }
            2 => {
                let _ = write!(
                    sink,
                    "{{\"ts\":\"{ts}\",\"event\":\"payment\",\"amount\":{}.{:02},\"iban\":\"",
                    rng.range(50, 40_000),
                    rng.below(100)
                );
                sink.pii(Entity::Iban, &iban(rng));
                sink.s("\"");
                if rng.chance(30) {
                    sink.s(",\"card\":\"");
                    sink.pii(Entity::CreditCard, &credit_card(rng));
                    sink.s("\"");
                }
                sink.s("}\n");
            }
            3 => {
                let _ = writeln!(
                    sink,
                    "{{\"ts\":\"{ts}\",\"event\":\"session\",\"session_id\":\"{}\",\"request_id\":\"{}\",\"duration_ms\":{}}}",
                    uuid(rng),
                    hex(rng, 12),
                    rng.range(1, 5000)
                );
            }
            _ => {
                let _ = write!(
                    sink,
                    "{{\"ts\":\"{ts}\",\"event\":\"vehicle_update\",\"vin\":\""
                );
                sink.pii(Entity::Vin, &vin(rng));
                let _ = writeln!(
                    sink,
                    "\",\"mileage\":{},\"status\":\"in_stock\"}}",
                    rng.range(10, 250_000)
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// SQL dumps

fn sql_name(p: &Person) -> String {
    p.full_name().replace('\'', "\\'")
}

fn mysql_dump(rng: &mut Rng, sink: &mut Sink, target: u64) {
    sink.s("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: dealer_crm\n-- ------------------------------------------------------\n-- Server version\t8.0.36\n\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET NAMES utf8mb4 */;\n\n--\n-- Table structure for table `klanten`\n--\n\nDROP TABLE IF EXISTS `klanten`;\nCREATE TABLE `klanten` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `naam` varchar(120) NOT NULL,\n  `email` varchar(190) DEFAULT NULL,\n  `telefoon` varchar(32) DEFAULT NULL,\n  `postcode` varchar(7) DEFAULT NULL,\n  `geboortedatum` date DEFAULT NULL,\n  `bsn` char(9) DEFAULT NULL,\n  `iban` varchar(34) DEFAULT NULL,\n  `kenteken` varchar(8) DEFAULT NULL,\n  `vin` char(17) DEFAULT NULL,\n  `ip_adres` varchar(45) DEFAULT NULL,\n  `aangemaakt` datetime NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n\nLOCK TABLES `klanten` WRITE;\n/*!40000 ALTER TABLE `klanten` DISABLE KEYS */;\n");
    let mut id = 0u64;
    while sink.bytes() < target {
        // Extended inserts: many rows on one physical line, as mysqldump writes them.
        sink.s("INSERT INTO `klanten` VALUES ");
        for r in 0..rng.range(20, 120) {
            id += 1;
            if r > 0 {
                sink.s(",");
            }
            let p = Person::new(rng, 3);
            let _ = write!(sink, "({id},'{}','", sql_name(&p));
            sink.pii(Entity::Email, &email(rng, &p));
            sink.s("','");
            sink.pii(Entity::Phone, &phone(rng));
            sink.s("','");
            sink.pii(Entity::Postcode, &postcode(rng, false));
            sink.s("','");
            sink.pii(
                Entity::DateOfBirth,
                &format_date(birth_date(rng), DateStyle::Iso),
            );
            sink.s("',");
            if rng.chance(50) {
                sink.s("'");
                let b: String = bsn(rng).chars().filter(char::is_ascii_digit).collect();
                sink.pii(Entity::Bsn, &b);
                sink.s("'");
            } else {
                sink.s("NULL");
            }
            sink.s(",'");
            sink.pii(Entity::Iban, &iban(rng).replace(' ', ""));
            sink.s("','");
            sink.pii(Entity::LicencePlate, &nl_plate_bare(rng).0);
            sink.s("','");
            sink.pii(Entity::Vin, &vin(rng));
            sink.s("',");
            if rng.chance(40) {
                sink.s("'");
                sink.pii(Entity::IpAddress, &ip(rng));
                sink.s("'");
            } else {
                sink.s("NULL");
            }
            let _ = write!(
                sink,
                ",'2023-{:02}-{:02} {:02}:{:02}:{:02}')",
                rng.range(1, 12),
                rng.range(1, 28),
                rng.below(24),
                rng.below(60),
                rng.below(60)
            );
        }
        sink.s(";\n");
    }
    sink.s("/*!40000 ALTER TABLE `klanten` ENABLE KEYS */;\nUNLOCK TABLES;\n\n-- Dump completed on 2024-03-12 23:00:01\n");
}

fn pg_dump(rng: &mut Rng, sink: &mut Sink, target: u64) {
    sink.s("--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 15.6\n-- Dumped by pg_dump version 15.6\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\nCREATE TABLE public.afspraken (\n    id integer NOT NULL,\n    klant_naam text,\n    email text,\n    telefoon text,\n    kenteken text,\n    datum date,\n    opmerking text\n);\n\nALTER TABLE public.afspraken OWNER TO werkplaats;\n\nCOPY public.afspraken (id, klant_naam, email, telefoon, kenteken, datum, opmerking) FROM stdin;\n");
    let mut id = 0u64;
    while sink.bytes() < target {
        id += 1;
        let p = Person::new(rng, 3);
        let _ = write!(sink, "{id}\t{}\t", p.full_name());
        sink.pii(Entity::Email, &email(rng, &p));
        sink.s("\t");
        sink.pii(Entity::Phone, &phone(rng));
        sink.s("\t");
        sink.pii(Entity::LicencePlate, &plate_for_column(rng));
        let _ = write!(
            sink,
            "\t2024-{:02}-{:02}\t",
            rng.range(1, 12),
            rng.range(1, 28)
        );
        match rng.below(4) {
            0 => sink.s("APK + kleine beurt"),
            1 => sink.s("Banden wisselen, winterbanden in opslag"),
            2 => sink.s("Distributieriem vervangen"),
            _ => sink.s("\\N"),
        }
        sink.s("\n");
    }
    sink.s("\\.\n\n\nALTER TABLE ONLY public.afspraken\n    ADD CONSTRAINT afspraken_pkey PRIMARY KEY (id);\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
}

// ---------------------------------------------------------------------------
// Mail and notes

const DEALERS: &[&str] = &[
    "autobedrijf-devries.nl",
    "garage-bakker.nl",
    "autohuis-emmen.nl",
    "occasioncentrum-drenthe.nl",
];

pub(super) fn mail(rng: &mut Rng, sink: &mut Sink, target: u64) {
    let dealer = *rng.pick(DEALERS);
    let p = Person::new(rng, 10);
    let customer_mail = email(rng, &p);
    let dutch = rng.chance(70);
    let _ = write!(sink, "From: {} <", p.full_name());
    sink.pii(Entity::Email, &customer_mail);
    sink.s(">\nTo: Werkplaats <");
    sink.pii(Entity::Email, &format!("werkplaats@{dealer}"));
    let _ = write!(
        sink,
        ">\nDate: Tue, {} Mar 2024 {:02}:{:02}:{:02} +0100\nMessage-ID: <{}@mail.{dealer}>\nContent-Type: text/plain; charset=utf-8\n",
        rng.range(1, 28),
        rng.range(7, 22),
        rng.below(60),
        rng.below(60),
        hex(rng, 16)
    );
    let (make, model) = make_model(rng);
    let mut first = true;
    while first || sink.bytes() < target {
        let topic = rng.below(6);
        if first {
            let subject = match (dutch, topic) {
                (true, 0) => "Terugbetaling dubbele betaling",
                (true, _) => "Vraag over mijn auto",
                (false, _) => "Question about my car",
            };
            let _ = write!(sink, "Subject: {subject}\n\n");
            sink.s(if dutch {
                "Goedemorgen,\n\n"
            } else {
                "Hello,\n\n"
            });
        }
        first = false;
        sink.s(if dutch {
            "Ik hoop dat u mij hiermee verder kunt helpen. Vorig jaar was de service bij\nuw garage uitstekend, daarom kom ik graag weer bij u terug. Laat u maar weten\nwat er nog nodig is.\n\n"
        } else {
            "I hope you can help me with this. The service at your garage last year was\nexcellent, which is why I am coming back. Just let me know what else you need\nfrom me.\n\n"
        });
        match (dutch, topic) {
            (true, 0) => {
                let _ = write!(sink, "Vorige week is mijn {make} {model} (kenteken ");
                sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
                let _ = write!(
                    sink,
                    ") bij jullie geweest voor de APK. Ik heb de factuur per ongeluk\ntwee keer betaald (€ {}). Willen jullie het bedrag terugstorten op\n",
                    amount(rng)
                );
                sink.pii(Entity::Iban, &iban(rng));
                let _ = write!(sink, " t.n.v. {}?\n\n", p.full_name());
            }
            (true, 1) => {
                sink.s(
                    "Voor de financiering van de nieuwe auto stuur ik mijn gegevens.\nMijn BSN is ",
                );
                sink.pii(Entity::Bsn, &bsn(rng));
                sink.s(" en mijn geboortedatum is ");
                let style = if rng.chance(50) {
                    DateStyle::DutchWords
                } else {
                    DateStyle::DutchDash
                };
                sink.pii(Entity::DateOfBirth, &format_date(birth_date(rng), style));
                sink.s(".\n\n");
            }
            (true, 2) => {
                sink.s("Ik ben overdag bereikbaar op ");
                sink.pii(Entity::Phone, &phone(rng));
                sink.s(" of op mijn werk: ");
                sink.pii(Entity::Phone, &phone(rng));
                sink.s(".\n\n");
            }
            (true, 3) => {
                sink.s("Mijn schoonzoon rijdt een Belgische wagen, nummerplaat ");
                sink.pii(Entity::LicencePlate, &be_plate(rng));
                sink.s(". Kan die ook\nbij jullie terecht voor de airco? De Duitse bus van mijn zoon\n(Kennzeichen ");
                sink.pii(Entity::LicencePlate, &de_plate(rng));
                sink.s(") heeft hetzelfde probleem.\n\n");
            }
            (true, _) => {
                let _ = write!(
                    sink,
                    "Kunt u de kentekenpapieren opsturen naar mijn adres?\n\n{} {}\n",
                    p.street, p.number
                );
                sink.pii(Entity::Postcode, &postcode(rng, true));
                let _ = write!(sink, " {}\n\n", p.city);
            }
            (false, 0) => {
                let _ = write!(
                    sink,
                    "I'd like to book a test drive in the {make} {model}. My current car, a French import\n(immatriculation "
                );
                sink.pii(Entity::LicencePlate, &fr_plate(rng));
                sink.s(") would be the trade-in. Call me on ");
                sink.pii(Entity::Phone, &phone(rng));
                sink.s(".\n\n");
            }
            (false, 1) => {
                sink.s("For the finance application: date of birth ");
                let style = if rng.chance(50) {
                    DateStyle::EnglishWords
                } else {
                    DateStyle::Slash
                };
                sink.pii(Entity::DateOfBirth, &format_date(birth_date(rng), style));
                sink.s(", and the deposit can be taken from card ");
                sink.pii(Entity::CreditCard, &credit_card(rng));
                sink.s(".\n\n");
            }
            (false, 2) => {
                sink.s("The UK car (registration ");
                sink.pii(Entity::LicencePlate, &gb_plate(rng));
                sink.s(", VIN ");
                sink.pii(Entity::Vin, &vin(rng));
                sink.s(") needs a Dutch registration.\n\n");
            }
            (false, 3) => {
                sink.s("Please send the invoice to my partner as well: ");
                let partner = Person::new(rng, 0);
                sink.pii(Entity::Email, &email(rng, &partner));
                sink.s("\n\n");
            }
            (false, _) => {
                sink.s("The refund can go to ");
                sink.pii(Entity::Iban, &iban(rng));
                sink.s(". Thanks!\n\n");
            }
        }
    }
    let _ = write!(
        sink,
        "{}\n{}\n",
        if dutch {
            "Met vriendelijke groet,"
        } else {
            "Kind regards,"
        },
        p.full_name()
    );
    if rng.chance(50) {
        sink.s("Tel. ");
        sink.pii(Entity::Phone, &phone(rng));
        sink.s("\n");
    }
}

fn workshop_notes(rng: &mut Rng, sink: &mut Sink, target: u64) {
    sink.s("WERKPLAATSNOTITIES - Autobedrijf De Vries, Emmen\nIntern document, niet doorsturen. Bewaartermijn: zie privacybeleid.\n======================================================================\n");
    let days = ["ma", "di", "wo", "do", "vr"];
    while sink.bytes() < target {
        let _ = write!(sink, "\n--- {} {} ---\n", rng.pick(&days), recent_date(rng));
        for _ in 0..rng.range(2, 5) {
            let (make, model) = make_model(rng);
            let p = Person::new(rng, 0);
            let _ = write!(sink, "{:02}:{:02}  ", rng.range(8, 17), rng.below(60));
            match rng.below(7) {
                0 => {
                    sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
                    let _ = write!(
                        sink,
                        " {make} {model} (van dhr. {}).\n       Distributieriem + waterpomp vervangen, arbeid 3,5 uur, totaal € {} incl. btw.\n       Klant belt om 14:30 terug, mobiel ",
                        p.last,
                        amount(rng)
                    );
                    sink.pii(Entity::Phone, &phone(rng));
                    sink.s(".\n       Onderdelen: 1K0 698 151 A (remblokken voor), Bosch 0 986 494 104, olie 5W-30 4,5 l.\n");
                }
                1 => {
                    let _ = write!(sink, "{make}, kenteken ");
                    sink.pii(Entity::LicencePlate, &nl_plate_bare(rng).0);
                    sink.s(", chassisnummer ");
                    sink.pii(Entity::Vin, &vin(rng));
                    let _ = write!(
                        sink,
                        ".\n       Storingscode P0420 uitgelezen met VCDS versie 23.3.1 (diagnosekast firmware version 1.2.3.4).\n       Km-stand {}.{:03}.\n       Werkorder ",
                        rng.range(10, 250),
                        rng.below(1000)
                    );
                    sink.look(Entity::LicencePlate, &nl_plate_bare(rng).0);
                    sink.s(" aangemaakt.\n");
                }
                2 => {
                    let _ = write!(
                        sink,
                        "Financieringsaanvraag {make} {model}.\n       Klant: {}, geboortedatum ",
                        p.full_name()
                    );
                    sink.pii(
                        Entity::DateOfBirth,
                        &format_date(birth_date(rng), DateStyle::DutchDash),
                    );
                    sink.s("\n       BSN ");
                    sink.pii(Entity::Bsn, &bsn(rng));
                    sink.s(" (kopie ID-kaart gezien, NIET bewaren)\n       Aanbetaling per creditcard ");
                    sink.pii(Entity::CreditCard, &credit_card(rng));
                    sink.s(", pinbon ");
                    sink.look(Entity::CreditCard, "4111 **** **** 1111");
                    sink.s(".\n");
                }
                3 => {
                    let _ = write!(sink, "Ophalen bij klant thuis: {} {}, ", p.street, p.number);
                    sink.pii(Entity::Postcode, &postcode(rng, true));
                    let _ = writeln!(sink, " {}. Sleutel ligt bij de buren.", p.city);
                }
                4 => {
                    let _ = write!(
                        sink,
                        "Customer {} called about the {make}: call back on ",
                        p.last
                    );
                    sink.pii(Entity::Phone, &phone(rng));
                    sink.s(" or mail ");
                    sink.pii(Entity::Email, &email(rng, &p));
                    sink.s(".\n");
                }
                5 => {
                    let _ = write!(sink, "Inruil {make} {model}, ");
                    sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
                    let _ = write!(
                        sink,
                        ", datum eerste toelating {}.\n       Restbedrag aflossen, terugbetaling op ",
                        recent_date(rng)
                    );
                    sink.pii(Entity::Iban, &iban(rng));
                    sink.s(".\n");
                }
                _ => {
                    let _ = writeln!(
                        sink,
                        "Bandenwissel {make} {model}, opslaglocatie rek {}-{}, {} banden, profiel {},{} mm.",
                        rng.range(1, 40),
                        rng.range(1, 9),
                        rng.range(2, 4),
                        rng.range(2, 8),
                        rng.below(10)
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Logs

const ROUTES: &[&str] = &[
    "GET /api/voorraad",
    "GET /api/werkorders",
    "POST /api/werkorders",
    "GET /api/dashboard",
    "GET /api/afspraken",
    "POST /api/leads",
    "GET /api/klanten",
];

fn app_log(rng: &mut Rng, sink: &mut Sink, target: u64) {
    let _ = writeln!(
        sink,
        "{} INFO  crm-api starting version=2.14.0 commit={} pid={}",
        timestamp(rng),
        hex(rng, 40),
        rng.range(1000, 60_000)
    );
    while sink.bytes() < target {
        let ts = timestamp(rng);
        let req = hex(rng, 12);
        if rng.chance(55) {
            let _ = match rng.below(4) {
                0 => writeln!(
                    sink,
                    "{ts} DEBUG health check from 127.0.0.1 ok in {}ms",
                    rng.range(1, 9)
                ),
                1 => writeln!(
                    sink,
                    "{ts} DEBUG cache hit ratio={}.{:02} entries={} evictions={}",
                    rng.below(2),
                    rng.below(100),
                    rng.range(100, 90_000),
                    rng.below(500)
                ),
                2 => writeln!(
                    sink,
                    "{ts} INFO  db pool active={} idle={} waiting={} max=20",
                    rng.below(20),
                    rng.below(20),
                    rng.below(5)
                ),
                _ => writeln!(
                    sink,
                    "{ts} DEBUG gc heap_used={}MB heap_total={}MB pause={}ms",
                    rng.range(80, 900),
                    rng.range(900, 2000),
                    rng.range(1, 40)
                ),
            };
            continue;
        }
        match rng.below(10) {
            0..=2 => {
                let _ = write!(
                    sink,
                    "{ts} INFO  req={req} {} 200 {}ms client=",
                    rng.pick(ROUTES),
                    rng.range(1, 400)
                );
                sink.pii(Entity::IpAddress, &ip(rng));
                sink.s("\n");
            }
            3 => {
                let p = Person::new(rng, 0);
                let _ = write!(
                    sink,
                    "{ts} INFO  req={req} POST /api/login 200 {}ms client=",
                    rng.range(20, 90)
                );
                sink.pii(Entity::IpAddress, &ip(rng));
                sink.s(" user=");
                sink.pii(Entity::Email, &email(rng, &p));
                sink.s("\n");
            }
            4 => {
                let _ = writeln!(
                    sink,
                    "{ts} DEBUG session created id={} ttl=3600s",
                    uuid(rng)
                );
            }
            5 => {
                let _ = write!(sink, "{ts} INFO  job=nightly-export run=");
                sink.look(
                    Entity::Vin,
                    &format!(
                        "2024{:02}{:02}{:02}{:02}{:02}{:03}",
                        rng.range(1, 12),
                        rng.range(1, 28),
                        rng.below(24),
                        rng.below(60),
                        rng.below(60),
                        rng.below(1000)
                    ),
                );
                let _ = writeln!(
                    sink,
                    " wrote {} rows in {}.{:03}s",
                    rng.range(1, 90_000),
                    rng.below(10),
                    rng.below(1000)
                );
            }
            6 => {
                let _ = write!(sink, "{ts} WARN  sms gateway: delivery to ");
                sink.pii(
                    Entity::Phone,
                    &format!("+316{}", {
                        let mut s = String::new();
                        s.push(char::from(*rng.pick(b"123458")));
                        rng.digits(&mut s, 7);
                        s
                    }),
                );
                let _ = writeln!(sink, " failed (attempt {})", rng.range(1, 3));
            }
            7 => {
                let _ = write!(sink, "{ts} INFO  lead created plate=");
                sink.pii(Entity::LicencePlate, &nl_plate_dashed(rng));
                sink.s(" vin=");
                sink.pii(Entity::Vin, &vin(rng));
                sink.s("\n");
            }
            8 => {
                let _ = write!(sink, "{ts} DEBUG upstream_db=");
                sink.look(
                    Entity::IpAddress,
                    &format!("10.0.{}.{}", rng.below(256), rng.range(1, 254)),
                );
                sink.s(":5432 cache=");
                sink.look(
                    Entity::IpAddress,
                    &format!("172.16.{}.{}", rng.below(256), rng.range(1, 254)),
                );
                sink.s(":6379 pg driver version ");
                sink.look(
                    Entity::IpAddress,
                    &format!(
                        "{}.{}.{}.{}",
                        rng.range(1, 9),
                        rng.range(0, 20),
                        rng.range(0, 9),
                        rng.range(0, 99)
                    ),
                );
                sink.s("\n");
            }
            _ => {
                let _ = write!(
                    sink,
                    "{ts} INFO  req={req} GET /api/voorraad 200 {}ms client=",
                    rng.range(1, 400)
                );
                sink.pii(Entity::IpAddress, &ip(rng));
                sink.s(" xff=\"");
                sink.pii(Entity::IpAddress, &ip(rng));
                sink.s(", ");
                sink.look(
                    Entity::IpAddress,
                    &format!("192.168.{}.{}", rng.below(256), rng.range(1, 254)),
                );
                sink.s("\"\n");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Source repository: look-alikes only

/// A 17-digit id as databases and APIs hand them out (snowflake-style ids
/// start with 1).
fn id17(rng: &mut Rng) -> String {
    let mut s = String::from("1");
    rng.digits(&mut s, 16);
    s
}

/// 17 hex digits that do not start with a 0 (a truncated hash).
fn hex17(rng: &mut Rng) -> String {
    let mut s = String::new();
    s.push(char::from(*rng.pick(b"abcdef")));
    s.push_str(&hex(rng, 16));
    s
}

fn bad_iban(rng: &mut Rng) -> String {
    let good = iban(rng).replace(' ', "");
    let check: u32 = good[2..4].parse().unwrap_or(50);
    let wrong = if check >= 97 { check - 1 } else { check + 1 };
    format!("{}{wrong:02}{}", &good[..2], &good[4..])
}

fn bad_card(rng: &mut Rng) -> String {
    let good: String = credit_card(rng)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let last = good.as_bytes()[good.len() - 1] - b'0';
    format!("{}{}", &good[..good.len() - 1], (last + 1) % 10)
}

fn bad_bsn(rng: &mut Rng) -> String {
    let good: String = bsn(rng).chars().filter(char::is_ascii_digit).collect();
    let last = good.as_bytes()[8] - b'0';
    format!("{}{}", &good[..8], (last + 1) % 10)
}

fn bad_vin(rng: &mut Rng) -> String {
    loop {
        let v = vin(rng);
        if matches!(v.as_bytes()[0], b'1'..=b'5' | b'7' | b'L') {
            let mut b = v.into_bytes();
            b[8] = if b[8] == b'X' {
                b'0'
            } else if b[8] == b'9' {
                b'X'
            } else {
                b[8] + 1
            };
            return String::from_utf8_lossy(&b).into_owned();
        }
    }
}

fn reserved_email(rng: &mut Rng) -> String {
    let p = Person::new(rng, 0);
    let local = email(rng, &p);
    let local = local.split('@').next().unwrap_or("user");
    match rng.below(5) {
        0 => format!("{local}@example.com"),
        1 => format!("{local}@mail.example.org"),
        2 => format!("{local}@dealer.test"),
        3 => format!("{local}@crm.invalid"),
        _ => format!("{local}@example.net"),
    }
}

fn source(rng: &mut Rng, sink: &mut Sink, spec: &FileSpec) {
    let ext = spec.path.rsplit('.').next().unwrap_or("js");
    let mut block = 0u64;
    while block == 0 || sink.bytes() < spec.target {
        block += 1;
        match ext {
            "js" | "ts" => source_js(rng, sink, block),
            "py" => source_py(rng, sink, block),
            "rs" => source_rs(rng, sink, block),
            "go" => source_go(rng, sink, block),
            "css" => source_css(rng, sink, block),
            "json" => source_json(rng, sink, block),
            "md" => source_md(rng, sink, block),
            "yaml" => source_yaml(rng, sink, block),
            _ => source_sql(rng, sink, block),
        }
    }
    if ext == "json" {
        sink.s("\n  }\n}\n");
    }
}

fn source_js(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("// dealer-crm front-end helpers. Test values below are deliberately invalid.\n'use strict';\n\nimport core from '");
        sink.look(Entity::Email, "@babel/core");
        sink.s("';\nimport type { Request } from '");
        sink.look(Entity::Email, "@types/express");
        sink.s("';\n\n");
    }
    let _ = write!(sink, "const RETINA_{n} = ['img/");
    sink.look(Entity::Email, "header@2x.jpg");
    sink.s("', 'img/");
    sink.look(Entity::Email, "avatar@3x.webp");
    let _ = write!(
        sink,
        "'];\nconst SESSION_{n} = '{}';\nconst COMMIT_{n} = '{}';\nconst TOKEN_{n} = '",
        uuid(rng),
        hex(rng, 40)
    );
    sink.look(Entity::Vin, &hex17(rng));
    let _ = write!(sink, "';\nconst SNOWFLAKE_{n} = '");
    sink.look(Entity::Vin, &id17(rng));
    let _ = write!(sink, "'; // 17-digit id\nconst SHORT_IDS_{n} = ['");
    sink.look(Entity::LicencePlate, &nl_plate_bare(rng).0);
    sink.s("', '");
    sink.look(Entity::LicencePlate, &nl_plate_bare(rng).0);
    let _ = write!(sink, "', 'X7Y9Z2'];\nconst BAD_IBAN_{n} = '");
    sink.look(Entity::Iban, &bad_iban(rng));
    let _ = write!(sink, "'; // one digit off\nconst BAD_CARD_{n} = '");
    sink.look(Entity::CreditCard, &bad_card(rng));
    let _ = write!(sink, "'; // fails Luhn\nconst SUPPORT_{n} = '");
    sink.look(Entity::Email, &reserved_email(rng));
    let _ = write!(sink, "';\nconst UPSTREAM_{n} = '");
    sink.look(
        Entity::IpAddress,
        &format!(
            "10.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            rng.range(1, 254)
        ),
    );
    let _ = write!(
        sink,
        "';\n\nexport function formatPrice{n}(cents) {{\n  // 123456 -> \"€ 1.234,56\"\n  return '€ ' + (cents / 100).toLocaleString('nl-NL', {{ minimumFractionDigits: 2 }});\n}}\n\nconst css{n} = `@media (min-width: 768px) {{ .logo {{ background: url("
    );
    sink.look(Entity::Email, "logo@2x.png");
    let _ = write!(
        sink,
        "); }} }}`;\nconst TIMEOUT_MS_{n} = {};\n\n",
        rng.range(1000, 60_000)
    );
}

fn source_py(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("\"\"\"Validator tests: every value here is deliberately invalid.\"\"\"\nimport pytest\n\nfrom dealer_crm.validators import is_valid_bsn, is_valid_iban, is_valid_vin, luhn\n\n");
    }
    let _ = write!(
        sink,
        "\ndef test_rejects_bsn_failing_11_proef_{n}():\n    assert not is_valid_bsn(\""
    );
    sink.look(Entity::Bsn, &bad_bsn(rng));
    let _ = write!(
        sink,
        "\")\n\n\ndef test_rejects_iban_with_bad_check_{n}():\n    assert not is_valid_iban(\""
    );
    sink.look(Entity::Iban, &group4(&bad_iban(rng)));
    let _ = write!(
        sink,
        "\")\n\n\ndef test_rejects_vin_with_bad_check_digit_{n}():\n    assert not is_valid_vin(\""
    );
    sink.look(Entity::Vin, &bad_vin(rng));
    let _ = write!(
        sink,
        "\")\n\n\ndef test_luhn_{n}():\n    assert not luhn(\""
    );
    sink.look(Entity::CreditCard, &bad_card(rng));
    let _ = write!(sink, "\")\n\n\nTEST_USER_{n} = {{\"email\": \"");
    sink.look(Entity::Email, &reserved_email(rng));
    let _ = write!(sink, "\", \"max_upload\": \"");
    let size = *rng.pick(&["1024 MB", "2048 KB", "1500 KG", "4096 MB"]);
    sink.look(Entity::Postcode, size);
    let _ = writeln!(sink, "\", \"build\": {}}}", id17(rng));
}

fn source_rs(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("//! Import of vehicle records.\nuse std::io::Result;\nuse std::collections::HashMap;\n\n");
    }
    let _ = write!(sink, "const ORDER_ID_{n}: u64 = ");
    sink.look(Entity::Vin, &id17(rng));
    let _ = write!(sink, ";\nconst CHECKSUM_{n}: &str = \"");
    sink.look(Entity::Vin, &hex17(rng));
    let _ = write!(
        sink,
        "\";\n\n#[test]\nfn rejects_vin_with_wrong_check_digit_{n}() {{\n    assert!(!is_vin(\""
    );
    sink.look(Entity::Vin, &bad_vin(rng));
    let _ = write!(
        sink,
        "\"));\n}}\n\npub fn load_{n}(path: &str) -> Result<HashMap<String, u32>> {{\n    let _ = path;\n    Ok(HashMap::with_capacity({}))\n}}\n\n",
        rng.range(16, 4096)
    );
}

fn source_go(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("package sync\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\n");
    }
    let _ = write!(
        sink,
        "// Remote{n} is where the export is pushed.\nconst Remote{n} = \""
    );
    sink.look(Entity::Email, "git@github.com:dealer/crm-export.git");
    let _ = write!(
        sink,
        "\"\n\nvar dsn{n} = \"postgres://crm:s3cret@db.internal:5432/crm\"\nvar listen{n} = \""
    );
    sink.look(
        Entity::IpAddress,
        &format!("192.168.{}.{}", rng.below(256), rng.range(1, 254)),
    );
    let _ = write!(sink, ":8080\"\nvar docIP{n} = \"");
    sink.look(
        Entity::IpAddress,
        &format!("203.0.113.{}", rng.range(1, 254)),
    );
    let _ = write!(
        sink,
        "\"\n\nfunc Sync{n}(ctx context.Context) error {{\n\tctx, cancel := context.WithTimeout(ctx, {}*time.Second)\n\tdefer cancel()\n\treturn nil\n}}\n\n",
        rng.range(5, 120)
    );
}

fn source_css(rng: &mut Rng, sink: &mut Sink, n: u64) {
    let _ = write!(sink, ".logo-{n} {{ background-image: url(/img/");
    sink.look(Entity::Email, "logo@2x.png");
    let _ = write!(
        sink,
        "); color: #{}; }}\n@media (min-width: {}px) {{ .card-{n} {{ padding: {}px; }} }}\n.hero-{n} {{ background: url(\"/img/",
        hex(rng, 6).to_uppercase(),
        rng.range(320, 1440),
        rng.range(2, 32)
    );
    sink.look(Entity::Email, "hero@3x.webp");
    sink.s("\"); }\n");
}

fn source_json(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("{\n  \"name\": \"");
        sink.look(Entity::Email, "@dealer/crm-ui");
        sink.s("\",\n  \"version\": \"2.14.0\",\n  \"packages\": {\n");
    } else {
        sink.s(",\n");
    }
    let (pkg, version) = *rng.pick(&[
        ("@babel/core", "7.23.0"),
        ("@types/node", "20.11.5"),
        ("@vue/cli-service", "5.0.8"),
        ("lodash", "4.17.21"),
        ("react", "18.2.0"),
    ]);
    let _ = write!(
        sink,
        "    \"node_modules/{pkg}-{n}\": {{\n      \"version\": \"{version}\",\n      \"resolved\": \"https://registry.npmjs.org/{pkg}/-/x-{version}.tgz\",\n      \"integrity\": \"sha512-{}\",\n      \"spec\": \"",
        hex(rng, 64)
    );
    sink.look(
        Entity::Email,
        &format!("{}@{version}", pkg.rsplit('/').next().unwrap_or(pkg)),
    );
    let _ = write!(sink, "\",\n      \"buildId\": \"");
    sink.look(Entity::Vin, &id17(rng));
    sink.s("\"\n    }");
}

fn source_md(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("# dealer-crm\n\nInternal CRM of the dealership. Questions: ");
        sink.look(Entity::Email, &reserved_email(rng));
        sink.s("\n\n");
    }
    let _ = write!(sink, "## Release {n}\n\n- AssemblyVersion ");
    sink.look(
        Entity::IpAddress,
        &format!(
            "{}.{}.{}.{}",
            rng.range(1, 9),
            rng.below(20),
            rng.below(9),
            rng.range(0, 9999)
        ),
    );
    let _ = write!(sink, "\n- Upload limit raised to ");
    sink.look(
        Entity::Postcode,
        &format!("{} MB", rng.pick(&["1024", "2048", "4096"])),
    );
    let _ = write!(
        sink,
        "\n- Test plates in the docs use the template XX-99-XX.\n- Ticket ids look like "
    );
    sink.look(Entity::LicencePlate, &nl_plate_bare(rng).0);
    let _ = write!(
        sink,
        " (six characters, no dashes).\n- Released {}.\n\n",
        recent_date(rng)
    );
}

fn source_yaml(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("# deployment of the CRM\nservices:\n");
    }
    let _ = write!(
        sink,
        "  crm-api-{n}:\n    image: registry.gitlab.com/dealer/crm@sha256:{}\n    environment:\n      SMTP_FROM: ",
        hex(rng, 64)
    );
    sink.look(Entity::Email, &reserved_email(rng));
    sink.s("\n      DB_HOST: ");
    sink.look(
        Entity::IpAddress,
        &format!(
            "10.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            rng.range(1, 254)
        ),
    );
    let _ = write!(
        sink,
        "\n      SESSION_SECRET: {}\n      BUILD: \"",
        uuid(rng)
    );
    sink.look(Entity::Vin, &id17(rng));
    sink.s("\"\n");
}

fn source_sql(rng: &mut Rng, sink: &mut Sink, n: u64) {
    if n == 1 {
        sink.s("-- Test data for the migrations: nothing here is a real customer.\nCREATE TABLE test_klanten (id int, naam text, email text, iban text, kaart text);\n");
    }
    let _ = write!(sink, "INSERT INTO test_klanten VALUES ({n}, 'Test {n}', '");
    sink.look(Entity::Email, &reserved_email(rng));
    sink.s("', '");
    sink.look(Entity::Iban, &bad_iban(rng));
    sink.s("', '");
    sink.look(Entity::CreditCard, &bad_card(rng));
    sink.s("');\n");
}
