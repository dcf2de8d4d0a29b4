//! The JSON schema of `layergate.toml` (`editors/schema/layergate.schema.json`)
//! is generated from the config types in `rules/src/config/raw.rs`
//! ([`rules::config::json_schema_text`]). These tests keep the committed
//! file current and check the schema's vocabulary (allowed values, defaults)
//! against the config loader.
//!
//! Regenerate the file with `UPDATE_SCHEMA=1 cargo test -p layergate-rules schema`.

use rules::config::json_schema_text;
use rules::config::{Checks, Config, Severity};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn committed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/schema/layergate.schema.json")
}

fn schema() -> Value {
    serde_json::from_str(&json_schema_text()).unwrap()
}

fn parse(text: &str) -> Result<Config, Vec<String>> {
    Config::parse(Path::new("/ws/layergate.toml"), text)
        .map_err(|p| p.into_iter().map(|p| p.message).collect())
}

/// `schema` at a path of property names (through `items` for arrays).
fn at<'a>(schema: &'a Value, path: &[&str]) -> &'a Value {
    let mut s = schema;
    for key in path {
        if s["type"] == "array" {
            s = &s["items"];
        }
        s = &s["properties"][*key];
        assert!(
            s.is_object(),
            "no property {key} in the schema (path {path:?})"
        );
    }
    s
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn schema_file_is_current() {
    let path = committed_path();
    let text = json_schema_text();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "editors/schema/layergate.schema.json is stale: run UPDATE_SCHEMA=1 cargo test -p layergate-rules schema"
    );
}

#[test]
fn schema_is_draft_07_with_pretty_json_and_a_trailing_newline() {
    let text = json_schema_text();
    assert!(text.starts_with("{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n"));
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    let s = schema();
    assert_eq!(s["title"], "layergate.toml");
    // every sub-schema inline: taplo shows a `$ref`'s target instead of the key's own docs
    assert!(!text.contains("\"$ref\""));
    assert!(s.get("definitions").is_none());
}

/// Every object schema denies unknown keys (spec: unknown keys are errors),
/// every key has a description (hover docs), no type admits `null` (TOML has none).
#[test]
fn schema_denies_unknown_keys_and_documents_every_key() {
    fn walk(v: &Value, path: &str, objects: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if map.get("type") == Some(&Value::from("object")) {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "{path}"
                    );
                    for (key, prop) in map["properties"].as_object().unwrap() {
                        let d = prop["description"].as_str().unwrap_or_default();
                        assert!(d.len() > 10, "{path}/{key} has no description");
                        assert!(
                            !d.contains('\n'),
                            "{path}/{key}: description with a line break"
                        );
                    }
                    objects.push(path.to_string());
                }
                assert!(!map.contains_key("$ref"), "{path}");
                if let Some(t) = map.get("type") {
                    assert!(t.is_string(), "{path}: type {t}");
                    assert_ne!(t, "null", "{path}");
                }
                if let Some(Value::Array(e)) = map.get("enum") {
                    assert!(e.iter().all(Value::is_string), "{path}: enum {e:?}");
                }
                for (k, child) in map {
                    walk(child, &format!("{path}/{k}"), objects);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, &format!("{path}/{i}"), objects);
                }
            }
            _ => {}
        }
    }
    let mut objects = Vec::new();
    walk(&schema(), "", &mut objects);
    // root, workspace, modules, layers (table and array of tables), deny,
    // boundary, pattern, allow, checks, hooks
    assert_eq!(
        objects,
        [
            "",
            "/properties/allow/items",
            "/properties/boundary/items",
            "/properties/checks",
            "/properties/deny/items",
            "/properties/hooks",
            "/properties/layers/oneOf/0",
            "/properties/layers/oneOf/1/items",
            "/properties/modules/items",
            "/properties/pattern/items",
            "/properties/workspace",
        ]
    );
}

#[test]
fn schema_required_keys() {
    let s = schema();
    let req = |path: &[&str]| {
        let mut r = strings(&at(&s, path)["items"]["required"]);
        r.sort();
        r
    };
    assert_eq!(req(&["modules"]), ["name", "paths"]);
    assert_eq!(req(&["deny"]), ["from", "id", "to"]);
    assert_eq!(req(&["boundary"]), ["allow_in", "apis", "id"]);
    assert_eq!(req(&["pattern"]), ["id", "language", "query"]);
    assert_eq!(req(&["allow"]), ["from", "to"]);
    assert_eq!(
        strings(&at(&s, &["layers"])["oneOf"][0]["required"]),
        ["order"]
    );
    assert!(s.get("required").is_none());
    assert!(at(&s, &["workspace"]).get("required").is_none());
    assert!(at(&s, &["checks"]).get("required").is_none());
    assert_eq!(at(&s, &["modules", "paths"])["minItems"], 1);
}

/// The severity keys of `[checks]`: their enum is what the loader accepts, and
/// their default is the loader's default.
#[test]
fn schema_check_severities_match_the_loader() {
    let s = schema();
    let checks = at(&s, &["checks"])["properties"].as_object().unwrap();
    let defaults = Checks::default();
    let mut severity_keys = 0;
    for (key, prop) in checks {
        if prop["enum"][0] != "error" {
            continue;
        }
        // the registry names the rule of each key
        let rule = rules::rule::Builtin::from_check_key(key)
            .unwrap_or_else(|| panic!("`{key}` is no rule's key"))
            .id();
        severity_keys += 1;
        assert_eq!(
            strings(&prop["enum"]),
            ["error", "warning", "warn", "info", "hint", "off"],
            "{key}"
        );
        let default = prop["default"].as_str().unwrap();
        assert_eq!(
            Some(defaults.severity_of(rule)),
            Severity::parse(default),
            "default of {key}"
        );
        for v in strings(&prop["enum"]) {
            let c = parse(&format!("[checks]\n{key} = \"{v}\"\n"))
                .unwrap_or_else(|e| panic!("{key} = {v}: {e:?}"));
            assert_eq!(
                Some(c.checks.severity_of(rule)),
                Severity::parse(v),
                "{key} = {v}"
            );
        }
        assert!(
            parse(&format!("[checks]\n{key} = \"fatal\"\n")).is_err(),
            "{key} = fatal"
        );
    }
    assert_eq!(severity_keys, 10);

    // the two choices
    assert_eq!(
        strings(&checks["type_only_imports"]["enum"]),
        ["count", "ignore"]
    );
    assert_eq!(checks["type_only_imports"]["default"], "count");
    assert!(defaults.type_only_count);
    assert!(
        !parse("[checks]\ntype_only_imports = \"ignore\"")
            .unwrap()
            .checks
            .type_only_count
    );
    assert_eq!(strings(&checks["reexports"]["enum"]), ["follow", "direct"]);
    assert_eq!(checks["reexports"]["default"], "follow");
    assert!(defaults.reexports_follow);
    assert!(
        !parse("[checks]\nreexports = \"direct\"")
            .unwrap()
            .checks
            .reexports_follow
    );
    assert!(parse("[checks]\nreexports = \"yes\"").is_err());
}

#[test]
fn schema_rule_enums_match_the_loader() {
    let s = schema();
    for table in ["deny", "boundary", "pattern"] {
        let sev = at(&s, &[table, "severity"]);
        assert_eq!(sev["default"], "error", "{table}");
        for v in strings(&sev["enum"]) {
            let text = match table {
                "deny" => format!("[[deny]]\nid = \"r\"\nfrom = [\"a/**\"]\nto = [\"b/**\"]\nseverity = \"{v}\""),
                "boundary" => format!("[[boundary]]\nid = \"r\"\napis = [\"rust:unsafe\"]\nallow_in = []\nseverity = \"{v}\""),
                _ => format!("[[pattern]]\nid = \"r\"\nlanguage = \"rust\"\nquery = \"(identifier) @x\"\nseverity = \"{v}\""),
            };
            parse(&text).unwrap_or_else(|e| panic!("{table} severity {v}: {e:?}"));
        }
    }
    let lang = at(&s, &["pattern", "language"]);
    for v in strings(&lang["enum"]) {
        parse(&format!(
            "[[pattern]]\nid = \"p\"\nlanguage = \"{v}\"\nquery = \"(identifier) @x\""
        ))
        .unwrap_or_else(|e| panic!("language {v}: {e:?}"));
    }
    assert!(
        parse("[[pattern]]\nid = \"p\"\nlanguage = \"cobol\"\nquery = \"(identifier) @x\"")
            .is_err()
    );

    let siblings = &at(&s, &["layers"])["oneOf"][0]["properties"]["siblings"];
    assert_eq!(strings(&siblings["enum"]), ["deny", "allow"]);
    assert_eq!(siblings["default"], "deny");
    for v in strings(&siblings["enum"]) {
        parse(&format!("[[modules]]\nname = \"a\"\npaths = [\"a/**\"]\n[layers]\norder = [\"a\"]\nsiblings = \"{v}\""))
            .unwrap_or_else(|e| panic!("siblings {v}: {e:?}"));
    }

    // a rule id may not be a built-in id: the list is the engine's
    let id = at(&s, &["deny", "id"]);
    assert_eq!(strings(&id["not"]["enum"]), rules::config::BUILTIN_RULES);
    assert_eq!(id["pattern"], "^[a-z0-9._-]+$");
    assert_eq!(
        at(&s, &["modules", "name"])["pattern"],
        r"^(?:[a-z0-9_-]|\{1\})+$"
    );
}
