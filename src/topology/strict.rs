//! Strict YAML 1.2 scalars for typed values: a boolean is `true` or `false` written without
//! quotes, a number is a plain number. The YAML layer alone would read a quoted `"yes"` or
//! `"80"` into a `bool` or an integer field; every `Sp<T>` reads its value through
//! [`StrictScalars`], which asks for the scalar's YAML type (`deserialize_any`) and refuses a
//! string, a list or a mapping where a boolean or a number belongs. Strings are read as before
//! (a plain `10` in a string field is the text `10`).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A deserializer that forwards everything to `D` except booleans and numbers, which must be
/// YAML booleans and numbers (not strings, lists or mappings), with integers in range.
pub struct StrictScalars<D>(pub D);

/// What a typed field wants, for [`Expect`].
#[derive(Clone, Copy)]
enum Want {
    /// `true` or `false`.
    Bool,
    /// A whole number in `min..=max`.
    Int { min: i128, max: i128 },
    /// A finite number.
    Float,
}

impl Want {
    fn int<T: Into<i128>>(min: T, max: T) -> Self {
        Want::Int {
            min: min.into(),
            max: max.into(),
        }
    }

    /// `expected …` as the error messages say it.
    fn expected(self) -> &'static str {
        match self {
            Want::Bool => "true or false",
            Want::Int { .. } => "a whole number",
            Want::Float => "a number",
        }
    }

    /// The error for a value of the wrong kind (`found` says what it was).
    fn wrong<E: de::Error>(self, found: impl fmt::Display) -> E {
        E::custom(format!("expected {}, found {found}", self.expected()))
    }

    /// Checks an integer against the range, the error giving the value as written.
    fn range<E: de::Error>(self, n: i128) -> Result<(), E> {
        match self {
            Want::Int { max, .. } if n > max => Err(E::custom(format!(
                "the number {n} is too large (at most {max})"
            ))),
            Want::Int { min, .. } if n < min => Err(E::custom(format!(
                "the number {n} is too small (at least {min})"
            ))),
            _ => Ok(()),
        }
    }
}

/// A visitor that lets through only the scalars `want` accepts, then hands them to `inner`.
struct Expect<V> {
    inner: V,
    want: Want,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Expect<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.want.expected())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        match self.want {
            Want::Bool => self.inner.visit_bool(v),
            w => Err(w.wrong(format_args!("`{v}`"))),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        match self.want {
            Want::Bool => Err(self.want.wrong(format_args!("the number {v}"))),
            w => {
                w.range(v.into())?;
                self.inner.visit_u64(v)
            }
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        match self.want {
            Want::Bool => Err(self.want.wrong(format_args!("the number {v}"))),
            w => {
                w.range(v.into())?;
                self.inner.visit_i64(v)
            }
        }
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<V::Value, E> {
        match (self.want, i128::try_from(v)) {
            (Want::Bool, _) => Err(self.want.wrong(format_args!("the number {v}"))),
            (w, Ok(n)) => {
                w.range(n)?;
                self.inner.visit_u128(v)
            }
            (_, Err(_)) => Err(E::custom(format!("the number {v} is too large"))),
        }
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<V::Value, E> {
        match self.want {
            Want::Bool => Err(self.want.wrong(format_args!("the number {v}"))),
            w => {
                w.range(v)?;
                self.inner.visit_i128(v)
            }
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        match self.want {
            Want::Float if v.is_finite() => self.inner.visit_f64(v),
            Want::Float => Err(E::custom(format!("expected a finite number, found {v}"))),
            Want::Int { min, max } if v.fract() == 0.0 || !v.is_finite() => {
                // A whole number beyond 64 bits reaches us as a float; its digits are in the
                // file at the reported position.
                if v > 0.0 {
                    Err(E::custom(format!(
                        "the number is too large (at most {max})"
                    )))
                } else {
                    Err(E::custom(format!(
                        "the number is too small (at least {min})"
                    )))
                }
            }
            w => Err(w.wrong(format_args!("the number {v}"))),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        Err(self.want.wrong(format_args!("the string {v:?}")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        Err(self.want.wrong("nothing (an empty value)"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        Err(self.want.wrong("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        Err(self.want.wrong("a mapping"))
    }
}

macro_rules! strict_int {
    ($($method:ident: $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_any(Expect { inner: v, want: Want::int(<$t>::MIN, <$t>::MAX) })
        }
    )*};
}

macro_rules! forward {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StrictScalars<D> {
    type Error = D::Error;

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Expect {
            inner: v,
            want: Want::Bool,
        })
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Expect {
            inner: v,
            want: Want::Float,
        })
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.deserialize_f32(v)
    }
    strict_int!(deserialize_i8: i8, deserialize_i16: i16, deserialize_i32: i32,
        deserialize_i64: i64, deserialize_u8: u8, deserialize_u16: u16,
        deserialize_u32: u32, deserialize_u64: u64);
    fn deserialize_i128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.deserialize_i64(v)
    }
    fn deserialize_u128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.deserialize_u64(v)
    }
    forward!(
        deserialize_any,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, v)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, v)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, v)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, v)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Reads an optional value strictly (for fields that keep a plain `Option<T>` rather than an
/// `Option<Sp<T>>`): `#[serde(default, deserialize_with = "strict::option")]`.
pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<super::span::Sp<T>>::deserialize(d)?.map(|s| s.value))
}

/// Reads a value strictly (for fields that keep a plain `T`):
/// `#[serde(deserialize_with = "strict::value")]`.
pub fn value<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(super::span::Sp::<T>::deserialize(d)?.value)
}
