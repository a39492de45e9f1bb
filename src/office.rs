//! The text of word-processing and presentation documents: `.docx`,
//! `.docm`, `.pptx`, `.odt`, `.odp`. Each is a zip archive of XML parts;
//! the text a reader sees is the character data of a few of them (the
//! body, headers and footers, footnotes, comments, slides and their
//! notes), a line per paragraph. Letters, quotes and contracts with a
//! customer's address, phone number and plate are documents like these.
//!
//! A word split over runs of different formatting (`06-` plain and
//! `38215947` bold is two `<w:t>` elements) is whole again in the text,
//! so it is found as written.

/// The kinds of document, recognised by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// Office Open XML: `.docx`, `.docm`, `.pptx`, `.pptm`.
    OpenXml,
    /// OpenDocument: `.odt`, `.odp`.
    OpenDocument,
}

/// What a member of a document's zip archive is to the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// XML whose character data is text a reader sees.
    Text,
    /// Anything else with content of its own (an embedded workbook, an
    /// image): scanned as a member of an archive is.
    Member,
    /// Layout, styles, relations, settings: no content of its own.
    Structure,
}

/// What `name`, a member of a document of `kind`, is.
pub fn part(kind: DocumentKind, name: &str) -> Part {
    let in_dir = |dir: &str| name.starts_with(dir) && name.len() > dir.len();
    let xml = name.ends_with(".xml");
    match kind {
        DocumentKind::OpenXml => {
            let text_part = [
                "word/document",
                "word/header",
                "word/footer",
                "word/footnotes",
                "word/endnotes",
                "word/comments",
                "ppt/slides/slide",
                "ppt/notesSlides/notesSlide",
                "ppt/comments/",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix));
            if xml && text_part {
                Part::Text
            } else if in_dir("word/media/")
                || in_dir("word/embeddings/")
                || in_dir("ppt/media/")
                || in_dir("ppt/embeddings/")
            {
                Part::Member
            } else {
                Part::Structure
            }
        }
        DocumentKind::OpenDocument => {
            if name == "content.xml" || name == "styles.xml" {
                // Headers and footers are in the styles.
                Part::Text
            } else if in_dir("Pictures/") || (name.starts_with("Object ") && !xml) {
                Part::Member
            } else {
                Part::Structure
            }
        }
    }
}

/// Paragraphs (Word's and PowerPoint's `p`, OpenDocument's `p` and `h`).
fn is_paragraph(name: &[u8]) -> bool {
    matches!(name, b"p" | b"h")
}

/// Table rows and cells: a row is one line, its cells apart by tabs.
fn is_row(name: &[u8]) -> bool {
    matches!(name, b"tr" | b"table-row")
}

fn is_cell(name: &[u8]) -> bool {
    matches!(name, b"tc" | b"table-cell")
}

/// Elements that stand for a character where they are.
fn stands_for(name: &[u8]) -> Option<char> {
    match name {
        b"tab" => Some('\t'),
        // Word's non-breaking hyphen, as in a phone number kept on a line.
        b"noBreakHyphen" => Some('-'),
        b"br" | b"cr" | b"line-break" => Some('\n'),
        // OpenDocument writes runs of spaces as `<text:s text:c="3"/>`.
        b"s" => Some(' '),
        _ => None,
    }
}

/// The text of one XML part: character data with entities decoded, a line
/// per paragraph (line N is the document's Nth paragraph, counting a table
/// row as one, its cells apart by tabs). Blank runs with a line end
/// between tags are the XML's own indentation, not text, and are left
/// out. Never fails: malformed XML gives the text as far as it can be read.
pub fn text_of(xml: &[u8]) -> String {
    let mut out = String::with_capacity(xml.len() / 4);
    // Open table cells: a paragraph in one does not end the line.
    let mut cells = 0usize;
    let mut i = 0;
    while i < xml.len() {
        let Some(lt) = memchr::memchr(b'<', &xml[i..]) else {
            push_character_data(&xml[i..], &mut out);
            break;
        };
        push_character_data(&xml[i..i + lt], &mut out);
        let tag_start = i + lt + 1;
        let rest = &xml[tag_start..];
        if rest.starts_with(b"![CDATA[") {
            let body = &rest[8..];
            let end = memchr::memmem::find(body, b"]]>").unwrap_or(body.len());
            out.push_str(&String::from_utf8_lossy(&body[..end]));
            i = tag_start + 8 + end + 3;
            continue;
        }
        if rest.starts_with(b"!--") {
            let end = memchr::memmem::find(&rest[3..], b"-->").map_or(rest.len(), |e| e + 6);
            i = tag_start + end;
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', rest) else {
            break;
        };
        let tag = &rest[..gt];
        i = tag_start + gt + 1;
        let (closing, body) = match tag.strip_prefix(b"/") {
            Some(body) => (true, body),
            None => (false, tag),
        };
        if body.starts_with(b"?") || body.starts_with(b"!") {
            continue;
        }
        let name_end = body
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'/')
            .unwrap_or(body.len());
        let name = &body[..name_end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        let empty = body.ends_with(b"/");
        if is_cell(local) {
            if closing {
                cells = cells.saturating_sub(1);
            } else {
                if !empty {
                    cells += 1;
                }
                if !(out.is_empty() || out.ends_with('\n')) {
                    out.push('\t');
                }
            }
        } else if (closing || empty) && is_paragraph(local) {
            if cells == 0 {
                out.push('\n');
            } else if !out.ends_with([' ', '\t', '\n']) {
                out.push(' ');
            }
        } else if closing && is_row(local) {
            out.push('\n');
        } else if let Some(c) = stands_for(local).filter(|_| !closing && !is_tab_stop(local, body))
        {
            let count = if local == b"s" { space_count(body) } else { 1 };
            out.extend(std::iter::repeat_n(c, count));
        }
    }
    out
}

/// A tab stop of a paragraph's layout (`<w:tab w:val="left" w:pos="720"/>`),
/// not a tab in its text.
fn is_tab_stop(local: &[u8], tag: &[u8]) -> bool {
    local == b"tab" && memchr::memmem::find(tag, b"val=").is_some()
}

/// `text:c`, the number of spaces `<text:s text:c="N"/>` stands for (1
/// when absent; at most 1000, so a crafted count costs no memory).
fn space_count(tag: &[u8]) -> usize {
    let Some(at) = memchr::memmem::find(tag, b"c=\"") else {
        return 1;
    };
    let digits = &tag[at + 3..];
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    std::str::from_utf8(&digits[..end])
        .ok()
        .and_then(|d| d.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 1000)
}

/// Appends character data, entities decoded; a blank run holding a line
/// end is indentation and adds nothing.
fn push_character_data(data: &[u8], out: &mut String) {
    if data.is_empty() || (data.iter().all(u8::is_ascii_whitespace) && data.contains(&b'\n')) {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let mut rest = text.as_ref();
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';').filter(|&semi| semi <= 10) {
            Some(semi) => {
                match entity(&after[..semi]) {
                    Some(c) => out.push(c),
                    None => out.push_str(&rest[amp..amp + semi + 2]),
                }
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// The character an entity reference (without `&` and `;`) stands for.
fn entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_and_paragraphs_are_lines() {
        let xml = br#"<?xml version="1.0"?>
<w:document xmlns:w="urn:w"><w:body>
  <w:p><w:r><w:t>Geachte heer Jansen,</w:t></w:r></w:p>
  <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space="preserve">Bel ons op 06</w:t><w:noBreakHyphen/></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>38215947</w:t></w:r><w:r><w:tab/><w:t>of mail jan&amp;piet@ziggo.nl &#8211; &lt;ok&gt;</w:t></w:r></w:p>
  <w:p/>
  <w:tbl><w:tr><w:tc><w:p><w:r><w:t>kenteken</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>52-RTH-8</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"#;
        assert_eq!(
            text_of(xml),
            "Geachte heer Jansen,\nBel ons op 06-38215947\tof mail jan&piet@ziggo.nl \u{2013} <ok>\n\n\
             kenteken \t52-RTH-8 \n"
        );
    }

    #[test]
    fn opendocument_spaces_breaks_and_headings() {
        let xml = br#"<office:document-content><office:body><office:text><text:h>Offerte</text:h><text:p>Postcode<text:s text:c="3"/>1832 TB<text:line-break/>Amsterdam<!-- x@y.nl --></text:p><text:p><![CDATA[a < b]]></text:p></office:text></office:body></office:document-content>"#;
        assert_eq!(
            text_of(xml),
            "Offerte\nPostcode   1832 TB\nAmsterdam\na < b\n"
        );
    }

    #[test]
    fn malformed_xml_gives_what_it_can() {
        assert_eq!(
            text_of(b"<p>jan@ziggo.nl &bogus; & <b"),
            "jan@ziggo.nl &bogus; & "
        );
        assert_eq!(text_of(b"<p>a</p><!-- unterminated"), "a\n");
        assert_eq!(text_of(b"plain"), "plain");
        let huge = br#"<text:p>a<text:s text:c="99999999999"/>b</text:p>"#;
        assert_eq!(text_of(huge).len(), 1003);
    }

    #[test]
    fn parts_are_told_apart() {
        use DocumentKind::*;
        assert_eq!(part(OpenXml, "word/document.xml"), Part::Text);
        assert_eq!(part(OpenXml, "word/footer2.xml"), Part::Text);
        assert_eq!(part(OpenXml, "ppt/slides/slide12.xml"), Part::Text);
        assert_eq!(part(OpenXml, "word/styles.xml"), Part::Structure);
        assert_eq!(
            part(OpenXml, "word/_rels/document.xml.rels"),
            Part::Structure
        );
        assert_eq!(part(OpenXml, "[Content_Types].xml"), Part::Structure);
        assert_eq!(part(OpenXml, "word/media/image1.png"), Part::Member);
        assert_eq!(
            part(OpenXml, "word/embeddings/Microsoft_Excel_Worksheet.xlsx"),
            Part::Member
        );
        assert_eq!(part(OpenDocument, "content.xml"), Part::Text);
        assert_eq!(part(OpenDocument, "meta.xml"), Part::Structure);
        assert_eq!(part(OpenDocument, "Pictures/1000.jpg"), Part::Member);
    }

    #[test]
    fn any_bytes_give_some_text() {
        let sample: &[u8] = br#"<w:p><w:r><w:t>a&amp;b &#x41;</w:t></w:r><w:tab/><![CDATA[x]]><!-- c --><text:s text:c="2"/></w:p>"#;
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5000 {
            let mut data = sample.to_vec();
            for _ in 0..1 + next() % 6 {
                let at = (next() as usize) % (data.len() + 1);
                match next() % 3 {
                    0 if at < data.len() => data[at] = next() as u8,
                    1 => data.insert(at, *b"<>&;/\"![]-#x".get((next() % 10) as usize).unwrap()),
                    _ => data.truncate(at),
                }
            }
            let text = text_of(&data);
            assert!(text.len() <= data.len() * 4 + 1100, "{data:?}");
        }
    }
}
