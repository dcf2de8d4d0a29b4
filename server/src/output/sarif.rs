//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! One run; `tool.driver.rules` lists the rules that appear (sorted by id) and
//! each result points at its rule by `ruleId` and `ruleIndex`. Columns are
//! Unicode code points (`columnKind`), `endColumn` exclusive, as in the JSON
//! output. URIs are relative to `%SRCROOT%` (the directory `check` ran in).
//!
//! `partialFingerprints["layergate/v1"]` identifies a violation across line
//! moves the way the baseline does: a hash of rule, file and target (the
//! message when there is no target), then `:N` for its N-th occurrence in the
//! file, so two identical imports in one file stay two alerts.
//!
//! With a baseline in use, baselined results have `baselineState: unchanged`
//! and the others `new`.

use std::collections::BTreeMap;

use rules::Severity;
use rules::{Diagnostic, Fix, Range};
use serde::Serialize;

use super::report::{Report, RuleMeta};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT: &str = "layergate/v1";
const SRCROOT: &str = "%SRCROOT%";
/// Where people learn about the tool: the package's `repository`, once set.
const INFORMATION_URI: &str = if env!("CARGO_PKG_REPOSITORY").is_empty() {
    "https://github.com/layergate/layergate"
} else {
    env!("CARGO_PKG_REPOSITORY")
};

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    information_uri: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    short_description: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Message<'a>,
}

/// Renders the report as a SARIF 2.1.0 log, pretty-printed, with a trailing
/// newline. `rules` gives descriptions and help links; a rule without an entry
/// is described by its id.
pub fn sarif(r: &Report, rules: &[RuleMeta]) -> String {
    // The rules that appear, sorted by id, each with its default level: the
    // most severe of its non-baselined diagnostics (baselined ones are hints).
    let mut levels: BTreeMap<&str, Option<Severity>> = BTreeMap::new();
    for d in r.diagnostics {
        let level = levels.entry(d.rule.as_str()).or_default();
        if !d.baselined {
            *level = Some(level.map_or(d.severity, |l| l.min(d.severity)));
        }
    }
    let index: BTreeMap<&str, usize> = levels.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let descriptors = levels
        .iter()
        .map(|(id, level)| descriptor(id, *level, rules))
        .collect();

    let mut occurrences: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    let results = r
        .diagnostics
        .iter()
        .map(|d| {
            let what = d.target.as_deref().unwrap_or(&d.message);
            let n = occurrences
                .entry((d.rule.as_str(), &d.file, what))
                .or_default();
            *n += 1;
            let fingerprint = format!("{:016x}:{n}", fingerprint(d.rule.as_str(), &d.file, what));
            result(
                d,
                index.get(d.rule.as_str()).copied().unwrap_or(0),
                fingerprint,
                r.baseline_in_use,
            )
        })
        .collect();

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "layergate",
                    information_uri: INFORMATION_URI,
                    version: env!("CARGO_PKG_VERSION"),
                    rules: descriptors,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    match serde_json::to_string_pretty(&log) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Cannot happen (plain structs), but never panic.
        Err(e) => format!(
            "{{\"error\": {}}}\n",
            serde_json::Value::from(e.to_string())
        ),
    }
}

fn descriptor<'a>(
    id: &'a str,
    level: Option<Severity>,
    rules: &'a [RuleMeta],
) -> ReportingDescriptor<'a> {
    let meta = rules.iter().find(|m| m.id == id);
    let description = meta.map(|m| m.description.trim()).filter(|d| !d.is_empty());
    let short = description
        .and_then(|d| d.lines().next())
        .map(str::trim_end)
        .unwrap_or(id);
    ReportingDescriptor {
        id,
        short_description: Message { text: short },
        full_description: description
            .filter(|d| *d != short)
            .map(|text| Message { text }),
        help_uri: meta.map(|m| m.help_uri.as_str()).filter(|u| !u.is_empty()),
        default_configuration: level.map(|l| Configuration { level: level_of(l) }),
    }
}

fn result(
    d: &Diagnostic,
    rule_index: usize,
    fingerprint: String,
    baseline_in_use: bool,
) -> SarifResult<'_> {
    let related_locations = d
        .related
        .iter()
        .map(|rel| Location {
            id: Some(0),
            physical_location: physical(&rel.file, &rel.range),
            message: Some(Message { text: &rel.message }),
        })
        .collect();
    SarifResult {
        rule_id: d.rule.as_str(),
        rule_index,
        level: level_of(d.severity),
        message: Message { text: &d.message },
        locations: [Location {
            id: None,
            physical_location: physical(&d.file, &d.range),
            message: None,
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint)]),
        baseline_state: baseline_in_use.then_some(if d.baselined { "unchanged" } else { "new" }),
        fixes: d.fixes.iter().map(fix).collect(),
    }
}

/// A fix's edits grouped by file, in the order the files first appear.
fn fix(f: &Fix) -> SarifFix<'_> {
    let mut changes: Vec<ArtifactChange> = Vec::new();
    for e in &f.edits {
        let replacement = Replacement {
            deleted_region: region(&e.range),
            inserted_content: Message { text: &e.new_text },
        };
        let uri = uri(&e.file);
        match changes.iter_mut().find(|c| c.artifact_location.uri == uri) {
            Some(c) => c.replacements.push(replacement),
            None => changes.push(ArtifactChange {
                artifact_location: ArtifactLocation {
                    uri,
                    uri_base_id: SRCROOT,
                },
                replacements: vec![replacement],
            }),
        }
    }
    SarifFix {
        description: Message { text: &f.title },
        artifact_changes: changes,
    }
}

fn physical(file: &str, range: &Range) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(file),
            uri_base_id: SRCROOT,
        },
        region: region(range),
    }
}

/// SARIF positions are 1-based and a region may not end before it starts.
fn region(r: &Range) -> Region {
    let start_line = r.line.max(1);
    let start_column = r.column.max(1);
    let end_line = r.end_line.max(start_line);
    let end_column = if end_line == start_line {
        r.end_column.max(start_column)
    } else {
        r.end_column.max(1)
    };
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

fn level_of(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
        Severity::Off => "none",
    }
}

/// A relative path as a URI reference: `/` kept, everything outside the
/// unreserved and safe sub-delimiter characters percent-encoded (`:` too, so
/// no first segment reads as a scheme).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a (64 bits) of the fields, each followed by a NUL: stable across
/// Rust versions and platforms, unlike `std`'s hasher.
fn fingerprint(rule: &str, file: &str, what: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule, file, what] {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::super::report::fixture::{diag, diagnostics, report};
    use super::*;
    use rules::Related;
    use rules::Span;
    use serde_json::Value;

    /// The official OASIS schema, as shipped in the `serde-sarif` crate's
    /// source (`src/schema.json`).
    const OFFICIAL_SCHEMA: &str = include_str!("../../tests/data/sarif-schema-2.1.0.json");

    fn meta() -> Vec<RuleMeta> {
        vec![
            RuleMeta {
                id: "layers".into(),
                description: "A module imports a module of a higher layer.\nLayers are listed top to bottom in `[[layers]]`.".into(),
                help_uri: "https://layergate.dev/rules/layers".into(),
            },
            RuleMeta { id: "no-fetch".into(), description: "Network calls only in `http`".into(), help_uri: String::new() },
        ]
    }

    /// The schema as a value. Its two `language` patterns have a stray `]`
    /// (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which `jsonschema`
    /// rejects as an invalid regex; we never emit `language`, so they get the
    /// intended pattern here and the vendored file stays byte-identical.
    fn official_schema() -> Value {
        const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
        fn fix(v: &mut Value, fixed: &mut usize) {
            match v {
                Value::Object(map) => {
                    for (k, v) in map.iter_mut() {
                        if k == "pattern" && v == BAD {
                            *v = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                            *fixed += 1;
                        } else {
                            fix(v, fixed);
                        }
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|v| fix(v, fixed)),
                _ => {}
            }
        }
        let mut schema: Value = serde_json::from_str(OFFICIAL_SCHEMA).unwrap();
        let mut fixed = 0;
        fix(&mut schema, &mut fixed);
        assert_eq!(fixed, 2);
        schema
    }

    fn validate(out: &str) {
        let schema = official_schema();
        let instance: Value = serde_json::from_str(out).unwrap();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn snapshot() {
        let ds = diagnostics();
        // The package version and repository are redacted: bumping them is
        // not a format change.
        let out = sarif(&report(&ds), &meta());
        let driver = format!(
            "\"informationUri\": \"{INFORMATION_URI}\",\n          \"version\": \"{}\",",
            env!("CARGO_PKG_VERSION")
        );
        assert!(out.contains(&driver), "{out}");
        let redacted = "\"informationUri\": \"[uri]\",\n          \"version\": \"[version]\",";
        insta::assert_snapshot!(out.replace(&driver, redacted));
    }

    #[test]
    fn validates_against_the_official_schema() {
        let mut ds = diagnostics();
        ds[2].related = Some(Related {
            file: "layergate.toml".into(),
            range: Range {
                line: 12,
                column: 1,
                end_line: 12,
                end_column: 11,
            },
            span: Span::default(),
            message: "the layers".into(),
        });
        ds.push(diag(
            "odd dir/ä:b#?.ts",
            (0, 0, 0, 0),
            Severity::Off,
            "x",
            "m",
            (None, None),
            None,
            false,
        ));
        validate(&sarif(&report(&ds), &meta()));
        let r = Report {
            diagnostics: &ds,
            files: 1,
            elapsed_ms: 1,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        validate(&sarif(&r, &[]));
        let empty = Report {
            diagnostics: &[],
            files: 0,
            elapsed_ms: 0,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        validate(&sarif(&empty, &[]));
    }

    #[test]
    fn schema_check_can_fail() {
        let mut v: Value = serde_json::from_str(&sarif(&report(&diagnostics()), &meta())).unwrap();
        v["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(!jsonschema::is_valid(&official_schema(), &v));
    }

    #[test]
    fn rules_are_the_ones_that_appear_with_indices() {
        let v: Value = serde_json::from_str(&sarif(&report(&diagnostics()), &meta())).unwrap();
        let run = &v["runs"][0];
        let ids: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["depends-on", "layers", "no-fetch", "skipped"]);
        for res in run["results"].as_array().unwrap() {
            let i = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(ids[i], res["ruleId"].as_str().unwrap());
        }
    }

    #[test]
    fn levels_and_baseline_state() {
        let v: Value = serde_json::from_str(&sarif(&report(&diagnostics()), &meta())).unwrap();
        let got: Vec<(&str, &str)> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["level"].as_str().unwrap(),
                    r["baselineState"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("note", "new"),
                ("note", "new"),
                ("error", "new"),
                ("note", "unchanged"),
                ("warning", "new")
            ]
        );
        // The baselined hint does not lower `layers`' default level.
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][1]["defaultConfiguration"]["level"],
            "error"
        );
    }

    #[test]
    fn no_baseline_state_without_baseline() {
        let ds = diagnostics();
        let r = Report {
            diagnostics: &ds,
            files: 1,
            elapsed_ms: 1,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        assert!(!sarif(&r, &[]).contains("baselineState"));
    }

    #[test]
    fn fingerprint_ignores_lines_and_counts_occurrences() {
        let d = |line| {
            diag(
                "a.ts",
                (line, 1, line, 5),
                Severity::Error,
                "layers",
                "m",
                (None, None),
                Some("b.ts"),
                false,
            )
        };
        let other = diag(
            "a.ts",
            (9, 1, 9, 5),
            Severity::Error,
            "layers",
            "m",
            (None, None),
            Some("c.ts"),
            false,
        );
        let fps = |ds: &[Diagnostic]| -> Vec<String> {
            let v: Value = serde_json::from_str(&sarif(&report(ds), &[])).unwrap();
            v["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r["partialFingerprints"]["layergate/v1"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        let before = fps(&[d(1), d(2), other.clone()]);
        let after = fps(&[d(10), d(20), other]);
        assert_eq!(before, after);
        let h = format!("{:016x}", fingerprint("layers", "a.ts", "b.ts"));
        assert_eq!(before[0], format!("{h}:1"));
        assert_eq!(before[1], format!("{h}:2"));
        assert!(before[2].ends_with(":1") && !before[2].starts_with(&h));
    }

    #[test]
    fn fingerprint_is_fnv1a() {
        // FNV-1a 64 of "a\0b\0c\0".
        let mut h: u64 = 0xcbf29ce484222325;
        for b in *b"a\0b\0c\0" {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
        assert_eq!(fingerprint("a", "b", "c"), h);
        assert_ne!(fingerprint("ab", "", "c"), fingerprint("a", "b", "c"));
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("src/a-b_c.~d.ts"), "src/a-b_c.~d.ts");
        assert_eq!(uri("odd dir/ä:b#?%.ts"), "odd%20dir/%C3%A4%3Ab%23%3F%25.ts");
        assert_eq!(uri("../x.ts"), "../x.ts");
    }

    #[test]
    fn regions_are_never_empty_or_zero() {
        let r = |l, c, el, ec| {
            let g = region(&Range {
                line: l,
                column: c,
                end_line: el,
                end_column: ec,
            });
            (g.start_line, g.start_column, g.end_line, g.end_column)
        };
        assert_eq!(r(0, 0, 0, 0), (1, 1, 1, 1));
        assert_eq!(r(3, 5, 3, 2), (3, 5, 3, 5));
        assert_eq!(r(3, 5, 4, 0), (3, 5, 4, 1));
        assert_eq!(r(3, 5, 1, 9), (3, 5, 3, 9));
    }

    #[test]
    fn descriptions() {
        let m = meta();
        let d = descriptor("layers", Some(Severity::Warning), &m);
        assert_eq!(
            d.short_description.text,
            "A module imports a module of a higher layer."
        );
        assert_eq!(
            d.full_description.map(|f| f.text),
            Some(m[0].description.as_str())
        );
        assert_eq!(d.help_uri, Some("https://layergate.dev/rules/layers"));
        let d = descriptor("no-fetch", None, &m);
        assert!(
            d.full_description.is_none()
                && d.help_uri.is_none()
                && d.default_configuration.is_none()
        );
        let d = descriptor("cycle", Some(Severity::Hint), &m);
        assert_eq!(d.short_description.text, "cycle");
        assert_eq!(d.default_configuration.map(|c| c.level), Some("note"));
    }
}
