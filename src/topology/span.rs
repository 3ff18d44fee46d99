//! Values that remember where they were written (`file:line:col`), and name-keyed maps that keep
//! their declaration order and the position of each key. Part of `topology` (rank 0): `spec`
//! is built from these, and diagnostics at every layer point through them.

use super::strict::StrictScalars;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// A line and column in the topology file (1-based; 0 means "not from the file").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// 1-based line; 0 when not from the file.
    pub line: u32,
    /// 1-based column; 0 when not from the file.
    pub col: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line.max(1), self.col.max(1))
    }
}

impl From<serde_saphyr::Location> for Loc {
    fn from(l: serde_saphyr::Location) -> Self {
        Loc {
            line: l.line() as u32,
            col: l.column() as u32,
        }
    }
}

/// A value with the position it was written at.
#[derive(Clone, Debug, Default)]
pub struct Sp<T> {
    /// The value as deserialized.
    pub value: T,
    /// Where it was written (0:0 for a value not read from a file).
    pub loc: Loc,
}

impl<T> Sp<T> {
    /// A value not read from a file (position 0:0).
    pub fn new(value: T) -> Self {
        Sp {
            value,
            loc: Loc::default(),
        }
    }
    /// A value at a known position.
    pub fn at(value: T, loc: Loc) -> Self {
        Sp { value, loc }
    }
}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// Reads `T` through [`StrictScalars`] (booleans and numbers must be YAML booleans and numbers).
struct Strictly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Strictly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(StrictScalars(d)).map(Strictly)
    }
}

/// Reads the value with its position; a boolean or number field refuses strings (`"yes"`,
/// `"80"`), lists and mappings (see [`super::strict`]).
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<Strictly<T>>::deserialize(d)?;
        Ok(Sp {
            value: s.value.0,
            loc: s.referenced.into(),
        })
    }
}

impl<T: Serialize> Serialize for Sp<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(g)
    }
}

/// A YAML scalar kept as text whatever its YAML type (`80`, `"80"`, `1024-65535`, `tcp`, `6`,
/// `true`), exactly as written, so that vpclab, not the YAML layer, says what is wrong with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Word(pub String);

impl Word {
    /// The text (a YAML number or boolean as Rust formats it: `80`, `true`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps the scalar as written (`1e309`, `0x50`, `80.0` stay text for validation to judge);
/// a list or mapping is an error of the YAML layer.
impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Word)
    }
}

impl JsonSchema for Word {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StringOrNumber".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "integer", "boolean"] })
    }
}

/// A YAML mapping from user-chosen names to objects, in declaration order, each name with its
/// position. Duplicate names are rejected by the YAML loader.
#[derive(Clone, Debug)]
pub struct NamedMap<T>(pub Vec<(Sp<String>, T)>);

impl<T> Default for NamedMap<T> {
    fn default() -> Self {
        NamedMap(Vec::new())
    }
}

impl<T> NamedMap<T> {
    /// Entries in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&Sp<String>, &T)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    /// The value of the first entry with this name; None when it is not declared.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }
    /// The key of the first entry with this name, with its position; None when not declared.
    pub fn key(&self, name: &str) -> Option<&Sp<String>> {
        self.0.iter().find(|(k, _)| k.value == name).map(|(k, _)| k)
    }
    /// True when an entry with this name is declared.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    /// Number of declared names.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NamedMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = NamedMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to objects")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(NamedMap(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Sp<String>>()? {
                    let v = m.next_value::<T>()?;
                    out.push((k, v));
                }
                Ok(NamedMap(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<T: Serialize> Serialize for NamedMap<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(&k.value, v)?;
        }
        m.end()
    }
}

impl<T: JsonSchema> JsonSchema for NamedMap<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", T::schema_name()).into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inner = g.subschema_for::<T>();
        schemars::json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^[a-z0-9-]+$" },
            "additionalProperties": inner
        })
    }
}
