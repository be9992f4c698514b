//! Where a model's `flows:` list can be cut into pieces that read on several cores, found from
//! the text alone and conservatively: anything unusual leaves the file to be read in one piece.
//!
//! A plan is only a guess. The pieces and the rest of the file are each read as YAML of their
//! own, and the plan holds only when every reading succeeds and the rest of the file, with the
//! list cut out, still has the `flows` key where the plan found it, with nothing under it.

/// The block sequence under a top-level `flows:` key and where it is cut.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    /// Byte offset of the `flows` key.
    pub key: usize,
    /// The list's lines: from the first item's line to the line after the list.
    pub start: usize,
    pub end: usize,
    /// Line breaks in the list: the lines the rest of the file moves by when it is cut out.
    pub lines: usize,
    /// The pieces, in order: each starts at an item's line and ends where the next starts.
    pub pieces: Vec<Piece>,
}

/// One piece of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub start: usize,
    pub end: usize,
    /// Line breaks in the file before the piece.
    pub lines_before: usize,
}

/// Cuts the `flows:` list of `text` into at most `parts` pieces of at least `min_piece` bytes,
/// or `None` when there is no such list, it is too short for two pieces, or the file holds
/// anything that makes a cut doubtful (carriage returns, tabs in indentation, a second `flows:`
/// line, a value on the key's own line).
pub(super) fn plan(text: &str, parts: usize, min_piece: usize) -> Option<Plan> {
    let min_piece = min_piece.max(1);
    if parts < 2 || text.len() < 2 * min_piece || text.contains('\r') {
        return None;
    }
    let key = flows_key(text)?;
    let key_line_end = key + text[key..].find('\n')? + 1;
    // Nothing but spaces and a comment may follow the key: `flows: # all`.
    let rest = &text[key + "flows:".len()..key_line_end - 1];
    let after_spaces = rest.trim_start_matches(' ');
    if !(rest.is_empty()
        || rest.starts_with(' ') && (after_spaces.is_empty() || after_spaces.starts_with('#')))
    {
        return None;
    }
    let start = key_line_end;
    let lines_before_list = text[..start].bytes().filter(|&b| b == b'\n').count();
    let mut items = Vec::new();
    let mut indent = None;
    let mut at = start;
    let mut lines = 0;
    let end = loop {
        if at == text.len() {
            break at;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
        let line = text[at..line_end].trim_end_matches('\n');
        let content = line.trim_start_matches(' ');
        let spaces = line.len() - content.len();
        if content.starts_with('\t') {
            return None;
        }
        let is_item = content == "-" || content.starts_with("- ");
        if !(content.is_empty() || content.starts_with('#')) {
            match indent {
                None if is_item => indent = Some(spaces),
                None => return None,
                Some(_) => {}
            }
            let n = indent.unwrap_or(spaces);
            if spaces == n && is_item {
                items.push((at, lines_before_list + lines));
            } else if spaces <= n {
                break at;
            }
        }
        lines += usize::from(text.as_bytes()[line_end - 1] == b'\n');
        at = line_end;
    };
    let &(first, _) = items.first()?;
    let parts = parts.min((end - first) / min_piece);
    if parts < 2 {
        return None;
    }
    // The first piece is read after the rest of the file, on the same core: it is that much
    // shorter, so that every core reads about as much.
    let rest = text.len() - (end - start);
    let share = (end - first + rest) / parts;
    // Each piece starts at the first item at or past its share, and after the piece before.
    let mut firsts = vec![0];
    for part in 1..parts {
        let target = (first + share * part).saturating_sub(rest).max(first);
        let item = items
            .partition_point(|&(at, _)| at < target)
            .max(firsts[firsts.len() - 1] + 1);
        if item < items.len() {
            firsts.push(item);
        }
    }
    if firsts.len() < 2 {
        return None;
    }
    let pieces = firsts
        .iter()
        .enumerate()
        .map(|(n, &item)| {
            // The first piece takes the comments and blank lines above the first item.
            let (piece_start, lines_before) = if n == 0 {
                (start, lines_before_list)
            } else {
                items[item]
            };
            let end = firsts.get(n + 1).map_or(end, |&next| items[next].0);
            Piece {
                start: piece_start,
                end,
                lines_before,
            }
        })
        .collect();
    Some(Plan {
        key,
        start,
        end,
        lines,
        pieces,
    })
}

/// The offset of the one line that starts with `flows:`; `None` when there is none or more.
fn flows_key(text: &str) -> Option<usize> {
    let mut found = text.starts_with("flows:").then_some(0);
    for (at, _) in text.match_indices("\nflows:") {
        if found.is_some() {
            return None;
        }
        found = Some(at + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::{Piece, plan};

    #[test]
    fn a_list_is_cut_at_item_lines_with_the_lines_before_each_piece() {
        let text = "privflow: 1\nflows: # all\n  - {from: a, to: b, fields: [x]}\n  # c\n  - from: b\n    to: c\n    fields: [x]\n  - {from: c, to: d, fields: [x]}\nclaims: []\n";
        let plan = plan(text, 3, 1).unwrap();
        let start = text.find("  - {from: a").unwrap();
        let second = text.find("  - from: b").unwrap();
        let third = text.find("  - {from: c").unwrap();
        let end = text.find("claims").unwrap();
        assert_eq!(
            (plan.key, plan.start, plan.end, plan.lines),
            (12, start, end, 6)
        );
        assert_eq!(
            plan.pieces,
            [
                Piece {
                    start,
                    end: second,
                    lines_before: 2
                },
                Piece {
                    start: second,
                    end: third,
                    lines_before: 4
                },
                Piece {
                    start: third,
                    end,
                    lines_before: 7
                },
            ]
        );
    }

    #[test]
    fn lists_at_the_margin_and_at_the_end_of_the_file_are_cut() {
        let text =
            "privflow: 1\nflows:\n- {from: a, to: b, fields: [x]}\n- {from: b, to: c, fields: [x]}";
        let plan = plan(text, 2, 1).unwrap();
        assert_eq!(plan.end, text.len());
        assert_eq!(plan.pieces.len(), 2);
        assert_eq!(plan.pieces[1].start, text.rfind("- {").unwrap());
    }

    #[test]
    fn doubtful_files_are_not_cut() {
        let list = "\n  - {from: a, to: b, fields: [x]}\n  - {from: b, to: c, fields: [x]}\n";
        for text in [
            format!("privflow: 1\nflows: []{list}"),
            format!("privflow: 1\r\nflows:{list}"),
            format!("privflow: 1\nflows:{list}flows:{list}"),
            format!(
                "privflow: 1\nflows:{}",
                list.replace("  - {from: b", "\t- {from: b")
            ),
            format!("privflow: 1\nflows:\n  from: a{list}"),
            "privflow: 1\nflows:\n  - {from: a, to: b, fields: [x]}\n".to_owned(),
        ] {
            assert_eq!(plan(&text, 4, 1), None, "{text}");
        }
        let text = format!("privflow: 1\nflows:{list}");
        assert_eq!(plan(&text, 4, text.len()), None, "pieces below the minimum");
    }
}
