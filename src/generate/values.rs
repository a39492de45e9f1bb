//! Personal data that is valid by construction: names and addresses, and
//! identifiers with their real structure (check digits, numbering plans,
//! licence plate sidecodes and letter rules). Each function returns the value
//! as written in a document; the written form varies the way people and
//! export tools vary it.

use super::rng::Rng;
use crate::validate::{bsn_11proef, vin_check_digit};

pub const FIRST_NAMES: &[&str] = &[
    "Jeroen",
    "Anouk",
    "Pieter",
    "Fatima",
    "Sanne",
    "Daan",
    "Lisa",
    "Mehmet",
    "Sophie",
    "Thomas",
    "Emma",
    "Lucas",
    "Julia",
    "Bram",
    "Fleur",
    "Ruben",
    "Iris",
    "Stijn",
    "Noor",
    "Tim",
    "Eva",
    "Koen",
    "Lotte",
    "Mohamed",
    "Yasmina",
    "Kevin",
    "Linda",
    "Hans",
    "Ingrid",
    "Willem",
    "Marieke",
    "Sander",
    "Esther",
    "Bas",
    "Femke",
    "Jan",
    "Kees",
    "Annelies",
    "Gerrit",
    "Wilma",
    "Henk",
    "Joost",
    "Nina",
    "Ahmed",
    "Priya",
    "Wei",
    "Olga",
    "Piotr",
    "Agnieszka",
    "Mark",
];

/// Names with characters outside ASCII, all of them in Windows-1252 (the
/// legacy export is written in it).
pub const ACCENTED_FIRST_NAMES: &[&str] = &[
    "Zoë",
    "Anaïs",
    "Chloë",
    "Noël",
    "Daniël",
    "Inès",
    "René",
    "André",
    "Mélanie",
    "Hélène",
    "Françoise",
    "José",
    "Björn",
    "Jürgen",
    "Søren",
    "Raphaël",
    "Loïs",
    "Michiel",
    "Ünal",
    "Maëlle",
];

pub const SURNAMES: &[&str] = &[
    "de Vries",
    "van den Berg",
    "Bakker",
    "Jansen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "El Amrani",
    "Yilmaz",
    "Kaya",
    "Nguyen",
    "van Dijk",
    "Janssen",
    "de Jong",
    "Koster",
    "Prins",
    "Huisman",
    "Kuipers",
    "Veenstra",
    "Post",
    "Kok",
    "Vermeulen",
    "Willems",
    "Boer",
    "Scholten",
    "Wijnands",
    "Chaouch",
];

pub const ACCENTED_SURNAMES: &[&str] = &[
    "Özdemir",
    "Çelik",
    "Müller",
    "Lefèvre",
    "Brontë",
    "Gödel",
    "Ruïz",
    "Nuñez",
    "Ünlü",
    "Hoëlle",
    "van Bergën",
];

pub const STREETS: &[&str] = &[
    "Hoofdstraat",
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Schoolstraat",
    "Molenweg",
    "Parkweg",
    "Julianastraat",
    "Wilhelminastraat",
    "Beatrixlaan",
    "Noorderstraat",
    "Kerkweg",
    "Industrieweg",
    "Marktplein",
    "Eikenlaan",
    "Beukenlaan",
    "Lindelaan",
    "Nieuwstraat",
];

pub const CITIES: &[&str] = &[
    "Emmen",
    "Assen",
    "Groningen",
    "Zwolle",
    "Hoogeveen",
    "Coevorden",
    "Meppel",
    "Utrecht",
    "Amsterdam",
    "Rotterdam",
    "Den Haag",
    "Eindhoven",
    "Arnhem",
    "Nijmegen",
    "Leeuwarden",
    "Enschede",
    "Almere",
    "Breda",
    "Tilburg",
    "Apeldoorn",
];

pub const MAKES: &[(&str, &[&str])] = &[
    (
        "Volkswagen",
        &["Golf", "Polo", "ID.3", "Passat", "Tiguan", "Up!"],
    ),
    ("Opel", &["Corsa", "Astra", "Mokka", "Zafira"]),
    ("Renault", &["Clio", "Megane", "Captur", "Zoe"]),
    ("Peugeot", &["208", "308", "2008", "3008"]),
    ("Toyota", &["Yaris", "Corolla", "Aygo X", "RAV4"]),
    ("Kia", &["Niro EV", "Picanto", "Ceed", "Sportage"]),
    ("BMW", &["118i", "320d", "X1", "i4"]),
    ("Audi", &["A3 Sportback", "A4 Avant", "Q3", "e-tron"]),
    ("Tesla", &["Model 3", "Model Y"]),
    ("Skoda", &["Octavia", "Fabia", "Enyaq"]),
    ("Volvo", &["V60", "XC40", "240 GL"]),
];

/// A person: the fields the documents draw from.
#[derive(Debug, Clone)]
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub street: &'static str,
    pub number: u32,
    pub city: &'static str,
}

impl Person {
    /// A person; `accented_percent` of them have names outside ASCII.
    pub fn new(rng: &mut Rng, accented_percent: u64) -> Person {
        let (first, last) = if rng.chance(accented_percent) {
            (
                *rng.pick(ACCENTED_FIRST_NAMES),
                if rng.chance(50) {
                    *rng.pick(ACCENTED_SURNAMES)
                } else {
                    *rng.pick(SURNAMES)
                },
            )
        } else {
            (*rng.pick(FIRST_NAMES), *rng.pick(SURNAMES))
        };
        Person {
            first,
            last,
            street: STREETS[rng.below(STREETS.len() as u64) as usize],
            number: rng.range(1, 180) as u32,
            city: CITIES[rng.below(CITIES.len() as u64) as usize],
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// ASCII folding for mailbox names: `Zoë Özdemir` -> `zoe`, `ozdemir`.
fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ğ' => 'g',
            'Ö' | 'Ø' => 'o',
            'Ü' => 'u',
            'Ç' => 'c',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        }
    }
    out
}

const MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "live.nl",
    "ziggo.nl",
    "kpnmail.nl",
    "kpn.nl",
    "xs4all.nl",
    "planet.nl",
    "hetnet.nl",
    "home.nl",
    "icloud.com",
    "yahoo.com",
    "telfort.nl",
    "upcmail.nl",
    "proton.me",
    "gmx.de",
    "telenet.be",
    "skynet.be",
];

/// A personal or business e-mail address for `p`.
pub fn email(rng: &mut Rng, p: &Person) -> String {
    let first = fold(p.first);
    let last = fold(p.last);
    let domain = if rng.chance(15) {
        let kind = ["bouw", "transport", "installatie", "schilders", "advies"];
        format!("{}{}.nl", last, rng.pick(&kind))
    } else {
        (*rng.pick(MAIL_DOMAINS)).to_string()
    };
    let local = match rng.below(8) {
        0 => format!("{first}.{last}"),
        1 => format!("{}.{last}", &first[..1]),
        2 => format!("{first}{last}"),
        3 => format!("{last}.{first}"),
        4 => format!("{first}_{last}"),
        5 => format!("{}{last}{}", &first[..1], rng.range(60, 99)),
        6 => format!("{first}.{last}+auto"),
        _ => format!("{first}{}", rng.range(1, 2005)),
    };
    format!("{local}@{domain}")
}

/// Dutch area codes without the trunk 0 (two- and three-digit).
const AREA_2: &[&str] = &[
    "10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38", "40", "43", "45", "46",
    "50", "53", "55", "58", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79",
];
const AREA_3: &[&str] = &[
    "591", "528", "521", "522", "523", "524", "525", "527", "529", "541", "543", "544", "545",
    "546", "547", "548", "561", "562", "566", "570", "571", "572", "573", "575", "577", "578",
    "592", "593", "594", "595", "596", "597", "598", "599", "111", "113", "114", "115", "117",
    "118", "161", "162", "164", "165", "166", "167", "168", "172", "174", "180", "181", "182",
    "183", "184", "186", "187", "222", "223", "224", "226", "227", "228", "229", "251", "252",
    "255", "294", "297", "299", "313", "314", "315", "316", "317", "318", "320", "321", "341",
    "342", "343", "344", "345", "346", "347", "348", "411", "412", "413", "416", "418", "475",
    "478", "481", "485", "486", "487", "488", "492", "493", "495", "497", "499", "511", "512",
    "513", "514", "515", "516", "517", "518", "519",
];

/// A Dutch phone number in one of the written forms people and exports use.
pub fn phone(rng: &mut Rng) -> String {
    let kind = rng.below(10);
    if kind < 6 {
        // Mobile: 06 followed by 1-5 or 8 and seven digits.
        let mut sub = String::with_capacity(8);
        sub.push(char::from(*rng.pick(b"123458")));
        rng.digits(&mut sub, 7);
        let (a, b, c, d) = (&sub[..2], &sub[2..4], &sub[4..6], &sub[6..]);
        return match rng.below(8) {
            0 | 1 => format!("06-{sub}"),
            2 => format!("06{sub}"),
            3 => format!("06 {a} {b} {c} {d}"),
            4 => format!("+31 6 {sub}"),
            5 => format!("+316{sub}"),
            6 => format!("0031 6 {} {}", &sub[..4], &sub[4..]),
            _ => format!("06 - {sub}"),
        };
    }
    // Landline: the subscriber number starts with 2-9.
    let (area, len) = if rng.chance(50) {
        (*rng.pick(AREA_2), 7)
    } else {
        (*rng.pick(AREA_3), 6)
    };
    let mut sub = String::with_capacity(len);
    sub.push(char::from(b'2' + rng.below(8) as u8));
    rng.digits(&mut sub, len - 1);
    let spaced = if len == 7 {
        format!("{} {}", &sub[..3], &sub[3..])
    } else {
        format!("{} {} {}", &sub[..2], &sub[2..4], &sub[4..])
    };
    match rng.below(6) {
        0 | 1 => format!("0{area}-{sub}"),
        2 => format!("0{area} {spaced}"),
        3 => format!("(0{area}) {spaced}"),
        4 => format!("+31 (0){area} {spaced}"),
        _ => format!("+31 {area} {sub}"),
    }
}

/// Letters on Dutch plates from sidecode 4 on: consonants without C and Q
/// (Y left out too: it was dropped from sidecode 7 on).
const NL_PLATE_LETTERS: &[u8] = b"BDFGHJKLMNPRSTVWXZ";
const NL_UNISSUED: &[&str] = &[
    "GVD", "KKK", "NSB", "PKK", "PSV", "TBS", "SS", "SD", "SA", "PVV", "SGP", "VVD", "KVT", "LPF",
    "BBB", "SP",
];
/// Sidecodes 1-14: layout and dash groups.
const NL_SIDECODES: &[(&str, [usize; 3])] = &[
    ("LLDDDD", [2, 2, 2]),
    ("DDDDLL", [2, 2, 2]),
    ("DDLLDD", [2, 2, 2]),
    ("LLDDLL", [2, 2, 2]),
    ("LLLLDD", [2, 2, 2]),
    ("DDLLLL", [2, 2, 2]),
    ("DDLLLD", [2, 3, 1]),
    ("DLLLDD", [1, 3, 2]),
    ("LLDDDL", [2, 3, 1]),
    ("LDDDLL", [1, 3, 2]),
    ("LLLDDL", [3, 2, 1]),
    ("LDDLLL", [1, 2, 3]),
    ("DLLDDD", [1, 2, 3]),
    ("DDDLLD", [3, 2, 1]),
];

/// A Dutch plate as the RDW stores it (six characters, no dashes) and its
/// dash groups. Every sidecode occurs; recent ones are more common, as on
/// the road.
pub fn nl_plate_bare(rng: &mut Rng) -> (String, [usize; 3]) {
    loop {
        let idx = if rng.chance(60) {
            rng.range(6, 10) as usize
        } else {
            rng.below(NL_SIDECODES.len() as u64) as usize
        };
        let (layout, groups) = NL_SIDECODES[idx];
        let plate: String = layout
            .bytes()
            .map(|k| {
                if k == b'D' {
                    char::from(rng.digit())
                } else {
                    char::from(*rng.pick(NL_PLATE_LETTERS))
                }
            })
            .collect();
        // Letter groups never spell an unissued combination, and a plate
        // whose letters are all X reads as the "XX-99-XX" template.
        let letters: String = plate.chars().filter(char::is_ascii_alphabetic).collect();
        let bad = NL_UNISSUED.iter().any(|u| {
            let mut at = 0;
            groups.iter().any(|&n| {
                let g = &plate[at..at + n];
                at += n;
                g.chars().all(|c| c.is_ascii_alphabetic()) && g.contains(u)
            })
        });
        if bad || letters.chars().all(|c| c == 'X') {
            continue;
        }
        return (plate, groups);
    }
}

/// A Dutch plate with dashes at its sidecode's group boundaries.
pub fn nl_plate_dashed(rng: &mut Rng) -> String {
    let (plate, groups) = nl_plate_bare(rng);
    join_groups(&plate, &groups, '-')
}

pub fn join_groups(plate: &str, groups: &[usize], sep: char) -> String {
    let mut out = String::with_capacity(plate.len() + 2);
    let mut at = 0;
    for (i, &n) in groups.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        out.push_str(&plate[at..at + n]);
        at += n;
    }
    out
}

fn upper_letters(rng: &mut Rng, out: &mut String, n: usize, alphabet: &[u8]) {
    for _ in 0..n {
        out.push(char::from(*rng.pick(alphabet)));
    }
}

const AZ: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A Belgian plate (since 2010): `1-ABC-123`.
pub fn be_plate(rng: &mut Rng) -> String {
    let mut s = format!("{}-", rng.range(1, 2));
    upper_letters(rng, &mut s, 3, AZ);
    format!("{s}-{:03}", rng.range(1, 999))
}

const DE_DISTRICTS: &[&str] = &[
    "B", "M", "HH", "K", "D", "F", "S", "DO", "E", "DU", "BO", "KLE", "BOR", "AC", "MS", "WES",
    "OS", "H", "HB", "N",
];

/// A German plate: `B-AB 1234`, sometimes with the E suffix of electric cars.
pub fn de_plate(rng: &mut Rng) -> String {
    let district = *rng.pick(DE_DISTRICTS);
    loop {
        let mut letters = String::new();
        let n = rng.range(1, 2) as usize;
        upper_letters(rng, &mut letters, n, AZ);
        if ["HJ", "KZ", "NS", "SA", "SS"].contains(&letters.as_str()) {
            continue;
        }
        let max_digits = (8 - district.len() - n).min(4);
        let digits = rng.range(1, max_digits as u64) as u32;
        let number = rng.range(10u64.pow(digits - 1), 10u64.pow(digits) - 1);
        let suffix = if rng.chance(10) { "E" } else { "" };
        return format!("{district}-{letters} {number}{suffix}");
    }
}

/// French SIV letters: no I, O, U.
const FR_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ";

/// A French SIV plate: `AB-123-CD`.
pub fn fr_plate(rng: &mut Rng) -> String {
    loop {
        let (mut a, mut b) = (String::new(), String::new());
        upper_letters(rng, &mut a, 2, FR_LETTERS);
        upper_letters(rng, &mut b, 2, FR_LETTERS);
        if a == "SS" || b == "SS" || a == "WW" {
            continue;
        }
        return format!("{a}-{:03}-{b}", rng.range(1, 999));
    }
}

/// A British plate (2001 system): `AB12 CDE`.
pub fn gb_plate(rng: &mut Rng) -> String {
    let mut s = String::new();
    upper_letters(rng, &mut s, 1, b"ABCDEFGHKLMNOPRSVWY");
    upper_letters(rng, &mut s, 1, b"ABCDEFGHJKLMNOPRSTUVWXY");
    let age = if rng.chance(50) {
        rng.range(2, 25)
    } else {
        rng.range(51, 75)
    };
    s.push_str(&format!("{age:02} "));
    upper_letters(rng, &mut s, 3, b"ABCDEFGHJKLMNOPRSTUVWXYZ");
    s
}

const VIN_CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const VIN_YEARS: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
/// European manufacturers, which do not use the check digit.
const WMI_EU: &[&str] = &[
    "WVW", "WAU", "WBA", "W0L", "VF1", "VF3", "VF7", "WF0", "TMB", "VSS", "YV1", "ZFA", "WDD",
    "W1K", "SAL", "U5Y", "WVG", "VR3",
];
/// Where the check digit is mandatory: North America and China.
const WMI_CHECKED: &[&str] = &[
    "1HG", "1FA", "1G1", "2T1", "3VW", "4T1", "5YJ", "5UX", "LRW", "7SA",
];

/// A VIN: European ones mostly without a valid check digit, North American
/// and Chinese ones always with it. The serial (last six) is numeric.
pub fn vin(rng: &mut Rng) -> String {
    let checked = rng.chance(30);
    let wmi = if checked {
        *rng.pick(WMI_CHECKED)
    } else {
        *rng.pick(WMI_EU)
    };
    let mut v: Vec<u8> = wmi.bytes().collect();
    if wmi.starts_with("WV") && rng.chance(70) {
        v.extend_from_slice(b"ZZZ");
        v.push(*rng.pick(VIN_CHARS));
        v.push(*rng.pick(VIN_CHARS));
    } else {
        for _ in 0..5 {
            v.push(*rng.pick(VIN_CHARS));
        }
    }
    v.push(if wmi.starts_with("WV") {
        b'Z'
    } else {
        *rng.pick(VIN_CHARS)
    });
    v.push(*rng.pick(VIN_YEARS));
    v.push(*rng.pick(VIN_CHARS));
    for _ in 0..6 {
        v.push(rng.digit());
    }
    if checked && let Some(c) = vin_check_digit(&v) {
        v[8] = c;
    }
    String::from_utf8_lossy(&v).into_owned()
}

const NL_BANKS: &[&str] = &[
    "ABNA", "INGB", "RABO", "SNSB", "ASNB", "TRIO", "BUNQ", "KNAB", "RBRB", "FVLB",
];

/// The IBAN with correct check digits for `country` and `bban` (ISO 13616:
/// 98 minus the mod-97 remainder of BBAN + country + "00").
fn iban_check(country: &str, bban: &str) -> String {
    let mut rem = 0u32;
    for b in bban.bytes().chain(country.bytes()).chain(*b"00") {
        rem = if b.is_ascii_digit() {
            (rem * 10 + u32::from(b - b'0')) % 97
        } else {
            (rem * 100 + u32::from(b.to_ascii_uppercase() - b'A') + 10) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

/// A Dutch SEPA creditor identifier (`NL` check digits `ZZZ` KvK number
/// and a four-digit suffix): mod-97 check digits like an IBAN's, over the
/// rest without the business code `ZZZ`, and 19 characters, which no
/// Dutch IBAN has.
pub fn creditor_id(rng: &mut Rng) -> String {
    let mut id = String::with_capacity(12);
    id.push(char::from(b'1' + rng.below(9) as u8));
    rng.digits(&mut id, 7);
    id.push_str("0000");
    let checked = iban_check("NL", &id);
    format!("{}ZZZ{id}", &checked[..4])
}

/// A phone number as ISO 20022 payment files write it: `+31-` and the
/// national number without its leading zero.
pub fn phone_iso20022(rng: &mut Rng) -> String {
    let mut sub = String::with_capacity(9);
    if rng.chance(70) {
        sub.push('6');
        sub.push(char::from(*rng.pick(b"123458")));
        rng.digits(&mut sub, 7);
    } else {
        let area: &&str = rng.pick(AREA_2);
        sub.push_str(area);
        sub.push(char::from(b'2' + rng.below(8) as u8));
        rng.digits(&mut sub, 6);
    }
    format!("+31-{sub}")
}

/// An IBAN (mostly Dutch; Belgian, German and British too), compact or
/// grouped in fours.
pub fn iban(rng: &mut Rng) -> String {
    let compact = match rng.below(20) {
        0 => {
            let mut b = String::new();
            rng.digits(&mut b, 10);
            let n: u64 = b.parse().unwrap_or(0);
            let key = match n % 97 {
                0 => 97,
                k => k,
            };
            iban_check("BE", &format!("{b}{key:02}"))
        }
        1 => {
            let mut b = String::new();
            rng.digits(&mut b, 18);
            iban_check("DE", &b)
        }
        2 => {
            let mut b = String::from(*rng.pick(&["NWBK", "BARC", "LOYD", "HBUK"]));
            rng.digits(&mut b, 14);
            iban_check("GB", &b)
        }
        _ => {
            let mut b = String::from(*rng.pick(NL_BANKS));
            b.push(char::from(b'0' + rng.below(10) as u8));
            rng.digits(&mut b, 9);
            iban_check("NL", &b)
        }
    };
    if rng.chance(40) {
        group4(&compact)
    } else {
        compact
    }
}

pub fn group4(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A BSN passing the 11-proef, written as nine digits (sometimes dotted or
/// spaced).
pub fn bsn(rng: &mut Rng) -> String {
    loop {
        let mut d = String::with_capacity(9);
        d.push(char::from(b'1' + rng.below(7) as u8));
        rng.digits(&mut d, 7);
        let sum: u32 = d
            .bytes()
            .enumerate()
            .map(|(i, b)| (9 - i as u32) * u32::from(b - b'0'))
            .sum();
        let last = sum % 11;
        if last == 10 {
            continue;
        }
        d.push(char::from(b'0' + last as u8));
        if !bsn_11proef(d.as_bytes()) {
            continue;
        }
        return match rng.below(10) {
            0 => format!("{}.{}.{}", &d[..4], &d[4..6], &d[6..]),
            1 => format!("{} {} {}", &d[..3], &d[3..6], &d[6..]),
            _ => d,
        };
    }
}

/// The Luhn check digit to append to `payload`.
pub fn luhn_digit(payload: &str) -> u8 {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// A payment card number (Visa, Mastercard, Amex) with a valid Luhn digit,
/// grouped as printed or compact.
pub fn credit_card(rng: &mut Rng) -> String {
    let (mut d, len) = match rng.below(10) {
        0..=4 => (String::from("4"), 16),
        5..=7 => (format!("5{}", rng.range(1, 5)), 16),
        _ => (String::from(*rng.pick(&["34", "37"])), 15),
    };
    let missing = len - 1 - d.len();
    rng.digits(&mut d, missing);
    d.push(char::from(luhn_digit(&d)));
    match (len, rng.below(3)) {
        (15, 0) => d,
        (15, _) => format!("{} {} {}", &d[..4], &d[4..10], &d[10..]),
        (_, 0) => d,
        (_, 1) => format!("{} {} {} {}", &d[..4], &d[4..8], &d[8..12], &d[12..]),
        _ => format!("{}-{}-{}-{}", &d[..4], &d[4..8], &d[8..12], &d[12..]),
    }
}

/// First octets of Dutch consumer ISP ranges.
const ISP_FIRST_OCTETS: &[u64] = &[
    37, 45, 46, 62, 77, 80, 81, 82, 83, 84, 85, 86, 87, 89, 94, 95, 145, 146, 178, 188, 212, 213,
    217,
];

/// A public IPv4 or IPv6 address of a customer connection.
pub fn ip(rng: &mut Rng) -> String {
    if rng.chance(80) {
        format!(
            "{}.{}.{}.{}",
            rng.pick(ISP_FIRST_OCTETS),
            rng.range(1, 254),
            rng.below(256),
            rng.range(1, 254)
        )
    } else {
        let prefix = *rng.pick(&["2a02:a44", "2a02:a45", "2001:1c0", "2a01:7c8", "2a10:3781"]);
        let mut s = if prefix.len() == 8 {
            format!("{prefix}{:x}", rng.below(16))
        } else {
            prefix.to_string()
        };
        for _ in 0..6 {
            s.push_str(&format!(":{:x}", rng.range(1, 0xffff)));
        }
        s
    }
}

/// Upper-case suffixes that after four digits read as a unit; a postcode
/// with them needs postcode context (a column or keyword).
pub const UNIT_SUFFIXES: &[&str] = &[
    "AD", "AM", "BC", "CC", "CE", "CM", "EM", "GB", "GW", "HP", "HZ", "KB", "KG", "KM", "KW", "MB",
    "MM", "MS", "MW", "NM", "NS", "PB", "PK", "PM", "PT", "PX", "TB",
];
const POSTCODE_LETTERS: &[u8] = b"ABCDEGHJKLMNPRSTVWXZ";

/// A Dutch postcode `1234 AB`. `free_text`: only letter pairs that do not
/// read as a unit, since prose gives no postcode context.
pub fn postcode(rng: &mut Rng, free_text: bool) -> String {
    loop {
        let mut s = format!("{} ", rng.range(1000, 9999));
        upper_letters(rng, &mut s, 2, POSTCODE_LETTERS);
        let letters = &s[5..];
        if matches!(letters, "SA" | "SD" | "SS") || (free_text && UNIT_SUFFIXES.contains(&letters))
        {
            continue;
        }
        return s;
    }
}

pub const MONTHS_NL: &[&str] = &[
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
pub const MONTHS_EN: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar date (year, month, day) of birth.
pub fn birth_date(rng: &mut Rng) -> (u32, u32, u32) {
    let y = rng.range(1935, 2006) as u32;
    let m = rng.range(1, 12) as u32;
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    (y, m, rng.range(1, days) as u32)
}

/// How a date is written.
#[derive(Debug, Clone, Copy)]
pub enum DateStyle {
    /// `14-02-1979`
    DutchDash,
    /// `1979-02-14`
    Iso,
    /// `14 februari 1979`
    DutchWords,
    /// `February 14, 1979`
    EnglishWords,
    /// `14/02/1979`
    Slash,
}

pub fn format_date((y, m, d): (u32, u32, u32), style: DateStyle) -> String {
    match style {
        DateStyle::DutchDash => format!("{d:02}-{m:02}-{y}"),
        DateStyle::Iso => format!("{y}-{m:02}-{d:02}"),
        DateStyle::DutchWords => format!("{d} {} {y}", MONTHS_NL[m as usize - 1]),
        DateStyle::EnglishWords => format!("{} {d}, {y}", MONTHS_EN[m as usize - 1]),
        DateStyle::Slash => format!("{d:02}/{m:02}/{y}"),
    }
}

/// A non-birth date (an appointment, an APK expiry) in 2019-2026.
pub fn recent_date(rng: &mut Rng) -> String {
    format!(
        "{:02}-{:02}-{}",
        rng.range(1, 28),
        rng.range(1, 12),
        rng.range(2019, 2026)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Entity;
    use crate::validate::{Candidate, Validator, Verdict};

    fn accepted(v: Validator, text: &str) -> bool {
        matches!(
            v.check(&Candidate::whole(text.as_bytes()), "NL"),
            Verdict::Accept(_)
        )
    }

    #[test]
    fn accented_names_fit_windows_1252() {
        for name in ACCENTED_FIRST_NAMES.iter().chain(ACCENTED_SURNAMES) {
            let (_, _, lossy) = encoding_rs::WINDOWS_1252.encode(name);
            assert!(!lossy, "{name}");
        }
    }

    /// Every generated identifier is valid for its validator on its own, so
    /// a miss in the accuracy run is the scanner's, not the generator's.
    #[test]
    fn generated_identifiers_are_valid() {
        let mut rng = Rng::new(42);
        for _ in 0..3000 {
            let p = Person::new(&mut rng, 20);
            let e = email(&mut rng, &p);
            assert!(accepted(Validator::Email, &e), "{e}");
            let ph = phone(&mut rng);
            assert!(accepted(Validator::Phone, &ph), "{ph}");
            assert!(
                crate::validate::phone_to_e164(ph.as_bytes(), "NL").is_some(),
                "{ph}"
            );
            let pl = nl_plate_dashed(&mut rng);
            assert!(accepted(Validator::NlPlate, &pl), "{pl}");
            let (bare, _) = nl_plate_bare(&mut rng);
            assert!(
                matches!(
                    Validator::NlPlate.check(&Candidate::whole(bare.as_bytes()), "NL"),
                    Verdict::NeedsContext(_)
                ),
                "{bare}"
            );
            for (v, t) in [
                (Validator::BePlate, be_plate(&mut rng)),
                (Validator::DePlate, de_plate(&mut rng)),
                (Validator::FrPlate, fr_plate(&mut rng)),
                (Validator::GbPlate, gb_plate(&mut rng)),
                (Validator::Vin, vin(&mut rng)),
                (Validator::Iban, iban(&mut rng)),
                (Validator::CreditCard, credit_card(&mut rng)),
                (Validator::Ipv4, ip(&mut rng)),
                (Validator::NlPostcode, postcode(&mut rng, true)),
            ] {
                let v = if t.contains(':') { Validator::Ipv6 } else { v };
                assert!(accepted(v, &t), "{v:?} {t}");
            }
            let b = bsn(&mut rng);
            assert!(
                matches!(
                    Validator::Bsn.check(&Candidate::whole(b.as_bytes()), "NL"),
                    Verdict::NeedsContext(_)
                ),
                "{b}"
            );
            let card = credit_card(&mut rng);
            let digits: String = card.chars().filter(char::is_ascii_digit).collect();
            assert!(crate::validate::luhn(digits.as_bytes()), "{card}");
            let i = iban(&mut rng).replace(' ', "");
            assert!(crate::validate::iban_mod97(i.as_bytes()), "{i}");
            let d = format_date(birth_date(&mut rng), DateStyle::DutchWords);
            assert!(
                matches!(
                    Validator::Date.check(&Candidate::whole(d.as_bytes()), "NL"),
                    Verdict::NeedsContext(_)
                ),
                "{d}"
            );
        }
        // The normalised forms used for matching exist for every entity.
        assert_eq!(
            crate::redact::normalize(Entity::LicencePlate, "GB-12-NZ", "NL"),
            "GB12NZ"
        );
    }
}
