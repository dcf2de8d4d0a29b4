//! Rule identity: the registry of built-in rules and [`RuleId`].
//!
//! Every built-in rule is one line of [`builtin_rules!`] below: its id as it
//! appears in diagnostics, its `[checks]` key (if it has a severity of its
//! own), its default severity and what the baseline, the ratchet and
//! suppressions may do with it. Its check, message and documentation live in
//! `analysis/rules/<rule>.rs`. Matches over [`Builtin`] are exhaustive, so a
//! new rule is a compile error wherever it needs a decision.

use std::fmt;
use std::sync::Arc;

use crate::severity::Severity;

/// What the tool may do with a rule's diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    /// `--write-baseline` records it (rules about the code, not the tool).
    pub baselinable: bool,
    /// `check --diff` compares it between the base and the change.
    pub ratcheted: bool,
    /// `layergate-ignore` and `[[allow]]` may silence it.
    pub silenceable: bool,
    /// An unsilenced diagnostic offers "suppress with `layergate-ignore`".
    pub suppress_fix: bool,
}

const CODE: Flags = Flags {
    baselinable: true,
    ratcheted: true,
    silenceable: true,
    suppress_fix: true,
};

/// About the tool (its config, its exceptions): never baselined, compared or silenced.
const TOOL: Flags = Flags {
    baselinable: false,
    ratcheted: false,
    silenceable: false,
    suppress_fix: false,
};

/// What layergate could not read: silenced file by file, never recorded.
const NOT_READ: Flags = Flags {
    baselinable: false,
    ratcheted: false,
    silenceable: true,
    suppress_fix: false,
};

/// The ratchet's own finding: baselinable like code, never compared with itself.
const RATCHET: Flags = Flags {
    baselinable: true,
    ratcheted: false,
    silenceable: true,
    suppress_fix: true,
};

macro_rules! builtin_rules {
    ($($variant:ident = $id:literal, $key:expr, $default:ident, $flags:ident;)*) => {
        /// A built-in rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Builtin {
            $($variant,)*
        }

        impl Builtin {
            /// Every built-in rule, in the order of the docs.
            pub const ALL: &'static [Builtin] = &[$(Builtin::$variant,)*];

            /// The id diagnostics carry.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Builtin::$variant => $id,)*
                }
            }

            /// Its key in `[checks]` and what that key switches (the
            /// schema's description), when its severity is configurable.
            pub const fn check(self) -> Option<(&'static str, &'static str)> {
                match self {
                    $(Builtin::$variant => $key,)*
                }
            }

            /// Its key in `[checks]`, when its severity is configurable.
            pub const fn check_key(self) -> Option<&'static str> {
                match self.check() {
                    Some((key, _)) => Some(key),
                    None => None,
                }
            }

            /// Its severity when `[checks]` does not set one.
            pub const fn default_severity(self) -> Severity {
                match self {
                    $(Builtin::$variant => Severity::$default,)*
                }
            }

            pub const fn flags(self) -> Flags {
                match self {
                    $(Builtin::$variant => $flags,)*
                }
            }
        }

        /// Ids of the built-in rules, as they appear in diagnostics.
        pub const BUILTIN_RULES: &[&str] = &[$($id,)*];
    };
}

builtin_rules! {
    Layers = "layers",
        Some(("layers", "Imports of a module in a layer above (or, with strict, not directly below) the importer's.")),
        Error, CODE;
    DependsOn = "depends-on",
        Some(("depends_on", "Imports of a module not in the importer's `depends_on`.")),
        Error, CODE;
    Visibility = "visibility",
        Some(("visibility", "Imports of a module whose `visible_to` does not name the importer.")),
        Error, CODE;
    External = "external",
        Some(("external", "Imports of third-party packages not in the importer's `external`.")),
        Error, CODE;
    PublicApi = "public-api",
        Some(("public_api", "Imports into a module that bypass its `public` entries.")),
        Error, CODE;
    Cycle = "cycle", Some(("cycles", "Cycles between modules.")), Error, CODE;
    FileCycle = "file-cycle", Some(("file_cycles", "Cycles between files.")), Off, CODE;
    Unresolved = "unresolved",
        Some(("unresolved", "Relative / crate-local imports that resolve to no file.")),
        Warning, CODE;
    Unassigned = "unassigned",
        Some(("unassigned", "Files in no module of the default group.")),
        Off, CODE;
    TestImport = "test-import",
        Some(("test_imports", "Imports of a test file (`[workspace] tests`) from a file that is not one.")),
        Off, CODE;
    Suppression = "suppression", None, Warning, TOOL;
    Config = "config", None, Warning, TOOL;
    DeadRule = "dead-rule", None, Warning, TOOL;
    Skipped = "skipped", None, Info, NOT_READ;
    Policy = "policy", None, Error, RATCHET;
}

impl Builtin {
    pub fn from_id(id: &str) -> Option<Builtin> {
        Builtin::ALL.iter().copied().find(|b| b.id() == id)
    }

    pub fn from_check_key(key: &str) -> Option<Builtin> {
        Builtin::ALL
            .iter()
            .copied()
            .find(|b| b.check_key() == Some(key))
    }

    /// The `[checks]` keys, in registry order.
    pub fn check_keys() -> impl Iterator<Item = &'static str> {
        Builtin::ALL.iter().filter_map(|b| b.check_key())
    }
}

/// Which rule a diagnostic is about: a built-in, or a `[[deny]]`,
/// `[[boundary]]` or `[[pattern]]` rule of the config by its `id` (the config
/// refuses user ids equal to a built-in one, so the two never meet).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RuleId {
    Builtin(Builtin),
    User(Arc<str>),
}

impl RuleId {
    /// The rule an id names: a built-in when one has that id.
    pub fn parse(id: &str) -> RuleId {
        match Builtin::from_id(id) {
            Some(b) => RuleId::Builtin(b),
            None => RuleId::User(id.into()),
        }
    }

    /// A `[[deny]]`, `[[boundary]]` or `[[pattern]]` rule by its id.
    pub fn user(id: &str) -> RuleId {
        RuleId::User(id.into())
    }

    pub fn as_str(&self) -> &str {
        match self {
            RuleId::Builtin(b) => b.id(),
            RuleId::User(id) => id,
        }
    }

    pub fn builtin(&self) -> Option<Builtin> {
        match self {
            RuleId::Builtin(b) => Some(*b),
            RuleId::User(_) => None,
        }
    }

    /// User rules are about the code.
    pub fn flags(&self) -> Flags {
        self.builtin().map_or(CODE, Builtin::flags)
    }

    pub fn is(&self, b: Builtin) -> bool {
        *self == RuleId::Builtin(b)
    }
}

impl From<Builtin> for RuleId {
    fn from(b: Builtin) -> RuleId {
        RuleId::Builtin(b)
    }
}

/// Ordered as the ids are (the outputs sort by rule id).
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for RuleId {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

/// A rule id: a built-in rule's, or a `[[deny]]`/`[[boundary]]`/`[[pattern]]` id.
impl schemars::JsonSchema for RuleId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "The rule: a built-in rule's id (`layers`, `cycle`, ...) or the `id` of a [[deny]], [[boundary]] or [[pattern]] rule."
        })
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RuleId, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(RuleId::parse(&id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_are_unique_and_round_trip() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_id(b.id()), Some(*b));
            assert_eq!(RuleId::parse(b.id()), RuleId::Builtin(*b));
            if let Some(k) = b.check_key() {
                assert_eq!(Builtin::from_check_key(k), Some(*b));
            }
        }
        assert_eq!(RuleId::parse("no-fetch"), RuleId::User("no-fetch".into()));
        assert!(RuleId::parse("cycle") < RuleId::parse("depends-on"));
        assert!(RuleId::parse("no-fetch") < RuleId::parse("public-api"));
    }

    #[test]
    fn only_code_rules_reach_the_baseline_and_the_ratchet() {
        let recorded: Vec<&str> = Builtin::ALL
            .iter()
            .filter(|b| !b.flags().baselinable)
            .map(|b| b.id())
            .collect();
        assert_eq!(recorded, ["suppression", "config", "dead-rule", "skipped"]);
        let unsilenceable: Vec<&str> = Builtin::ALL
            .iter()
            .filter(|b| !b.flags().silenceable)
            .map(|b| b.id())
            .collect();
        assert_eq!(unsilenceable, ["suppression", "config", "dead-rule"]);
    }
}
