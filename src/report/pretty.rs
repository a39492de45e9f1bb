//! Pretty JSON written token by token into a buffer, byte for byte as
//! `serde_json`'s pretty printer writes the same values (two spaces an
//! indent, `"key": value`, `{}` and `[]` when empty), starting at any depth.
//!
//! The inventory writes one section per file: for trees of many small files
//! that is most of the report's work, and building serde structures (maps
//! of entities, a buffer per section re-indented afterwards) cost several
//! times the writing itself.

/// A writer of one JSON value at `depth` levels of nesting.
pub struct Pretty<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    /// Nothing written yet in the innermost object or array.
    fresh: bool,
}

impl<'a> Pretty<'a> {
    /// A value written into `out` as if it were nested `depth` levels deep
    /// (its members indented by `depth + 1` levels).
    pub fn new(out: &'a mut Vec<u8>, depth: usize) -> Pretty<'a> {
        Pretty {
            out,
            depth,
            fresh: false,
        }
    }

    pub fn begin_object(&mut self) {
        self.begin(b'{');
    }

    pub fn end_object(&mut self) {
        self.end(b'}');
    }

    pub fn begin_array(&mut self) {
        self.begin(b'[');
    }

    pub fn end_array(&mut self) {
        self.end(b']');
    }

    /// The key of the next member of an object; its value follows. Keys
    /// are the report's own names, which need no escaping.
    pub fn key(&mut self, key: &'static str) {
        debug_assert!(!needs_escaping(key.as_bytes()), "{key:?}");
        self.next_item();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// Starts the next element of an array; its value follows.
    pub fn element(&mut self) {
        self.next_item();
    }

    pub fn string(&mut self, s: &str) {
        write_escaped(self.out, s);
    }

    pub fn u64(&mut self, n: u64) {
        write_u64(self.out, n);
    }

    pub fn bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    /// A float as `serde_json` writes it (shortest round-trip form; `null`
    /// when not finite).
    pub fn f64(&mut self, x: f64) -> std::io::Result<()> {
        serde_json::to_writer(&mut *self.out, &x).map_err(std::io::Error::from)
    }

    fn begin(&mut self, open: u8) {
        self.out.push(open);
        self.depth += 1;
        self.fresh = true;
    }

    fn end(&mut self, close: u8) {
        self.depth -= 1;
        if !self.fresh {
            self.new_line();
        }
        self.out.push(close);
        self.fresh = false;
    }

    fn next_item(&mut self) {
        if !self.fresh {
            self.out.push(b',');
        }
        self.new_line();
        self.fresh = false;
    }

    fn new_line(&mut self) {
        const LINE: &[u8] = b"\n                ";
        match LINE.get(..1 + 2 * self.depth) {
            Some(line) => self.out.extend_from_slice(line),
            None => {
                self.out.push(b'\n');
                for _ in 0..self.depth {
                    self.out.extend_from_slice(b"  ");
                }
            }
        }
    }
}

/// `n` in decimal, as `serde_json` writes it.
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `s` as a JSON string: quotes, backslashes and control characters escaped
/// as `serde_json` escapes them, everything else (non-ASCII too) as it is.
pub fn write_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push(b'"');
    if !needs_escaping(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x00..=0x1f => b'u',
            _ => continue,
        };
        out.extend_from_slice(&bytes[copied..i]);
        copied = i + 1;
        out.push(b'\\');
        out.push(short);
        if short == b'u' {
            out.extend_from_slice(b"00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        }
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Whether `bytes` hold a quote, a backslash or a control character. (No
/// early exit: the whole slice is looked at, in vector-wide steps.)
fn needs_escaping(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_char: String = (0u8..=0x7f).map(char::from).collect();
        every_char.push_str("é€𝄞\u{2028}\u{fffd}");
        for s in [
            every_char.as_str(),
            "",
            "plain",
            "\"",
            "a\\b",
            "\u{1}x\u{1f}",
        ] {
            let mut out = Vec::new();
            write_escaped(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    /// Writes `value` with the writer's calls, at `depth`.
    fn pretty(value: &serde_json::Value, p: &mut Pretty) {
        match value {
            serde_json::Value::Null => p.null(),
            serde_json::Value::Bool(b) => p.bool(*b),
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(n) => p.u64(n),
                None => p.f64(n.as_f64().unwrap()).unwrap(),
            },
            serde_json::Value::String(s) => p.string(s),
            serde_json::Value::Array(items) => {
                p.begin_array();
                for item in items {
                    p.element();
                    pretty(item, p);
                }
                p.end_array();
            }
            serde_json::Value::Object(members) => {
                p.begin_object();
                for (k, v) in members {
                    p.key(Box::leak(k.clone().into_boxed_str()));
                    pretty(v, p);
                }
                p.end_object();
            }
        }
    }

    #[test]
    fn values_are_written_as_the_pretty_printer_writes_them() {
        let value = json!({
            "empty_object": {},
            "empty_array": [],
            "numbers": [0, 7, 10, 99, 100, 18446744073709551615u64, 0.5, 1.0, 0.0001, 1e-7, 123.25],
            "nested": {"a": [{"b": null, "c": true, "d": false}, [], [[1]]], "e": {"f": {}}},
            "text": "line\nbreak \"quoted\" \u{7}",
        });
        let expected = serde_json::to_string_pretty(&value).unwrap();
        let mut out = Vec::new();
        pretty(&value, &mut Pretty::new(&mut out, 0));
        assert_eq!(String::from_utf8(out).unwrap(), expected);

        // Deeper: every line after the first indented two more spaces a level.
        let mut out = Vec::new();
        pretty(&value, &mut Pretty::new(&mut out, 2));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            expected.replace('\n', "\n    ")
        );
    }
}
