//! JSON as lutforge reads it: like `serde_json::from_str` into a `Value`, but a key that
//! appears twice in one object is an error naming where, instead of silently taking the last
//! value. Numbers keep their exact f64 value (serde_json's `float_roundtrip`).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Strict, D::Error> {
        Strict::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut v = Vec::new();
        while let Some(Strict(x)) = seq.next_element()? {
            v.push(x);
        }
        Ok(Strict(Value::Array(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if m.contains_key(&k) {
                return Err(de::Error::custom(format!(
                    "the key \"{k}\" appears twice in one object"
                )));
            }
            let Strict(v) = map.next_value()?;
            m.insert(k, v);
        }
        Ok(Strict(Value::Object(m)))
    }
}

/// Parses JSON text; an error is one line with the place (`scales[0].slopes`) when known.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize::<_, Strict>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        use serde_json::error::Category;
        if path == "." || matches!(inner.classify(), Category::Syntax | Category::Eof) {
            format!("malformed JSON: {inner}")
        } else {
            format!("{path}: {inner}")
        }
    })?;
    de.end().map_err(|e| format!("malformed JSON: {e}"))?;
    Ok(v.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_serde_json() {
        let text = r#"{"a": [1, -2, 3.5, "x", null, true], "b": {"c": {}}}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_place() {
        let e = parse(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(e.contains("\"a\" appears twice"), "{e}");
        let e = parse(r#"{"s": [{"k": 1}, {"k": 1, "k": 2}]}"#).unwrap_err();
        assert!(
            e.starts_with("s[1]") && e.contains("\"k\" appears twice"),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_malformed() {
        assert!(parse("{").unwrap_err().starts_with("malformed JSON"));
        assert!(parse("{} x").unwrap_err().starts_with("malformed JSON"));
    }

    #[test]
    fn numbers_keep_their_exact_value() {
        // 2^-24, printed the shortest way that reads back exactly.
        let v = parse("[5.960464477539063e-8]").unwrap();
        assert_eq!(v[0].as_f64().unwrap(), 2f64.powi(-24));
    }
}
