//! The one deserializer of keys written either short, as a bare string, or as an object
//! (`- s3` or `- { service: s3, region: … }`; `- a` or `- { subnet: a, ip: … }`): the string
//! and the map are each turned into the value by the caller's constructor, and anything else is
//! an error naming both forms (the `expecting` text), so every such key reports alike.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Deserializes a value of type `V` from a string (`short`) or from a map read as `M` (`full`).
/// `expecting` finishes "invalid type: …, expected …" (`a CIDR or { cidr, description }`).
pub fn string_or_map<'de, D, M, V>(
    d: D,
    expecting: &'static str,
    short: fn(String) -> V,
    full: fn(M) -> V,
) -> Result<V, D::Error>
where
    D: Deserializer<'de>,
    M: Deserialize<'de>,
{
    /// The visitor: the two constructors and the text for other input.
    struct ShortOrFull<M, V> {
        expecting: &'static str,
        short: fn(String) -> V,
        full: fn(M) -> V,
        _m: PhantomData<M>,
    }
    impl<'de, M: Deserialize<'de>, V> Visitor<'de> for ShortOrFull<M, V> {
        type Value = V;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<V, E> {
            Ok((self.short)(v.to_string()))
        }
        fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<V, A::Error> {
            M::deserialize(de::value::MapAccessDeserializer::new(m)).map(self.full)
        }
    }
    d.deserialize_any(ShortOrFull {
        expecting,
        short,
        full,
        _m: PhantomData,
    })
}
