//! Property tests of the manifest JSON parser against `serde_json`: it never panics,
//! accepts and rejects the same texts, reads the same values, and every span it reports
//! covers exactly the text of its value.

use prometeu_analysis::FileId;
use prometeu_analysis::project::json::{JsonKind, JsonValue, parse_json};
use proptest::prelude::*;
use serde_json::Value;

/// Our value as a serde_json value; each number is read by serde_json from the exact
/// text we kept, which checks that we kept the right text.
fn to_serde(v: &JsonValue) -> Value {
    match &v.kind {
        JsonKind::Null => Value::Null,
        JsonKind::Bool(b) => Value::Bool(*b),
        JsonKind::Number(text) => serde_json::from_str(text).expect("number text is JSON"),
        JsonKind::String(s) => Value::String(s.clone()),
        JsonKind::Array(items) => Value::Array(items.iter().map(to_serde).collect()),
        JsonKind::Object(members) => {
            let mut map = serde_json::Map::new();
            // serde_json keeps the last of duplicate keys; so does this.
            for m in members {
                map.insert(m.key.clone(), to_serde(&m.value));
            }
            Value::Object(map)
        }
    }
}

/// Equal values, except that floats may differ in the last bits: serde_json's float
/// reader (without its `float_roundtrip` feature) is not always correctly rounded.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x.is_f64() || y.is_f64() {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x == y || (x - y).abs() <= 1e-14 * x.abs().max(y.abs())
            } else {
                x == y
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

/// Every value's span, parsed alone, is that value; every key span is its key.
fn check_spans(text: &str, v: &JsonValue) {
    let own: Value = serde_json::from_str(&text[v.span.range()]).expect("span text is JSON");
    assert!(same(&own, &to_serde(v)), "{own:?} vs {:?}", to_serde(v));
    match &v.kind {
        JsonKind::Array(items) => items.iter().for_each(|i| check_spans(text, i)),
        JsonKind::Object(members) => {
            for m in members {
                let key: String = serde_json::from_str(&text[m.key_span.range()]).unwrap();
                assert_eq!(key, m.key);
                check_spans(text, &m.value);
            }
        }
        _ => {}
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "(?s).{0,12}".prop_map(Value::String),
        "[\u{0}-\u{1f}\"\\\\/a\u{e9}\u{1F600}]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z\"\\\\ ]{0,5}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(text in "(?s).{0,200}") {
        let _ = parse_json(&text, FileId(0));
    }

    /// Short texts over JSON's own alphabet: we accept exactly what serde_json accepts
    /// (too short to reach either nesting limit).
    #[test]
    fn accepts_what_serde_json_accepts(text in "[\\[\\]{}\",: \\n0-9.eE+\\-tfrulasn\\\\/bu]{0,40}") {
        let ours = parse_json(&text, FileId(0));
        let theirs = serde_json::from_str::<Value>(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}, serde {:?}", text, ours.as_ref().err(), theirs.as_ref().err());
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            prop_assert!(same(&to_serde(&ours), &theirs));
        }
    }

    #[test]
    fn reads_valid_json_like_serde_json(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        let parsed = parse_json(&text, FileId(0)).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        prop_assert!(same(&to_serde(&parsed), &value), "{:?} vs {:?}", to_serde(&parsed), value);
        prop_assert_eq!(parsed.span.range(), 0..text.len());
        check_spans(&text, &parsed);
    }

    /// One byte of valid JSON deleted, or one JSON-ish character inserted: still the
    /// same verdict as serde_json, and any error span lies inside the text.
    #[test]
    fn agrees_on_near_misses(
        value in json_value(),
        at in any::<prop::sample::Index>(),
        insert in prop::option::of(prop::sample::select(vec!['"', ',', ':', '[', ']', '{', '}', '\\', '-', '0', '.', 'e', 'x', '\n', '\u{1}'])),
    ) {
        let mut text = serde_json::to_string(&value).unwrap();
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let i = boundaries[at.index(boundaries.len())];
        match insert {
            Some(c) => text.insert(i, c),
            None if i < text.len() => { text.remove(i); }
            None => {}
        }
        let ours = parse_json(&text, FileId(0));
        let theirs = serde_json::from_str::<Value>(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}, serde {:?}", text, ours.as_ref().err(), theirs.as_ref().err());
        match ours {
            Ok(ours) => prop_assert!(same(&to_serde(&ours), &theirs.unwrap())),
            Err(e) => {
                prop_assert!(e.span.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(e.span.start as usize) && text.is_char_boundary(e.span.end as usize));
            }
        }
    }
}
