//! OpenAI Codex CLI's `PreToolUse` hook: file edits arrive as
//! `tool_name: "apply_patch"` with the raw patch in `tool_input.command`, in
//! Codex's own format (not a unified diff):
//!
//! ```text
//! *** Begin Patch
//! *** Add File: src/new.ts
//! +export const x = 1;
//! *** Update File: src/old.ts
//! *** Move to: src/renamed.ts
//! @@ export function f() {
//! -  return 1;
//! +  return 2;
//! *** Delete File: src/gone.ts
//! *** End Patch
//! ```
//!
//! One patch may touch several files; each written file is judged on its
//! own against the workspace as it is.

use std::path::PathBuf;

/// One file operation of a patch.
#[derive(Debug, PartialEq, Eq)]
pub enum Op {
    Add {
        path: String,
        content: String,
    },
    Update {
        path: String,
        move_to: Option<String>,
        chunks: Vec<Chunk>,
    },
    Delete {
        path: String,
    },
}

/// One `@@` hunk: the lines it replaces (context and `-`) and those it puts
/// in their place (context and `+`), found after the line `anchor` if any.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chunk {
    pub anchor: Option<String>,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

/// Parses a Codex patch.
pub fn parse(patch: &str) -> Result<Vec<Op>, String> {
    let mut lines = patch
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .peekable();
    while lines.peek().is_some_and(|l| l.trim().is_empty()) {
        lines.next();
    }
    if lines.next().map(str::trim) != Some("*** Begin Patch") {
        return Err("the patch does not start with `*** Begin Patch`".into());
    }
    let mut ops = Vec::new();
    loop {
        let Some(line) = lines.next() else {
            return Err("the patch has no `*** End Patch`".into());
        };
        if line.trim() == "*** End Patch" {
            return Ok(ops);
        }
        if let Some(path) = line.strip_prefix("*** Add File: ") {
            let mut content = String::new();
            while let Some(l) = lines.next_if(|l| !l.starts_with("*** ")) {
                let Some(text) = l.strip_prefix('+') else {
                    return Err(format!("a line of added file {path} without `+`: {l}"));
                };
                content.push_str(text);
                content.push('\n');
            }
            ops.push(Op::Add {
                path: path.trim().to_string(),
                content,
            });
        } else if let Some(path) = line.strip_prefix("*** Delete File: ") {
            ops.push(Op::Delete {
                path: path.trim().to_string(),
            });
        } else if let Some(path) = line.strip_prefix("*** Update File: ") {
            let move_to = lines
                .next_if(|l| l.starts_with("*** Move to: "))
                .map(|l| l["*** Move to: ".len()..].trim().to_string());
            let mut chunks: Vec<Chunk> = Vec::new();
            while let Some(l) = lines.next_if(|l| !l.starts_with("*** ") || *l == "*** End of File")
            {
                if l == "*** End of File" {
                    continue;
                }
                if let Some(anchor) = l.strip_prefix("@@") {
                    let anchor = anchor.trim();
                    chunks.push(Chunk {
                        anchor: (!anchor.is_empty()).then(|| anchor.to_string()),
                        ..Chunk::default()
                    });
                    continue;
                }
                if chunks.is_empty() {
                    // a first hunk may omit its `@@`
                    chunks.push(Chunk::default());
                }
                let chunk = chunks.last_mut().expect("pushed above");
                match l.chars().next() {
                    Some('+') => chunk.new.push(l[1..].to_string()),
                    Some('-') => chunk.old.push(l[1..].to_string()),
                    Some(' ') => {
                        chunk.old.push(l[1..].to_string());
                        chunk.new.push(l[1..].to_string());
                    }
                    // an empty context line whose space was trimmed
                    None => {
                        chunk.old.push(String::new());
                        chunk.new.push(String::new());
                    }
                    Some(_) => {
                        return Err(format!(
                            "a line of the update of {path} without ` `, `-` or `+`: {l}"
                        ))
                    }
                }
            }
            ops.push(Op::Update {
                path: path.trim().to_string(),
                move_to,
                chunks,
            });
        } else if line.trim().is_empty() {
            continue;
        } else {
            return Err(format!("unexpected line in the patch: {line}"));
        }
    }
}

/// The text after applying `chunks` to `current` as Codex applies them (each
/// hunk's old lines searched from where the previous one ended, after its
/// anchor line; exactly, then ignoring trailing and then surrounding
/// whitespace; a hunk without old lines appends); `None` where Codex would
/// refuse the patch.
pub fn apply(current: &str, chunks: &[Chunk]) -> Option<String> {
    let mut lines: Vec<String> = current.lines().map(str::to_string).collect();
    let mut cursor = 0;
    for chunk in chunks {
        if let Some(anchor) = &chunk.anchor {
            let at = (cursor..lines.len()).find(|&i| lines[i].trim() == anchor.trim())?;
            cursor = at + 1;
        }
        if chunk.old.is_empty() {
            let at = lines.len();
            lines.extend(chunk.new.iter().cloned());
            cursor = at + chunk.new.len();
            continue;
        }
        let at = find(&lines, &chunk.old, cursor)?;
        lines.splice(at..at + chunk.old.len(), chunk.new.iter().cloned());
        cursor = at + chunk.new.len();
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Some(text)
}

fn find(lines: &[String], old: &[String], from: usize) -> Option<usize> {
    let normalised: [fn(&str) -> &str; 3] = [|s| s, str::trim_end, str::trim];
    normalised.iter().find_map(|norm| {
        (from..=lines.len().checked_sub(old.len())?)
            .find(|&i| old.iter().zip(&lines[i..]).all(|(o, l)| norm(o) == norm(l)))
    })
}

/// The files a Codex `PreToolUse` call would write, with their content
/// after the patch (deleted files are not judged); `Ok(None)` when the call
/// is not a file edit, or the patch would not apply (Codex refuses it).
pub fn writes(input: &str) -> Result<Option<Vec<(PathBuf, String)>>, String> {
    let call: super::input::ToolCall =
        serde_json::from_str(input).map_err(|e| format!("stdin is not a Codex hook call ({e})"))?;
    if call
        .hook_event_name
        .as_deref()
        .is_some_and(|e| e != "PreToolUse")
        || call.tool_name != "apply_patch"
    {
        return Ok(None);
    }
    let patch = call
        .tool_input
        .get("command")
        .and_then(|v| v.as_str())
        .ok_or("`apply_patch` without `tool_input.command`")?;
    patch_writes(patch, |p| call.path(p))
}

/// The files a patch in Codex's format would write (paths through `at`),
/// with their content after it; `Ok(None)` when it would not apply. Cline's
/// and Copilot's `apply_patch` take the same format.
pub fn patch_writes(
    patch: &str,
    at: impl Fn(&str) -> PathBuf,
) -> Result<Option<Vec<(PathBuf, String)>>, String> {
    let ops = parse(patch)?;
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Add { path, content } => out.push((at(&path), content)),
            Op::Delete { .. } => {}
            Op::Update {
                path,
                move_to,
                chunks,
            } => {
                let Ok(current) =
                    rules::disk::read_regular_string(&at(&path), rules::disk::MAX_SOURCE_SIZE)
                else {
                    return Ok(None);
                };
                let Some(text) = apply(&current, &chunks) else {
                    return Ok(None);
                };
                out.push((at(move_to.as_deref().unwrap_or(&path)), text));
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "*** Begin Patch\n*** Add File: src/a.ts\n+import x from './b';\n+export const a = x;\n*** Update File: src/b.ts\n*** Move to: src/c.ts\n@@ export function f() {\n-  return 1;\n+  return 2;\n }\n*** Delete File: src/d.ts\n*** End Patch\n";

    #[test]
    fn parses_every_operation() {
        let ops = parse(PATCH).unwrap();
        assert_eq!(
            ops[0],
            Op::Add {
                path: "src/a.ts".into(),
                content: "import x from './b';\nexport const a = x;\n".into()
            }
        );
        assert_eq!(
            ops[1],
            Op::Update {
                path: "src/b.ts".into(),
                move_to: Some("src/c.ts".into()),
                chunks: vec![Chunk {
                    anchor: Some("export function f() {".into()),
                    old: vec!["  return 1;".into(), "}".into()],
                    new: vec!["  return 2;".into(), "}".into()],
                }]
            }
        );
        assert_eq!(
            ops[2],
            Op::Delete {
                path: "src/d.ts".into()
            }
        );
        assert!(parse("*** Begin Patch\n*** Add File: a\n").is_err());
        assert!(parse("diff --git a/x b/x\n").is_err());
    }

    #[test]
    fn applies_hunks_after_their_anchor_and_tolerates_whitespace() {
        let current =
            "export function g() {\n  return 1;\n}\nexport function f() {\n  return 1;\n}\n";
        let Op::Update { chunks, .. } = parse(PATCH).unwrap().remove(1) else {
            panic!()
        };
        assert_eq!(
            apply(current, &chunks).unwrap(),
            "export function g() {\n  return 1;\n}\nexport function f() {\n  return 2;\n}\n"
        );
        // trailing whitespace in the file does not stop the match
        let spaced = current.replace(
            "  return 1;\n}\nexport function f",
            "  return 1;  \n}\nexport function f",
        );
        assert!(apply(&spaced, &chunks).is_some());
        // old lines that are not there: Codex refuses the patch
        assert_eq!(apply("nothing\n", &chunks), None);
        // a hunk without old lines appends
        let append = [Chunk {
            anchor: None,
            old: vec![],
            new: vec!["x".into()],
        }];
        assert_eq!(apply("a\n", &append).unwrap(), "a\nx\n");
    }
}
