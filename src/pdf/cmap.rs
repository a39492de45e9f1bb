//! ToUnicode maps: what a font's codes stand for. A font embedded as a
//! subset numbers its glyphs in the order the document first used them,
//! so the bytes a page shows say nothing until this map turns them back
//! into characters.
//!
//! The map is a small PostScript program; only its `codespacerange`,
//! `bfchar` and `bfrange` sections matter, and they are read token by
//! token, so layouts that differ from Adobe's template (no metadata, other
//! line breaks, comments) read the same. Anything else in it is passed
//! over; a section cut off gives the mappings before the cut.

use std::collections::{BTreeMap, HashMap};

/// Mappings read from one map at most: a map for every code of a 2-byte
/// font is 65,536; ranges take one entry each whatever they span.
const MAX_ENTRIES: usize = 1 << 20;

/// Where a range of codes maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The first code's UTF-16 units; each next code adds one to the last.
    From(Vec<u16>),
    /// One string per code.
    Each(Vec<String>),
}

/// A parsed ToUnicode map.
#[derive(Debug, Default)]
pub struct ToUnicode {
    /// Code lengths in bytes, and the byte bounds of each (a code space
    /// range bounds each byte on its own).
    codespace: Vec<(usize, [u8; 4], [u8; 4])>,
    chars: HashMap<(usize, u32), String>,
    /// By (length, first code): (last code, target).
    ranges: BTreeMap<(usize, u32), (u32, Target)>,
}

enum Token<'a> {
    Hex(Vec<u8>),
    ArrayStart,
    ArrayEnd,
    Word(&'a [u8]),
    /// Names, literal strings, dictionaries: nothing the sections use.
    Other,
}

struct Tokens<'a> {
    data: &'a [u8],
    at: usize,
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let data = self.data;
        loop {
            let &b = data.get(self.at)?;
            if b.is_ascii_whitespace() || b == 0 {
                self.at += 1;
            } else if b == b'%' {
                while self.at < data.len() && !matches!(data[self.at], b'\n' | b'\r') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
        let start = self.at;
        let b = data[start];
        self.at += 1;
        Some(match b {
            b'[' => Token::ArrayStart,
            b']' => Token::ArrayEnd,
            b'<' if data.get(self.at) == Some(&b'<') => {
                self.at += 1;
                Token::Other
            }
            b'>' => {
                if data.get(self.at) == Some(&b'>') {
                    self.at += 1;
                }
                Token::Other
            }
            b'<' => {
                let mut bytes = Vec::new();
                let mut high: Option<u8> = None;
                while let Some(&c) = data.get(self.at) {
                    self.at += 1;
                    if c == b'>' {
                        break;
                    }
                    let Some(nibble) = (c as char).to_digit(16) else {
                        continue;
                    };
                    let nibble = nibble as u8;
                    match high.take() {
                        Some(h) => bytes.push(h << 4 | nibble),
                        None => high = Some(nibble),
                    }
                }
                if let Some(h) = high {
                    bytes.push(h << 4);
                }
                Token::Hex(bytes)
            }
            b'(' => {
                let mut depth = 1usize;
                while let Some(&c) = data.get(self.at) {
                    self.at += 1;
                    match c {
                        b'\\' => self.at += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Token::Other
            }
            b'/' => {
                while data
                    .get(self.at)
                    .is_some_and(|&c| !c.is_ascii_whitespace() && !is_delimiter(c))
                {
                    self.at += 1;
                }
                Token::Other
            }
            b')' | b'{' | b'}' => Token::Other,
            _ => {
                while data
                    .get(self.at)
                    .is_some_and(|&c| !c.is_ascii_whitespace() && !is_delimiter(c))
                {
                    self.at += 1;
                }
                Token::Word(&data[start..self.at])
            }
        })
    }
}

fn code_of(bytes: &[u8]) -> Option<(usize, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let code = bytes
        .iter()
        .fold(0u32, |code, &b| (code << 8) | u32::from(b));
    Some((bytes.len(), code))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|pair| match *pair {
            [hi, lo] => u16::from_be_bytes([hi, lo]),
            [lo] => u16::from(lo),
            _ => 0,
        })
        .collect()
}

impl ToUnicode {
    /// Reads the map's sections; never fails (a map with nothing readable
    /// maps nothing).
    pub fn parse(data: &[u8]) -> ToUnicode {
        let mut map = ToUnicode::default();
        let mut tokens = Tokens { data, at: 0 };
        let mut entries = 0usize;
        while let Some(token) = tokens.next() {
            let Token::Word(word) = token else { continue };
            let end: &[u8] = match word {
                b"begincodespacerange" => b"endcodespacerange",
                b"beginbfchar" => b"endbfchar",
                b"beginbfrange" => b"endbfrange",
                _ => continue,
            };
            // A section's operands, up to its end.
            let mut operands: Vec<Operand> = Vec::new();
            let mut array: Option<Vec<Vec<u8>>> = None;
            for token in tokens.by_ref() {
                match token {
                    Token::Word(w) if w == end => break,
                    Token::Word(w) if w.starts_with(b"begin") || w.starts_with(b"end") => break,
                    Token::Hex(bytes) => match &mut array {
                        Some(items) => items.push(bytes),
                        None => operands.push(Operand::Hex(bytes)),
                    },
                    Token::ArrayStart => array = Some(Vec::new()),
                    Token::ArrayEnd => {
                        if let Some(items) = array.take() {
                            operands.push(Operand::Array(items));
                        }
                    }
                    Token::Word(_) | Token::Other => operands.push(Operand::Other),
                }
                if entries + operands.len() > MAX_ENTRIES * 3 {
                    break;
                }
            }
            entries += match end {
                b"endcodespacerange" => map.add_codespace(&operands),
                b"endbfchar" => map.add_chars(&operands),
                _ => map.add_ranges(&operands),
            };
            if entries > MAX_ENTRIES {
                break;
            }
        }
        map
    }

    fn add_codespace(&mut self, operands: &[Operand]) -> usize {
        let mut added = 0;
        for pair in operands.chunks_exact(2) {
            if let [Operand::Hex(lo), Operand::Hex(hi)] = pair
                && lo.len() == hi.len()
                && (1..=4).contains(&lo.len())
            {
                let mut low = [0u8; 4];
                let mut high = [0u8; 4];
                low[..lo.len()].copy_from_slice(lo);
                high[..hi.len()].copy_from_slice(hi);
                self.codespace.push((lo.len(), low, high));
                added += 1;
            }
        }
        added
    }

    fn add_chars(&mut self, operands: &[Operand]) -> usize {
        let mut added = 0;
        for pair in operands.chunks_exact(2) {
            if let [Operand::Hex(src), Operand::Hex(dst)] = pair
                && let Some(key) = code_of(src)
            {
                self.chars
                    .insert(key, String::from_utf16_lossy(&utf16_units(dst)));
                added += 1;
            }
        }
        added
    }

    fn add_ranges(&mut self, operands: &[Operand]) -> usize {
        let mut added = 0;
        for triple in operands.chunks_exact(3) {
            let [Operand::Hex(lo), Operand::Hex(hi), target] = triple else {
                continue;
            };
            let (Some((len, first)), Some((hi_len, last))) = (code_of(lo), code_of(hi)) else {
                continue;
            };
            if len != hi_len || last < first {
                continue;
            }
            let target = match target {
                Operand::Hex(dst) => Target::From(utf16_units(dst)),
                Operand::Array(items) => Target::Each(
                    items
                        .iter()
                        .map(|dst| String::from_utf16_lossy(&utf16_units(dst)))
                        .collect(),
                ),
                Operand::Other => continue,
            };
            self.ranges.insert((len, first), (last, target));
            added += 1;
        }
        added
    }

    /// Whether nothing was read from the map.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    /// The length of the code starting `bytes`: by the code space ranges,
    /// or `natural` (the font's own) when the map has none.
    pub fn code_len(&self, bytes: &[u8], natural: usize) -> usize {
        for &(len, low, high) in &self.codespace {
            if bytes.len() >= len && (0..len).all(|i| low[i] <= bytes[i] && bytes[i] <= high[i]) {
                return len;
            }
        }
        if self.codespace.is_empty() {
            natural
        } else {
            // Not in any range: one byte is passed over, as readers do.
            1
        }
    }

    /// What `code`, `len` bytes long, stands for.
    pub fn get(&self, len: usize, code: u32) -> Option<String> {
        if let Some(text) = self.chars.get(&(len, code)) {
            return Some(text.clone());
        }
        let (&(range_len, first), (last, target)) =
            self.ranges.range(..=(len, code)).next_back()?;
        if range_len != len || code > *last {
            return None;
        }
        let offset = code - first;
        match target {
            Target::From(units) => {
                let mut units = units.clone();
                let last_unit = units.last_mut()?;
                *last_unit = last_unit.wrapping_add(u16::try_from(offset).ok()?);
                Some(String::from_utf16_lossy(&units))
            }
            Target::Each(strings) => strings.get(usize::try_from(offset).ok()?).cloned(),
        }
    }
}

enum Operand {
    Hex(Vec<u8>),
    Array(Vec<Vec<u8>>),
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(map: &ToUnicode, bytes: &[u8], natural: usize) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let len = map.code_len(&bytes[i..], natural).min(bytes.len() - i);
            let (l, code) = code_of(&bytes[i..i + len]).unwrap();
            out.push_str(&map.get(l, code).unwrap_or_default());
            i += len;
        }
        out
    }

    #[test]
    fn adobes_template_is_read() {
        let map = ToUnicode::parse(
            b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
              /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
              /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
              1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
              2 beginbfchar\n<0003> <0020>\n<0011> <0040>\nendbfchar\n\
              2 beginbfrange\n<0044> <004D> <0061>\n<0010> <0010> [<0066 0069>]\nendbfrange\n\
              endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend",
        );
        assert_eq!(
            decode(&map, b"\x00\x44\x00\x4D\x00\x11\x00\x03\x00\x10", 1),
            "aj@ fi"
        );
    }

    #[test]
    fn other_layouts_and_damage_read_what_is_there() {
        // No metadata, a comment, everything on one line, one-byte codes.
        let map = ToUnicode::parse(
            b"begincmap % subset\n1 begincodespacerange <00><FF> endcodespacerange \
              2 beginbfchar <01><0042> <02><0053> endbfchar 1 beginbfrange <03><04><004E> endbfrange",
        );
        assert_eq!(decode(&map, b"\x01\x02\x03\x04", 2), "BSNO");
        // Cut off inside a section: the mappings before the cut.
        let map = ToUnicode::parse(b"2 beginbfchar <0001> <004A> <0002> <00");
        assert_eq!(decode(&map, b"\x00\x01", 2), "J");
        // Ranges as wide as the code space are not expanded.
        let map = ToUnicode::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(map.get(4, 1), Some("B".into()));
        assert_eq!(map.get(4, 0x0001_0000), None);
        assert!(ToUnicode::parse(b"\xff\x00garbage<<>>[(").is_empty());
    }
}
