//! Email addresses: a practical addr-spec check plus the look-alikes that
//! fill source trees and exports (retina image names, git remotes, package
//! version specs, URL credentials, reserved example domains).
//!
//! The TLD must exist: a table of the ICANN top-level domains from the public
//! suffix list (publicsuffix/list at commit 823beb14, as shipped with JDK 25,
//! 2026), ASCII names only. It is kept here instead of pulling in the `psl`
//! crate, which carries every second-level suffix as well; only the TLD is
//! needed to tell `jan@bedrijf.nl` from `logo@2x.png`. Refresh it when new
//! TLDs matter (few are added per year).

use super::{Candidate, Verdict};
use crate::finding::Confidence;

/// The canonical form used for fingerprints: lowercase. The local part is
/// case-sensitive in theory only; every mail system in practice folds it.
pub fn normalize_email(text: &[u8]) -> String {
    String::from_utf8_lossy(text).to_lowercase()
}

/// Characters of the local part the rule pattern accepts.
fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// RFC 2606 / RFC 6761 names and other domains that never hold a person's
/// mailbox; matched on the whole domain or as its suffix.
const RESERVED_DOMAINS: [&str; 4] = ["example.com", "example.net", "example.org", "home.arpa"];
/// Reserved or private-use top-level names (most are absent from the TLD
/// table anyway; listed so the intent survives a table refresh).
const RESERVED_TLDS: [&str; 8] = [
    "test",
    "example",
    "invalid",
    "localhost",
    "local",
    "internal",
    "localdomain",
    "onion",
];

/// Real TLDs that are far more often a file extension than a mail domain.
/// `zip` and `mov` are treated as files outright; the rest only lose
/// confidence, or are rejected when the candidate sits in a path.
const FILE_ONLY_TLDS: [&str; 2] = ["zip", "mov"];
const FILE_LIKE_TLDS: [&str; 7] = ["py", "sh", "md", "java", "map", "pub", "fish"];

/// True when `domain` equals `suffix` or ends with `.suffix` (ASCII case
/// insensitive).
fn domain_is_or_under(domain: &[u8], suffix: &str) -> bool {
    let s = suffix.as_bytes();
    if domain.len() < s.len() {
        return false;
    }
    let (head, tail) = domain.split_at(domain.len() - s.len());
    tail.eq_ignore_ascii_case(s) && (head.is_empty() || head.ends_with(b"."))
}

fn tld_exists(tld: &[u8]) -> bool {
    let mut lower = [0u8; 63];
    let Some(buf) = lower.get_mut(..tld.len()) else {
        return false;
    };
    for (o, b) in buf.iter_mut().zip(tld) {
        *o = b.to_ascii_lowercase();
    }
    // The domains of nearly every address seen here, before the search
    // (all are in the list; the test below keeps it so).
    if matches!(
        &*buf,
        b"nl" | b"com" | b"net" | b"org" | b"be" | b"de" | b"eu"
    ) {
        return true;
    }
    TLDS.binary_search_by(|t| t.as_bytes().cmp(buf)).is_ok()
}

/// `2x`, `3x` (retina image suffixes: `logo@2x.png`).
fn is_scale_label(label: &[u8]) -> bool {
    match label.split_last() {
        Some((b'x' | b'X', digits)) => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Checks the local part: 1-64 allowed characters, no dot at either end and
/// no two dots in a row.
fn local_ok(local: &[u8]) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && local.iter().all(|&b| is_local_char(b))
        && !local.starts_with(b".")
        && !local.ends_with(b".")
        && !local.windows(2).any(|w| w == b"..")
}

/// Checks every label: 1-63 letters, digits or hyphens, no hyphen at either
/// end.
fn label_ok(l: &[u8]) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        && !l.starts_with(b"-")
        && !l.ends_with(b"-")
}

/// What the look-alike checks need of a domain's labels, gathered in one
/// pass without collecting them.
struct Labels<'a> {
    count: usize,
    first: &'a [u8],
    second: &'a [u8],
    last: &'a [u8],
}

/// The labels of `domain`, `None` when one is not a valid label.
fn labels_of(domain: &[u8]) -> Option<Labels<'_>> {
    let mut labels = Labels {
        count: 0,
        first: &[],
        second: &[],
        last: &[],
    };
    for label in domain.split(|&b| b == b'.') {
        if !label_ok(label) {
            return None;
        }
        match labels.count {
            0 => labels.first = label,
            1 => labels.second = label,
            _ => {}
        }
        labels.last = label;
        labels.count += 1;
    }
    Some(labels)
}

/// True when no candidate that ends where `text` ends and starts later is
/// an address [`check`] accepts, so the matcher need not look for one. A
/// later start either leaves the `@` behind (no address) or follows a byte
/// of the local part or an `@`, which [`check`] turns down as a cut-off
/// local part.
pub(super) fn later_starts_rejected(text: &[u8]) -> bool {
    match memchr::memrchr(b'@', text) {
        Some(at) => text[..at].iter().all(|&b| is_local_char(b) || b == b'@'),
        None => true,
    }
}

/// Whether the candidate is the user part of a URL authority:
/// `ssh://git@host/...` or `https://user:pass@host` (a credential, reported
/// by other tools, not a mailbox).
fn in_url_authority(c: &Candidate) -> bool {
    let before = c.before(256);
    let token_start = before
        .iter()
        .rposition(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'(' | b'`'))
        .map_or(0, |i| i + 1);
    let token = &before[token_start..];
    if token.ends_with(b"//") {
        return true;
    }
    let Some(user) = token.strip_suffix(b":") else {
        return false;
    };
    // "//user:" with nothing path-like in between.
    match user.windows(2).rposition(|w| w == b"//") {
        Some(i) => !user[i + 2..]
            .iter()
            .any(|b| matches!(b, b'/' | b'@' | b'?' | b'#')),
        None => false,
    }
}

/// Mail headers whose `<...@host>` values are message identifiers made by
/// mail software (`<5f3a9c@mail.garage.nl>`), not anyone's address.
const MESSAGE_ID_HEADERS: [&[u8]; 4] = [
    b"message-id:",
    b"in-reply-to:",
    b"references:",
    b"content-id:",
];

/// Whether the candidate sits on a Message-ID-like header line.
fn in_message_id_header(c: &Candidate) -> bool {
    let before = c.before(256);
    let line = match memchr::memrchr(b'\n', before) {
        Some(i) => &before[i + 1..],
        // No line start within reach: a header line is never that long.
        None if before.len() == 256 => return false,
        None => before,
    };
    MESSAGE_ID_HEADERS
        .iter()
        .any(|h| line.len() >= h.len() && line[..h.len()].eq_ignore_ascii_case(h))
}

/// Email addresses. Accept(High), or Medium for TLDs that are mostly file
/// extensions (`.py`, `.sh`, `.md` ...).
pub(super) fn check(c: &Candidate) -> Verdict {
    let text = c.text();
    if text.len() > 254 {
        return Verdict::Reject;
    }
    let Some(at) = memchr::memchr(b'@', text) else {
        return Verdict::Reject;
    };
    // A longer local part than the pattern took, or "@@" (first: it is the
    // cheapest check and turns down every start inside a longer match).
    let prev = c.byte_before();
    if prev.is_some_and(|b| is_local_char(b) || b == b'@') {
        return Verdict::Reject;
    }
    let (local, domain) = (&text[..at], &text[at + 1..]);
    if memchr::memchr(b'@', domain).is_some() || !local_ok(local) || domain.len() > 253 {
        return Verdict::Reject;
    }
    let Some(labels) = labels_of(domain).filter(|l| l.count >= 2) else {
        return Verdict::Reject;
    };
    let tld = labels.last;
    if tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) || !tld_exists(tld) {
        return Verdict::Reject;
    }

    // Look-alikes by shape.
    // "logo@2x.png", "icon@1.5x.webp".
    if is_scale_label(labels.first)
        || (labels.count > 2
            && labels.first.iter().all(u8::is_ascii_digit)
            && is_scale_label(labels.second))
    {
        return Verdict::Reject;
    }
    // "pkg@1.2.3-beta.dev": version specs start with two numeric labels
    // (a domain like 163.com has one).
    if labels.count > 2
        && [labels.first, labels.second]
            .iter()
            .all(|l| l.first().is_some_and(u8::is_ascii_digit))
    {
        return Verdict::Reject;
    }
    if RESERVED_DOMAINS
        .iter()
        .any(|d| domain_is_or_under(domain, d))
        || RESERVED_TLDS
            .iter()
            .any(|t| tld.eq_ignore_ascii_case(t.as_bytes()))
    {
        return Verdict::Reject;
    }

    // Look-alikes by surroundings.
    let after = c.after(2);
    let next = after.first().copied();
    match next {
        // Cut short, or "a@b.c@d".
        Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'@') => {
            return Verdict::Reject;
        }
        // "git@github.com:org/repo", "user@host:22"; a colon ending a
        // sentence ("mail jan@x.nl: ...") is followed by a space.
        Some(b':') if after.get(1).is_some_and(|b| !b.is_ascii_whitespace()) => {
            return Verdict::Reject;
        }
        _ => {}
    }
    if in_url_authority(c) || in_message_id_header(c) {
        return Verdict::Reject;
    }
    let file_only = FILE_ONLY_TLDS
        .iter()
        .any(|t| tld.eq_ignore_ascii_case(t.as_bytes()));
    let file_like = FILE_LIKE_TLDS
        .iter()
        .any(|t| tld.eq_ignore_ascii_case(t.as_bytes()));
    if labels.count == 2 && file_only {
        return Verdict::Reject;
    }
    if file_like {
        let in_path = matches!(prev, Some(b'/' | b'\\')) || matches!(next, Some(b'/' | b'\\'));
        return if in_path {
            Verdict::Reject
        } else {
            Verdict::Accept(Confidence::Medium)
        };
    }
    Verdict::Accept(Confidence::High)
}

/// ICANN top-level domains, ASCII names, sorted (see the module docs). `arpa`
/// (infrastructure) and `onion` (special-use) are left out.
#[rustfmt::skip]
const TLDS: &[&str] = &[
    "aaa", "aarp", "abb", "abbott", "abbvie", "abc", "able", "abogado", "abudhabi", "ac",
    "academy", "accenture", "accountant", "accountants", "aco", "actor", "ad", "ads", "adult",
    "ae", "aeg", "aero", "aetna", "af", "afl", "africa", "ag", "agakhan", "agency", "ai", "aig",
    "airbus", "airforce", "airtel", "akdn", "al", "alibaba", "alipay", "allfinanz", "allstate",
    "ally", "alsace", "alstom", "am", "amazon", "americanexpress", "americanfamily", "amex",
    "amfam", "amica", "amsterdam", "analytics", "android", "anquan", "anz", "ao", "aol",
    "apartments", "app", "apple", "aq", "aquarelle", "ar", "arab", "aramco", "archi", "army",
    "art", "arte", "as", "asda", "asia", "associates", "at", "athleta", "attorney", "au",
    "auction", "audi", "audible", "audio", "auspost", "author", "auto", "autos", "aw", "aws",
    "ax", "axa", "az", "azure",
    "ba", "baby", "baidu", "banamex", "band", "bank", "bar", "barcelona", "barclaycard",
    "barclays", "barefoot", "bargains", "baseball", "basketball", "bauhaus", "bayern", "bb",
    "bbc", "bbt", "bbva", "bcg", "bcn", "bd", "be", "beats", "beauty", "beer", "berlin", "best",
    "bestbuy", "bet", "bf", "bg", "bh", "bharti", "bi", "bible", "bid", "bike", "bing", "bingo",
    "bio", "biz", "bj", "black", "blackfriday", "blockbuster", "blog", "bloomberg", "blue", "bm",
    "bms", "bmw", "bn", "bnpparibas", "bo", "boats", "boehringer", "bofa", "bom", "bond", "boo",
    "book", "booking", "bosch", "bostik", "boston", "bot", "boutique", "box", "br", "bradesco",
    "bridgestone", "broadway", "broker", "brother", "brussels", "bs", "bt", "build", "builders",
    "business", "buy", "buzz", "bv", "bw", "by", "bz", "bzh",
    "ca", "cab", "cafe", "cal", "call", "calvinklein", "cam", "camera", "camp", "canon",
    "capetown", "capital", "capitalone", "car", "caravan", "cards", "care", "career", "careers",
    "cars", "casa", "case", "cash", "casino", "cat", "catering", "catholic", "cba", "cbn", "cbre",
    "cc", "cd", "center", "ceo", "cern", "cf", "cfa", "cfd", "cg", "ch", "chanel", "channel",
    "charity", "chase", "chat", "cheap", "chintai", "christmas", "chrome", "church", "ci",
    "cipriani", "circle", "cisco", "citadel", "citi", "citic", "city", "ck", "cl", "claims",
    "cleaning", "click", "clinic", "clinique", "clothing", "cloud", "club", "clubmed", "cm", "cn",
    "co", "coach", "codes", "coffee", "college", "cologne", "com", "commbank", "community",
    "company", "compare", "computer", "comsec", "condos", "construction", "consulting", "contact",
    "contractors", "cooking", "cool", "coop", "corsica", "country", "coupon", "coupons",
    "courses", "cpa", "cr", "credit", "creditcard", "creditunion", "cricket", "crown", "crs",
    "cruise", "cruises", "cu", "cuisinella", "cv", "cw", "cx", "cy", "cymru", "cyou", "cz",
    "dad", "dance", "data", "date", "dating", "datsun", "day", "dclk", "dds", "de", "deal",
    "dealer", "deals", "degree", "delivery", "dell", "deloitte", "delta", "democrat", "dental",
    "dentist", "desi", "design", "dev", "dhl", "diamonds", "diet", "digital", "direct",
    "directory", "discount", "discover", "dish", "diy", "dj", "dk", "dm", "dnp", "do", "docs",
    "doctor", "dog", "domains", "dot", "download", "drive", "dtv", "dubai", "dunlop", "dupont",
    "durban", "dvag", "dvr", "dz",
    "earth", "eat", "ec", "eco", "edeka", "edu", "education", "ee", "eg", "email", "emerck",
    "energy", "engineer", "engineering", "enterprises", "epson", "equipment", "er", "ericsson",
    "erni", "es", "esq", "estate", "et", "eu", "eurovision", "eus", "events", "exchange",
    "expert", "exposed", "express", "extraspace",
    "fage", "fail", "fairwinds", "faith", "family", "fan", "fans", "farm", "farmers", "fashion",
    "fast", "fedex", "feedback", "ferrari", "ferrero", "fi", "fidelity", "fido", "film", "final",
    "finance", "financial", "fire", "firestone", "firmdale", "fish", "fishing", "fit", "fitness",
    "fj", "fk", "flickr", "flights", "flir", "florist", "flowers", "fly", "fm", "fo", "foo",
    "food", "football", "ford", "forex", "forsale", "forum", "foundation", "fox", "fr", "free",
    "fresenius", "frl", "frogans", "frontier", "ftr", "fujitsu", "fun", "fund", "furniture",
    "futbol", "fyi",
    "ga", "gal", "gallery", "gallo", "gallup", "game", "games", "gap", "garden", "gay", "gb",
    "gbiz", "gd", "gdn", "ge", "gea", "gent", "genting", "george", "gf", "gg", "ggee", "gh", "gi",
    "gift", "gifts", "gives", "giving", "gl", "glass", "gle", "global", "globo", "gm", "gmail",
    "gmbh", "gmo", "gmx", "gn", "godaddy", "gold", "goldpoint", "golf", "goo", "goodyear", "goog",
    "google", "gop", "got", "gov", "gp", "gq", "gr", "grainger", "graphics", "gratis", "green",
    "gripe", "grocery", "group", "gs", "gt", "gu", "gucci", "guge", "guide", "guitars", "guru",
    "gw", "gy",
    "hair", "hamburg", "hangout", "haus", "hbo", "hdfc", "hdfcbank", "health", "healthcare",
    "help", "helsinki", "here", "hermes", "hiphop", "hisamitsu", "hitachi", "hiv", "hk", "hkt",
    "hm", "hn", "hockey", "holdings", "holiday", "homedepot", "homegoods", "homes", "homesense",
    "honda", "horse", "hospital", "host", "hosting", "hot", "hotels", "hotmail", "house", "how",
    "hr", "hsbc", "ht", "hu", "hughes", "hyatt", "hyundai",
    "ibm", "icbc", "ice", "icu", "id", "ie", "ieee", "ifm", "ikano", "il", "im", "imamat", "imdb",
    "immo", "immobilien", "in", "inc", "industries", "infiniti", "info", "ing", "ink",
    "institute", "insurance", "insure", "int", "international", "intuit", "investments", "io",
    "ipiranga", "iq", "ir", "irish", "is", "ismaili", "ist", "istanbul", "it", "itau", "itv",
    "jaguar", "java", "jcb", "je", "jeep", "jetzt", "jewelry", "jio", "jll", "jm", "jmp", "jnj",
    "jo", "jobs", "joburg", "jot", "joy", "jp", "jpmorgan", "jprs", "juegos", "juniper",
    "kaufen", "kddi", "ke", "kerryhotels", "kerryproperties", "kfh", "kg", "kh", "ki", "kia",
    "kids", "kim", "kindle", "kitchen", "kiwi", "km", "kn", "koeln", "komatsu", "kosher", "kp",
    "kpmg", "kpn", "kr", "krd", "kred", "kuokgroup", "kw", "ky", "kyoto", "kz",
    "la", "lacaixa", "lamborghini", "lamer", "land", "landrover", "lanxess", "lasalle", "lat",
    "latino", "latrobe", "law", "lawyer", "lb", "lc", "lds", "lease", "leclerc", "lefrak",
    "legal", "lego", "lexus", "lgbt", "li", "lidl", "life", "lifeinsurance", "lifestyle",
    "lighting", "like", "lilly", "limited", "limo", "lincoln", "link", "live", "living", "lk",
    "llc", "llp", "loan", "loans", "locker", "locus", "lol", "london", "lotte", "lotto", "love",
    "lpl", "lplfinancial", "lr", "ls", "lt", "ltd", "ltda", "lu", "lundbeck", "luxe", "luxury",
    "lv", "ly",
    "ma", "madrid", "maif", "maison", "makeup", "man", "management", "mango", "map", "market",
    "marketing", "markets", "marriott", "marshalls", "mattel", "mba", "mc", "mckinsey", "md",
    "me", "med", "media", "meet", "melbourne", "meme", "memorial", "men", "menu", "merck",
    "merckmsd", "mg", "mh", "miami", "microsoft", "mil", "mini", "mint", "mit", "mitsubishi",
    "mk", "ml", "mlb", "mls", "mm", "mma", "mn", "mo", "mobi", "mobile", "moda", "moe", "moi",
    "mom", "monash", "money", "monster", "mormon", "mortgage", "moscow", "moto", "motorcycles",
    "mov", "movie", "mp", "mq", "mr", "ms", "msd", "mt", "mtn", "mtr", "mu", "museum", "music",
    "mv", "mw", "mx", "my", "mz",
    "na", "nab", "nagoya", "name", "navy", "nba", "nc", "ne", "nec", "net", "netbank", "netflix",
    "network", "neustar", "new", "news", "next", "nextdirect", "nexus", "nf", "nfl", "ng", "ngo",
    "nhk", "ni", "nico", "nike", "nikon", "ninja", "nissan", "nissay", "nl", "no", "nokia",
    "norton", "now", "nowruz", "nowtv", "np", "nr", "nra", "nrw", "ntt", "nu", "nyc", "nz",
    "obi", "observer", "office", "okinawa", "olayan", "olayangroup", "ollo", "om", "omega", "one",
    "ong", "onl", "online", "ooo", "open", "oracle", "orange", "org", "organic", "origins",
    "osaka", "otsuka", "ott", "ovh",
    "pa", "page", "panasonic", "paris", "pars", "partners", "parts", "party", "pay", "pccw", "pe",
    "pet", "pf", "pfizer", "pg", "ph", "pharmacy", "phd", "philips", "phone", "photo",
    "photography", "photos", "physio", "pics", "pictet", "pictures", "pid", "pin", "ping", "pink",
    "pioneer", "pizza", "pk", "pl", "place", "play", "playstation", "plumbing", "plus", "pm",
    "pn", "pnc", "pohl", "poker", "politie", "porn", "post", "pr", "pramerica", "praxi", "press",
    "prime", "pro", "prod", "productions", "prof", "progressive", "promo", "properties",
    "property", "protection", "pru", "prudential", "ps", "pt", "pub", "pw", "pwc", "py",
    "qa", "qpon", "quebec", "quest",
    "racing", "radio", "re", "read", "realestate", "realtor", "realty", "recipes", "red",
    "redstone", "redumbrella", "rehab", "reise", "reisen", "reit", "reliance", "ren", "rent",
    "rentals", "repair", "report", "republican", "rest", "restaurant", "review", "reviews",
    "rexroth", "rich", "richardli", "ricoh", "ril", "rio", "rip", "ro", "rocks", "rodeo",
    "rogers", "room", "rs", "rsvp", "ru", "rugby", "ruhr", "run", "rw", "rwe", "ryukyu",
    "sa", "saarland", "safe", "safety", "sakura", "sale", "salon", "samsclub", "samsung",
    "sandvik", "sandvikcoromant", "sanofi", "sap", "sarl", "sas", "save", "saxo", "sb", "sbi",
    "sbs", "sc", "scb", "schaeffler", "schmidt", "scholarships", "school", "schule", "schwarz",
    "science", "scot", "sd", "se", "search", "seat", "secure", "security", "seek", "select",
    "sener", "services", "seven", "sew", "sex", "sexy", "sfr", "sg", "sh", "shangrila", "sharp",
    "shell", "shia", "shiksha", "shoes", "shop", "shopping", "shouji", "show", "si", "silk",
    "sina", "singles", "site", "sj", "sk", "ski", "skin", "sky", "skype", "sl", "sling", "sm",
    "smart", "smile", "sn", "sncf", "so", "soccer", "social", "softbank", "software", "sohu",
    "solar", "solutions", "song", "sony", "soy", "spa", "space", "sport", "spot", "sr", "srl",
    "ss", "st", "stada", "staples", "star", "statebank", "statefarm", "stc", "stcgroup",
    "stockholm", "storage", "store", "stream", "studio", "study", "style", "su", "sucks",
    "supplies", "supply", "support", "surf", "surgery", "suzuki", "sv", "swatch", "swiss", "sx",
    "sy", "sydney", "systems", "sz",
    "tab", "taipei", "talk", "taobao", "target", "tatamotors", "tatar", "tattoo", "tax", "taxi",
    "tc", "tci", "td", "tdk", "team", "tech", "technology", "tel", "temasek", "tennis", "teva",
    "tf", "tg", "th", "thd", "theater", "theatre", "tiaa", "tickets", "tienda", "tips", "tires",
    "tirol", "tj", "tjmaxx", "tjx", "tk", "tkmaxx", "tl", "tm", "tmall", "tn", "to", "today",
    "tokyo", "tools", "top", "toray", "toshiba", "total", "tours", "town", "toyota", "toys", "tr",
    "trade", "trading", "training", "travel", "travelers", "travelersinsurance", "trust", "trv",
    "tt", "tube", "tui", "tunes", "tushu", "tv", "tvs", "tw", "tz",
    "ua", "ubank", "ubs", "ug", "uk", "unicom", "university", "uno", "uol", "ups", "us", "uy",
    "uz",
    "va", "vacations", "vana", "vanguard", "vc", "ve", "vegas", "ventures", "verisign",
    "versicherung", "vet", "vg", "vi", "viajes", "video", "vig", "viking", "villas", "vin", "vip",
    "virgin", "visa", "vision", "viva", "vivo", "vlaanderen", "vn", "vodka", "volvo", "vote",
    "voting", "voto", "voyage", "vu",
    "wales", "walmart", "walter", "wang", "wanggou", "watch", "watches", "weather",
    "weatherchannel", "webcam", "weber", "website", "wed", "wedding", "weibo", "weir", "wf",
    "whoswho", "wien", "wiki", "williamhill", "win", "windows", "wine", "winners", "wme",
    "wolterskluwer", "woodside", "work", "works", "world", "wow", "ws", "wtc", "wtf",
    "xbox", "xerox", "xihuan", "xin", "xxx", "xyz",
    "yachts", "yahoo", "yamaxun", "yandex", "ye", "yodobashi", "yoga", "yokohama", "you",
    "youtube", "yt", "yun",
    "za", "zappos", "zara", "zero", "zip", "zm", "zone", "zuerich", "zw",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence::{High, Medium};

    fn v(text: &str) -> Verdict {
        check(&Candidate::whole(text.as_bytes()))
    }

    fn v_in(hay: &str, inner: &str) -> Verdict {
        let start = hay.find(inner).expect("inner in hay");
        check(&Candidate::new(hay.as_bytes(), start, start + inner.len()))
    }

    #[test]
    fn table_is_sorted_and_lowercase() {
        assert!(TLDS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            TLDS.iter()
                .all(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_lowercase()))
        );
        for t in [
            "nl",
            "com",
            "amsterdam",
            "frl",
            "app",
            "dev",
            "py",
            "rs",
            "zip",
        ] {
            assert!(tld_exists(t.as_bytes()), "{t}");
        }
        for t in [
            "png", "jpg", "js", "ts", "webp", "svg", "json", "local", "test", "arpa",
        ] {
            assert!(!tld_exists(t.as_bytes()), "{t}");
        }
        // The fast path answers only for domains the list holds.
        for t in ["nl", "com", "net", "org", "be", "de", "eu"] {
            assert!(TLDS.binary_search(&t).is_ok(), "{t}");
        }
    }

    #[test]
    fn valid_addresses() {
        // Plain, and from python-email-validator tests/test_syntax.py and
        // isemail tests (the subset a practical scanner accepts).
        for text in [
            "jan.jansen@bedrijf.nl",
            "Address@example.nl",
            "user+mailbox@gmail.com",
            "department@example.nl",
            "first.last@iana.org",
            "12345@163.com",
            "a@b.co",
            "p.de-vries_2@sub.domein.amsterdam",
            "info@garage-jansen.frl",
            "me@startup.io",
            "JAN@BEDRIJF.NL",
            "x%y@mail.example.co.uk",
        ] {
            assert_eq!(v(text), Verdict::Accept(High), "{text}");
        }
        assert_eq!(
            v_in("<jan@bedrijf.nl>", "jan@bedrijf.nl"),
            Verdict::Accept(High)
        );
        assert_eq!(
            v_in("mailto:jan@bedrijf.nl", "jan@bedrijf.nl"),
            Verdict::Accept(High)
        );
        assert_eq!(
            v_in("jan,jan@bedrijf.nl,utrecht", "jan@bedrijf.nl"),
            Verdict::Accept(High)
        );
        assert_eq!(
            v_in("mail jan@bedrijf.nl: hij", "jan@bedrijf.nl"),
            Verdict::Accept(High)
        );
        assert_eq!(
            v_in(
                "https://x.nl/unsubscribe?email=jan@bedrijf.nl",
                "jan@bedrijf.nl"
            ),
            Verdict::Accept(High)
        );
        assert_eq!(v("someone@firma.md"), Verdict::Accept(Medium));
    }

    #[test]
    fn invalid_syntax() {
        for text in [
            ".jan@bedrijf.nl",
            "jan.@bedrijf.nl",
            "jan..jansen@bedrijf.nl",
            "jan@-bedrijf.nl",
            "jan@bedrijf-.nl",
            "jan@bedrijf..nl",
            "jan@bedrijf.n",
            "jan@bedrijf.123",
            "jan@bedrijf",
            "@bedrijf.nl",
            "jan@",
            "jan@@bedrijf.nl",
            "a@b@bedrijf.nl",
            "jan@bedrijf.nonexistenttld",
            "jan@bedrijf.n1",
            "j\u{e9}@bedrijf.nl",
        ] {
            assert_eq!(v(text), Verdict::Reject, "{text}");
        }
        let long_local = format!("{}@bedrijf.nl", "a".repeat(65));
        assert_eq!(v(&long_local), Verdict::Reject);
        let long_label = format!("jan@{}.nl", "a".repeat(64));
        assert_eq!(v(&long_label), Verdict::Reject);
    }

    #[test]
    fn look_alikes() {
        for text in [
            "logo@2x.png",
            "icon@3x.webp",
            "banner@2x.app",
            "hero@1.5x.dev",
            "user@localhost",
            "user@example.com",
            "user@mail.example.org",
            "user@example.net",
            "user@host.test",
            "user@host.example",
            "user@host.invalid",
            "user@host.localhost",
            "user@printer.local",
            "user@router.home.arpa",
            "lodash@4.17.21",
            "react@18.2.0",
            "pkg@1.2.3-beta.dev",
            "vue@3.x",
            "archive@backup.zip",
            "clip@holiday.mov",
        ] {
            assert_eq!(v(text), Verdict::Reject, "{text}");
        }
        assert_eq!(
            v_in("git@github.com:org/repo.git", "git@github.com"),
            Verdict::Reject
        );
        assert_eq!(
            v_in("ssh://git@gitlab.com/org/repo", "git@gitlab.com"),
            Verdict::Reject
        );
        assert_eq!(
            v_in(
                "https://admin:hunter2@db.bedrijf.nl/x",
                "hunter2@db.bedrijf.nl"
            ),
            Verdict::Reject
        );
        assert_eq!(v_in("@babel/core@7.23.0", "core@7.23.0"), Verdict::Reject);
        assert_eq!(v_in("src/util@v2.py", "util@v2.py"), Verdict::Reject);
        assert_eq!(v_in("scripts/run@host.sh", "run@host.sh"), Verdict::Reject);
        // Cut out of a longer token.
        assert_eq!(v_in("xjan@bedrijf.nl", "jan@bedrijf.nl"), Verdict::Reject);
        assert_eq!(v_in("jan@bedrijf.nl-x", "jan@bedrijf.nl"), Verdict::Reject);
    }

    #[test]
    fn message_ids_are_not_addresses() {
        let mail = "From: Jan <jan@ziggo.nl>\nMessage-ID: <5f3a9c01@mail.garage-bakker.nl>\nIn-Reply-To: <a1b2@mail.garage-bakker.nl>\nTo: <werkplaats@garage-bakker.nl>\n";
        assert_eq!(
            v_in(mail, "5f3a9c01@mail.garage-bakker.nl"),
            Verdict::Reject
        );
        assert_eq!(v_in(mail, "a1b2@mail.garage-bakker.nl"), Verdict::Reject);
        assert_eq!(v_in(mail, "jan@ziggo.nl"), Verdict::Accept(High));
        assert_eq!(
            v_in(mail, "werkplaats@garage-bakker.nl"),
            Verdict::Accept(High)
        );
    }

    #[test]
    fn normalize() {
        assert_eq!(
            normalize_email(b"Jan.Jansen@Bedrijf.NL"),
            "jan.jansen@bedrijf.nl"
        );
    }

    /// Random bytes (ASCII letters, digits, separators, a non-ASCII byte)
    /// inside random surroundings never panic.
    #[test]
    fn never_panics_on_odd_input() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"AB0129 -._@:/xXoO\xc3\xa9";
        for len in 0..24 {
            for _ in 0..400 {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        alphabet[(seed % alphabet.len() as u64) as usize]
                    })
                    .collect();
                let cut = s.len() / 3;
                let inner = Candidate::new(&s, cut, s.len() - cut / 2);
                for c in [Candidate::whole(&s), inner] {
                    let _ = check(&c);
                }
                let _ = normalize_email(&s);
            }
        }
    }

    #[test]
    fn no_later_start_is_accepted_where_the_matcher_stops_looking() {
        // Every stretch of each line, as any pattern could hand it over:
        // when `later_starts_rejected` says so, no later start to the
        // same end may pass.
        let lines = [
            "mail: jan.devries@ziggo.nl, of xjan@crm.invalid",
            "<a href=\"mailto:Jan.Devries@Hotmail.NL\">",
            "Message-ID: <5f3a9c@mail.garage-bakker.nl>",
            "git@github.com:org/repo ssh://git@host.nl/x https://u:pw@host.nl/",
            "logo@2x.png pkg@1.2.3-beta.dev a@b@c.nl jan@@x.nl .dejong@dealer.nl",
            "user.name+tag@sub.domain.co.uk;%x@y.nl|a b@x.nl\t-q@x.de",
        ];
        crate::validate::assert_later_starts_rejected(
            &lines,
            |c| later_starts_rejected(c.text()),
            check,
        );
    }
}
