//! Encoded words in e-mail headers (RFC 2047): a header with anything
//! but ASCII in it is written `=?UTF-8?B?...?=` or `=?iso-8859-1?Q?...?=`,
//! so a subject such as `Afspraak APK – 06-38215947` reaches the file as
//! base64 and no pattern sees the number. [`decode_encoded_words`] writes
//! each encoded word as its text, in place, so the headers keep their
//! lines.

/// `headers` with every encoded word decoded. Encoded words next to each
/// other on one line, apart only by blanks, are one text (the blanks
/// between them are not part of it); a word that does not decode is left
/// as written. Line ends are kept, so lines are those of the message.
pub fn decode_encoded_words(headers: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(headers.len());
    let mut rest = headers;
    // Where in `out` the last decoded word ended, when only blanks followed.
    let mut after_word: Option<usize> = None;
    while let Some(at) = memchr::memmem::find(rest, b"=?") {
        let (before, from) = rest.split_at(at);
        let Some((text, len)) = encoded_word(from) else {
            out.extend_from_slice(before);
            out.extend_from_slice(b"=?");
            rest = &from[2..];
            after_word = None;
            continue;
        };
        let only_blanks = before.iter().all(|&b| b == b' ' || b == b'\t');
        match after_word {
            Some(end) if only_blanks && end == out.len() => {}
            _ => out.extend_from_slice(before),
        }
        out.extend_from_slice(text.as_bytes());
        after_word = Some(out.len());
        rest = &from[len..];
    }
    out.extend_from_slice(rest);
    out
}

/// The text of the encoded word `word` starts with, and its length, or
/// `None` when it is not one that decodes.
fn encoded_word(word: &[u8]) -> Option<(String, usize)> {
    // `=?charset?encoding?text?=`, with no blanks or line ends inside.
    let body = word.strip_prefix(b"=?")?;
    let limit = body
        .iter()
        .position(|&b| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n')
        .unwrap_or(body.len());
    let body = &body[..limit];
    let charset_end = memchr::memchr(b'?', body)?;
    let charset = &body[..charset_end];
    let encoding = *body.get(charset_end + 1)?;
    if body.get(charset_end + 2) != Some(&b'?') {
        return None;
    }
    let text_start = charset_end + 3;
    let text_len = memchr::memmem::find(&body[text_start..], b"?=")?;
    let text = &body[text_start..text_start + text_len];
    let bytes = match encoding.to_ascii_uppercase() {
        b'B' => mail_parser::decoders::base64::base64_decode(text)?,
        b'Q' => q_decode(text)?,
        _ => return None,
    };
    // A language may follow the charset: `UTF-8*nl`.
    let label = charset.split(|&b| b == b'*').next().unwrap_or(charset);
    let decoded = match encoding_rs::Encoding::for_label(label) {
        Some(enc) => enc.decode_without_bom_handling(&bytes).0.into_owned(),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    };
    // Line ends inside a decoded word would shift every later line.
    let decoded = decoded.replace(['\r', '\n'], " ");
    Some((decoded, 2 + text_start + text_len + 2))
}

/// The `Q` encoding: quoted-printable where `_` is a space.
fn q_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = text.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(headers: &str) -> String {
        String::from_utf8(decode_encoded_words(headers.as_bytes())).unwrap()
    }

    #[test]
    fn words_decode_in_place_and_keep_the_lines() {
        assert_eq!(
            decoded(
                "From: =?UTF-8?Q?Jos=C3=A9_Martens?= <jose@ziggo.nl>\r\nSubject: =?utf-8?B?QWZzcHJhYWsgQVBLIOKAkyAwNi0zODIxNTk0Nw==?=\r\nTo: x\r\n"
            ),
            "From: José Martens <jose@ziggo.nl>\r\nSubject: Afspraak APK – 06-38215947\r\nTo: x\r\n"
        );
        assert_eq!(
            decoded("Subject: =?iso-8859-1?q?Caf=E9?= open"),
            "Subject: Café open"
        );
    }

    #[test]
    fn adjacent_words_join_without_the_blanks_between_them() {
        // A number cut between two encoded words is whole again.
        assert_eq!(
            decoded("Subject: =?UTF-8?Q?bel_06-382?=  =?UTF-8?Q?15947?= graag"),
            "Subject: bel 06-38215947 graag"
        );
        // Across a folded line the line end stays.
        assert_eq!(
            decoded("Subject: =?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?="),
            "Subject: a\r\n b"
        );
        // Text between words keeps its blanks.
        assert_eq!(decoded("=?UTF-8?Q?a?= en =?UTF-8?Q?b?="), "a en b");
    }

    #[test]
    fn what_does_not_decode_is_left_as_written() {
        for text in [
            "=?UTF-8?X?abc?=",
            "=?UTF-8?B?***?=",
            "=?UTF-8?Q?=ZZ?=",
            "=?UTF-8?Q?open",
            "=? not a word ?=",
            "a =?",
            "=?UTF-8?Q?a b?=",
        ] {
            assert_eq!(decoded(text), text);
        }
        assert_eq!(decoded("=?unknown-charset?Q?tel?= 1"), "tel 1");
        assert_eq!(decoded("=?UTF-8*nl?Q?hoi?="), "hoi");
        assert_eq!(decoded("=?UTF-8?Q?a=0D=0Ab?="), "a  b");
    }
}
