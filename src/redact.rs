//! Keeping findings from becoming a new copy of the data: normalisation,
//! masking and keyed fingerprints.
//!
//! A fingerprint is a keyed BLAKE3 hash of the entity and the normalised value.
//! It is keyed because the space of phone numbers, BSNs and even e-mail
//! addresses is small enough to enumerate: an unkeyed hash in a report or a
//! baseline could be reversed by hashing every candidate. With a secret key
//! the fingerprint only lets someone holding the same key recognise a value
//! again (distinct counts, baselines, merging shards).
//!
//! Where the key comes from, first match wins:
//! 1. `--key-file FILE` (its contents, any length, are the secret);
//! 2. the environment variable `PIISCAN_KEY` (any string);
//! 3. a per-user key file, `$PIISCAN_KEY_FILE`, else
//!    `$XDG_CONFIG_HOME/piiscan/fingerprint.key`, else
//!    `$HOME/.config/piiscan/fingerprint.key`, created on first use with 32
//!    random bytes and mode 0600.
//!
//! The secret is never used directly: it is stretched with BLAKE3's key
//! derivation under a fixed context, and reports carry only a short key id
//! (a second derivation) so two inventories can be checked to share a key.
//!
//! Distinct counting does not use the fingerprint: it hashes every value,
//! often millions, where nothing prints the result, and keyed BLAKE3 on a
//! short value costs four times what SipHash-2-4 does. Its 64 bits come from
//! SipHash-2-4 under a third derived key; they are as keyed as the
//! fingerprint (inventories carry up to 4096 of them) and cannot be matched
//! against fingerprints.

use crate::error::{Error, Result};
use crate::finding::Entity;
use std::path::{Path, PathBuf};

const KEY_CONTEXT: &str = "piiscan 2026 fingerprint key v1";
const KEY_ID_CONTEXT: &str = "piiscan 2026 key id v1";
const DISTINCT_KEY_CONTEXT: &str = "piiscan 2026 distinct-count key v1";

/// The secret behind every fingerprint of a scan.
#[derive(Clone)]
pub struct FingerprintKey {
    key: [u8; 32],
    /// SipHash key for distinct counting, derived from `key`.
    distinct: (u64, u64),
    /// Where it came from, for `--help`-style messages (never the secret).
    pub origin: String,
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerprintKey")
            .field("id", &self.id())
            .field("origin", &self.origin)
            .finish()
    }
}

impl FingerprintKey {
    /// Derives a key from any secret bytes.
    pub fn from_secret(secret: &[u8], origin: impl Into<String>) -> Self {
        let key = blake3::derive_key(KEY_CONTEXT, secret);
        let distinct = blake3::derive_key(DISTINCT_KEY_CONTEXT, &key);
        let half = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&distinct[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        FingerprintKey {
            key,
            distinct: (half(0), half(8)),
            origin: origin.into(),
        }
    }

    /// Resolves the key as documented at the top of this module.
    pub fn resolve(key_file: Option<&Path>) -> Result<Self> {
        if let Some(path) = key_file {
            let secret = std::fs::read(path)
                .map_err(|e| Error::Key(format!("cannot read {}: {e}", path.display())))?;
            if secret.trim_ascii().is_empty() {
                return Err(Error::Key(format!("{} is empty", path.display())));
            }
            return Ok(Self::from_secret(
                secret.trim_ascii(),
                format!("key file {}", path.display()),
            ));
        }
        if let Some(secret) = std::env::var_os("PIISCAN_KEY").filter(|s| !s.is_empty()) {
            return Ok(Self::from_secret(
                secret.as_encoded_bytes(),
                "environment variable PIISCAN_KEY",
            ));
        }
        let path = default_key_path().ok_or_else(|| {
            Error::Key(
                "no HOME or XDG_CONFIG_HOME to keep a key file in; set PIISCAN_KEY or --key-file"
                    .into(),
            )
        })?;
        let secret = read_or_create_key_file(&path)?;
        Ok(Self::from_secret(
            &secret,
            format!("key file {}", path.display()),
        ))
    }

    /// A short public identifier of the key: equal ids mean comparable
    /// fingerprints. Reveals nothing about the key.
    pub fn id(&self) -> String {
        let id = blake3::derive_key(KEY_ID_CONTEXT, &self.key);
        hex(&id[..6])
    }

    /// The fingerprint of an already normalised value, and its
    /// [`distinct_bits`](Self::distinct_bits).
    pub fn fingerprint(&self, entity: Entity, normalized: &str) -> (String, u64) {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(entity.as_str().as_bytes());
        hasher.update(&[0]);
        hasher.update(normalized.as_bytes());
        let hash = hasher.finalize();
        (
            hex(&hash.as_bytes()[..16]),
            self.distinct_bits(entity, normalized),
        )
    }

    /// 64 keyed bits of an already normalised value for distinct counting:
    /// equal for equal values, uniformly spread, never printed as a
    /// fingerprint.
    pub fn distinct_bits(&self, entity: Entity, normalized: &str) -> u64 {
        use std::hash::Hasher;
        let mut hasher =
            siphasher::sip::SipHasher24::new_with_keys(self.distinct.0, self.distinct.1);
        // The hash streams its input: one write of the joined bytes equals
        // the three writes, and each write costs a round of buffering.
        let mut joined = arrayvec::ArrayVec::<u8, 96>::new();
        let parts: [&[u8]; 3] = [entity.as_str().as_bytes(), &[0], normalized.as_bytes()];
        if parts
            .iter()
            .all(|p| joined.try_extend_from_slice(p).is_ok())
        {
            hasher.write(&joined);
        } else {
            for part in parts {
                hasher.write(part);
            }
        }
        hasher.finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn default_key_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PIISCAN_KEY_FILE").filter(|s| !s.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|s| !s.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("piiscan").join("fingerprint.key"))
}

fn read_or_create_key_file(path: &Path) -> Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(secret) if !secret.trim_ascii().is_empty() => return Ok(secret.trim_ascii().to_vec()),
        Ok(_) => return Err(Error::Key(format!("{} is empty", path.display()))),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::Key(format!("cannot read {}: {e}", path.display())));
        }
        Err(_) => {}
    }
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| Error::Key(format!("no randomness: {e}")))?;
    let secret = hex(&random);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Key(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(secret.as_bytes())
                .map_err(|e| Error::Key(format!("cannot write {}: {e}", path.display())))?;
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs, so both agree.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(path)
            .map(|s| s.trim_ascii().to_vec())
            .map_err(|e| Error::Key(format!("cannot read {}: {e}", path.display()))),
        Err(e) => Err(Error::Key(format!("cannot create {}: {e}", path.display()))),
    }
}

/// The canonical form of a value, so one value written differently (a phone
/// with or without country code, a plate with or without dashes) gets one
/// fingerprint.
pub fn normalize(entity: Entity, text: &str, region: &str) -> String {
    let mut out = String::new();
    normalize_into(entity, text, region, &mut out);
    out
}

/// [`normalize`] into `out` (cleared first): a scan normalises every value
/// only to hash it, so one buffer serves them all.
pub fn normalize_into(entity: Entity, text: &str, region: &str, out: &mut String) {
    out.clear();
    // Bytes, not chars: only ASCII is kept, and no byte of a multi-byte
    // character is ASCII, so the result is the same without decoding.
    let keep_ascii = |out: &mut String, keep: fn(&u8) -> bool, upper: bool| {
        // Written as bytes into the buffer's own allocation: pushing chars
        // costs an encoding step for each.
        let mut bytes = std::mem::take(out).into_bytes();
        bytes.extend(
            text.bytes()
                .filter(keep)
                .map(|b| if upper { b.to_ascii_uppercase() } else { b }),
        );
        *out = String::from_utf8(bytes).expect("only ASCII bytes are kept");
    };
    match entity {
        Entity::Email => {
            let trimmed = text.trim();
            if trimmed.is_ascii() {
                out.push_str(trimmed);
                out.make_ascii_lowercase();
            } else {
                out.push_str(&trimmed.to_lowercase());
            }
        }
        Entity::Phone => match crate::validate::phone_to_e164(text.as_bytes(), region) {
            Some(e164) => out.push_str(&e164),
            None => keep_ascii(out, u8::is_ascii_digit, false),
        },
        Entity::LicencePlate | Entity::Vin | Entity::Iban | Entity::Postcode => {
            keep_ascii(out, u8::is_ascii_alphanumeric, true)
        }
        Entity::Bsn => {
            keep_ascii(out, u8::is_ascii_digit, false);
            // Nine digits: a number written without its leading zero is
            // the same number.
            if out.len() < 9 {
                out.insert_str(0, &"000000000"[out.len()..]);
            }
        }
        Entity::CreditCard | Entity::DateOfBirth => keep_ascii(out, u8::is_ascii_digit, false),
        Entity::IpAddress => {
            out.push_str(text.trim());
            out.make_ascii_lowercase();
        }
        Entity::PersonName | Entity::Address | Entity::FreeText => {
            // Words joined by one space, lower case. ASCII text (most names
            // and addresses) in place; other text keeps the full Unicode
            // rules of `to_lowercase` (a final sigma, for one).
            for word in text.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            if out.is_ascii() {
                out.make_ascii_lowercase();
            } else {
                *out = out.to_lowercase();
            }
        }
    }
}

/// A masked rendering that shows the shape of a value but not the value:
/// `j***@h***.nl`, `NL91 **** **** **** 00`, `+31 6 ******78`.
pub fn mask(entity: Entity, text: &str) -> String {
    let mut out = String::new();
    mask_into(entity, text, &mut out);
    out
}

/// [`mask`] into `out` (cleared first), so a caller that keeps only some
/// masked values reuses one buffer for the rest.
pub fn mask_into(entity: Entity, text: &str, out: &mut String) {
    out.clear();
    match entity {
        Entity::Email => mask_email(text, out),
        Entity::IpAddress => mask_ip(text, out),
        Entity::Iban => mask_keep(text, 4, 2, out),
        Entity::Vin => mask_keep(text, 3, 2, out),
        Entity::Phone => mask_keep_phone(text, out),
        Entity::CreditCard => mask_keep(text, 0, 4, out),
        Entity::Bsn => mask_keep(text, 0, 2, out),
        Entity::LicencePlate => mask_keep(text, 1, 1, out),
        Entity::Postcode => mask_keep(text, 2, 0, out),
        Entity::DateOfBirth => mask_keep(text, 0, 0, out),
        Entity::PersonName | Entity::Address => mask_words(text, out),
        Entity::FreeText => {
            out.push('[');
            out.push_str(&text.chars().count().to_string());
            out.push_str(" characters]");
        }
    }
}

/// Keeps the first letter of each word: `J*** d* V****`.
fn mask_words(text: &str, out: &mut String) {
    for (n, word) in text.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let mut chars = word.chars();
        out.extend(chars.next());
        out.extend(chars.map(|_| '*'));
    }
}

/// Keeps `head` leading and `tail` trailing alphanumerics and separators,
/// replacing every other alphanumeric with `*`.
fn mask_keep(text: &str, head: usize, tail: usize, out: &mut String) {
    // Nearly every value is ASCII, and an inventory masks one for every
    // sample it keeps: bytes are quicker to walk than chars.
    if text.is_ascii() {
        return mask_keep_ascii(text.as_bytes(), head, tail, out);
    }
    mask_keep_chars(text, head, tail, out)
}

/// `head` and `tail`, or none when they would show the whole value.
fn shown(total: usize, head: usize, tail: usize) -> (usize, usize) {
    if head + tail >= total {
        // Too short to show anything safely.
        (0, 0)
    } else {
        (head, tail)
    }
}

fn mask_keep_ascii(text: &[u8], head: usize, tail: usize, out: &mut String) {
    let total = text.iter().filter(|b| b.is_ascii_alphanumeric()).count();
    let (head, tail) = shown(total, head, tail);
    // The alphanumerics numbered head+1..=total-tail are hidden.
    let last_hidden = total - tail;
    let mut seen = 0;
    // Bytes are written as bytes, into the buffer's own allocation.
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.extend(text.iter().map(|&b| {
        if b.is_ascii_alphanumeric() {
            seen += 1;
            if seen > head && seen <= last_hidden {
                return b'*';
            }
        }
        b
    }));
    *out = String::from_utf8(bytes).expect("ASCII added to text");
}

fn mask_keep_chars(text: &str, head: usize, tail: usize, out: &mut String) {
    let total = text.chars().filter(|c| c.is_alphanumeric()).count();
    let (head, tail) = shown(total, head, tail);
    let mut seen = 0;
    out.reserve(text.len());
    out.extend(text.chars().map(|c| {
        if c.is_alphanumeric() {
            seen += 1;
            if seen <= head || seen > total - tail {
                c
            } else {
                '*'
            }
        } else {
            c
        }
    }));
}

fn mask_keep_phone(text: &str, out: &mut String) {
    // Keep an international prefix (+31, 0031) so the country stays visible.
    let trimmed = text.trim_start();
    let head = if let Some(rest) = trimmed.strip_prefix('+') {
        rest.chars()
            .take_while(|c| c.is_ascii_digit())
            .count()
            .min(2)
    } else if trimmed.starts_with("00") {
        4
    } else {
        2
    };
    mask_keep(text, head, 2, out)
}

fn mask_email(text: &str, out: &mut String) {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return mask_keep(text, 1, 0, out);
    };
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    out.extend(local.chars().next());
    out.push_str("***@");
    out.extend(host.chars().next());
    out.push_str("***");
    if !tld.is_empty() {
        out.push('.');
        out.push_str(tld);
    }
}

fn mask_ip(text: &str, out: &mut String) {
    if text.contains(':') {
        out.push_str(text.split(':').next().unwrap_or(""));
        out.push_str(":****:****");
    } else {
        out.push_str(text.split('.').next().unwrap_or(""));
        out.push_str(".*.*.*");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_bits_are_keyed_and_the_fingerprints_own() {
        let key = FingerprintKey::from_secret(b"bits", "test");
        let other = FingerprintKey::from_secret(b"other", "test");
        for (entity, value) in [
            (Entity::Email, "jan@kpn.nl"),
            (Entity::Phone, "+31612345678"),
        ] {
            let (hex, bits) = key.fingerprint(entity, value);
            assert_eq!(key.distinct_bits(entity, value), bits);
            assert_ne!(other.distinct_bits(entity, value), bits);
            assert_ne!(key.distinct_bits(Entity::Bsn, value), bits);
            // Not a prefix of the printed fingerprint in either byte order.
            let prefix = u64::from_str_radix(&hex[..16], 16).unwrap();
            assert!(bits != prefix && bits != prefix.swap_bytes());
        }
    }

    #[test]
    fn distinct_bits_hash_entity_separator_and_value_as_one_stream() {
        use std::hash::Hasher;
        let key = FingerprintKey::from_secret(b"bits", "test");
        let long = "x".repeat(200);
        for value in ["jan@kpn.nl", "", long.as_str(), &long[..80], &long[..81]] {
            let mut by_parts =
                siphasher::sip::SipHasher24::new_with_keys(key.distinct.0, key.distinct.1);
            by_parts.write(b"email");
            by_parts.write(&[0]);
            by_parts.write(value.as_bytes());
            assert_eq!(
                key.distinct_bits(Entity::Email, value),
                by_parts.finish(),
                "{} bytes",
                value.len()
            );
        }
    }

    #[test]
    fn ascii_values_are_masked_as_the_general_path_masks_them() {
        for text in [
            "NL91ABNA0417164300",
            "+31 6 12345678",
            "06-12345678",
            "AB-12-CD",
            "1234 AB",
            "12",
            "",
            "--",
            "a.b-c d",
        ] {
            for (head, tail) in [(0, 0), (0, 2), (1, 1), (2, 0), (3, 2), (4, 2), (9, 9)] {
                let (mut ascii, mut chars) = (String::new(), String::new());
                mask_keep_ascii(text.as_bytes(), head, tail, &mut ascii);
                mask_keep_chars(text, head, tail, &mut chars);
                assert_eq!(ascii, chars, "{text:?} {head} {tail}");
            }
        }
        // The general path serves the rest.
        let mut general = String::new();
        mask_keep("Ørsted 12", 1, 1, &mut general);
        assert_eq!(general, "Ø***** *2");
    }

    #[test]
    fn masking_into_a_used_buffer_leaves_nothing_of_what_it_held() {
        let mut buffer = String::from("a longer value masked before: 0612345678");
        for entity in Entity::ALL {
            for value in [
                "jan@kpn.nl",
                "+31 6 12345678",
                "Ørsted 12",
                "",
                "84.23.11.9",
                "a b",
            ] {
                mask_into(entity, value, &mut buffer);
                assert_eq!(buffer, mask(entity, value), "{entity:?} {value:?}");
            }
        }
        assert_eq!(mask(Entity::PersonName, "  "), "");
        assert_eq!(mask(Entity::Address, "Kerkstraat  1a "), "K********* 1*");
        assert_eq!(mask(Entity::IpAddress, "2001:db8::1"), "2001:****:****");
    }

    #[test]
    fn masks_keep_shape_not_value() {
        assert_eq!(mask(Entity::Email, "jan.jansen@hotmail.nl"), "j***@h***.nl");
        assert_eq!(
            mask(Entity::Iban, "NL91 ABNA 0417 1643 00"),
            "NL91 **** **** **** 00"
        );
        assert_eq!(
            mask(Entity::Iban, "NL91ABNA0417164300"),
            "NL91************00"
        );
        assert_eq!(mask(Entity::Phone, "+31 6 12345678"), "+31 * ******78");
        assert_eq!(mask(Entity::Phone, "06-12345678"), "06-******78");
        assert_eq!(mask(Entity::Bsn, "111222333"), "*******33");
        assert_eq!(mask(Entity::IpAddress, "84.23.11.9"), "84.*.*.*");
        assert_eq!(mask(Entity::DateOfBirth, "12-03-1985"), "**-**-****");
        assert_eq!(mask(Entity::LicencePlate, "GB-12-NZ"), "G*-**-*Z");
        assert_eq!(mask(Entity::PersonName, "Jan de  Vries"), "J** d* V****");
        assert_eq!(mask(Entity::FreeText, "belt terug"), "[10 characters]");
    }

    #[test]
    fn fingerprints_are_keyed_and_stable() {
        let a = FingerprintKey::from_secret(b"one", "test");
        let b = FingerprintKey::from_secret(b"two", "test");
        let fa = a.fingerprint(Entity::Email, "jan@hotmail.nl");
        assert_eq!(fa, a.fingerprint(Entity::Email, "jan@hotmail.nl"));
        assert_ne!(fa.0, b.fingerprint(Entity::Email, "jan@hotmail.nl").0);
        assert_ne!(fa.0, a.fingerprint(Entity::Phone, "jan@hotmail.nl").0);
        assert_eq!(fa.0.len(), 32);
        assert_ne!(a.id(), b.id());
    }

    #[test]
    fn normalisation_unifies_written_forms() {
        assert_eq!(
            normalize(Entity::LicencePlate, "gb-12-nz", "NL"),
            normalize(Entity::LicencePlate, "GB12NZ", "NL")
        );
        assert_eq!(
            normalize(Entity::Iban, "NL91 ABNA 0417 1643 00", "NL"),
            "NL91ABNA0417164300"
        );
        assert_eq!(
            normalize(Entity::Email, "Jan@Hotmail.NL", "NL"),
            "jan@hotmail.nl"
        );
        // Names and addresses: words joined by one space, lower case, as
        // Unicode defines both (a vertical tab is white space; a final
        // capital sigma lowers to the final form).
        for (text, normal) in [
            ("  Jan  de\tVries ", "jan de vries"),
            ("Kerkstraat\u{b}12\r\n", "kerkstraat 12"),
            ("ÉLODIE  Müller", "élodie müller"),
            ("ΟΔΥΣΣΕΥΣ Ξ", "οδυσσευς ξ"),
        ] {
            assert_eq!(
                normalize(Entity::PersonName, text, "NL"),
                normal,
                "{text:?}"
            );
        }
    }

    /// Every entity's canonical form, written into a buffer that still
    /// holds an earlier value.
    #[test]
    fn normalising_into_a_used_buffer_gives_the_canonical_form() {
        let mut out = String::from("left over from an earlier value");
        for (entity, text, normal) in [
            (Entity::Email, " Jan@Hotmail.NL ", "jan@hotmail.nl"),
            (Entity::Email, "ÉLODIE@Müller.de", "élodie@müller.de"),
            (Entity::Phone, "06-12345678", "+31612345678"),
            (Entity::Phone, "12-34", "1234"),
            (Entity::LicencePlate, "gb-12-nz", "GB12NZ"),
            (Entity::Vin, "wvw zzz 1jz 3w386752", "WVWZZZ1JZ3W386752"),
            (Entity::Iban, "nl91 abna 0417 1643 00", "NL91ABNA0417164300"),
            (Entity::Postcode, "1234 ab", "1234AB"),
            (Entity::Bsn, "1112.22.333", "111222333"),
            (Entity::Bsn, "12345678", "012345678"),
            (Entity::Bsn, "1", "000000001"),
            (
                Entity::CreditCard,
                "4111 1111 1111 1111",
                "4111111111111111",
            ),
            (Entity::DateOfBirth, "12-03-1985", "12031985"),
            (Entity::IpAddress, " 2A02:A45F::1 ", "2a02:a45f::1"),
            (Entity::PersonName, "  Jan  de\tVries ", "jan de vries"),
            (Entity::Address, "ΟΔΥΣΣΕΥΣ Ξ", "οδυσσευς ξ"),
            (Entity::FreeText, "", ""),
        ] {
            normalize_into(entity, text, "NL", &mut out);
            assert_eq!(out, normal, "{entity:?} {text:?}");
            assert_eq!(normalize(entity, text, "NL"), normal, "{entity:?} {text:?}");
        }
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("fingerprint.key");
        let first = read_or_create_key_file(&path).unwrap();
        let second = read_or_create_key_file(&path).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
