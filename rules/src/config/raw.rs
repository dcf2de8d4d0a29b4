//! The serde shape of `archgate.toml`, exactly as written. Validation and
//! compilation into [`super::Config`] happen in a second step.

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub workspace: Option<RawWorkspace>,
    #[serde(default)]
    pub modules: Vec<S<RawModule>>,
    pub layers: Option<S<LayersField>>,
    #[serde(default)]
    pub deny: Vec<S<RawDeny>>,
    #[serde(default)]
    pub boundary: Vec<S<RawBoundary>>,
    #[serde(default)]
    pub pattern: Vec<S<RawPattern>>,
    #[serde(default)]
    pub allow: Vec<S<RawAllow>>,
    pub checks: Option<RawChecks>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawWorkspace {
    pub include: Option<Vec<S<String>>>,
    #[serde(default)]
    pub exclude: Vec<S<String>>,
    pub baseline: Option<S<String>>,
    pub tsconfig: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModule {
    pub name: S<String>,
    pub group: Option<S<String>>,
    pub paths: Vec<S<String>>,
    pub depends_on: Option<Vec<S<String>>>,
    pub external: Option<Vec<S<String>>>,
    pub public: Option<Vec<S<String>>>,
    pub visible_to: Option<Vec<S<String>>>,
    #[serde(default)]
    pub utility: bool,
    /// Free text shown by `archgate explain`.
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLayers {
    pub order: Vec<S<LayerEntry>>,
    pub siblings: Option<S<String>>,
    #[serde(default)]
    pub strict: bool,
}

/// One level of `order`: a module name or an array of sibling names.
#[derive(Debug)]
pub enum LayerEntry {
    One(String),
    Level(Vec<S<String>>),
}

impl<'de> Deserialize<'de> for LayerEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LayerEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a module name or an array of module names")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LayerEntry, E> {
                Ok(LayerEntry::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<LayerEntry, A::Error> {
                let v = Vec::<S<String>>::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(LayerEntry::Level(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeny {
    pub id: S<String>,
    pub from: Vec<S<String>>,
    pub to: Vec<S<String>>,
    pub message: Option<String>,
    pub severity: Option<S<String>>,
    #[serde(default)]
    pub exclude: Vec<S<String>>,
    #[serde(default)]
    pub transitive: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBoundary {
    pub id: S<String>,
    pub apis: Vec<S<String>>,
    pub allow_in: Vec<S<String>>,
    pub message: Option<String>,
    pub severity: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPattern {
    pub id: S<String>,
    pub language: S<String>,
    pub query: S<String>,
    pub capture: Option<S<String>>,
    #[serde(default)]
    pub allow_in: Vec<S<String>>,
    pub message: Option<String>,
    pub severity: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAllow {
    pub from: Vec<S<String>>,
    pub to: Vec<S<String>>,
    pub rules: Option<Vec<S<String>>>,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawChecks {
    pub layers: Option<S<String>>,
    pub depends_on: Option<S<String>>,
    pub visibility: Option<S<String>>,
    pub external: Option<S<String>>,
    pub public_api: Option<S<String>>,
    pub cycles: Option<S<String>>,
    pub file_cycles: Option<S<String>>,
    pub unresolved: Option<S<String>>,
    pub unassigned: Option<S<String>>,
    pub type_only_imports: Option<S<String>>,
    pub reexports: Option<S<String>>,
}

/// `[layers]` (one stack) or `[[layers]]` (several stacks).
#[derive(Debug)]
pub struct LayersField(pub Vec<RawLayers>);

impl<'de> Deserialize<'de> for LayersField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LayersField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a [layers] table or [[layers]] tables")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<LayersField, A::Error> {
                let one =
                    RawLayers::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(LayersField(vec![one]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<LayersField, A::Error> {
                let many = Vec::<RawLayers>::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(LayersField(many))
            }
        }
        d.deserialize_any(V)
    }
}
