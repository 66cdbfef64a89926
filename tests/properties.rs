//! Property tests: byte ↔ line/column conversion, and the CloudFormation short-form ↔
//! long-form mapping of the loader.

use proptest::prelude::*;
use slsx::source::{FileId, SourceFile};
use slsx::yaml::{self, CFN_TAGS, LoadOptions};

proptest! {
    /// Every char boundary maps to a line/column that maps back to the same offset.
    #[test]
    fn line_col_round_trip(text in "([a-zé😀 :\\-]{0,12}\n){0,8}[a-zé😀 ]{0,12}") {
        let f = SourceFile::new("t".into(), "t".into(), text.as_str().into());
        for (off, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            let (l, c) = f.line_col(off);
            prop_assert!(l >= 1 && c >= 1);
            if off < text.len() {
                prop_assert_eq!(f.offset_of(l, c), off, "offset {} -> {}:{}", off, l, c);
            }
        }
    }

    /// `!Tag scalar` loads as `{long: "scalar"}` (GetAtt split at the first dot), and the
    /// long form written back as YAML loads to the same value.
    #[test]
    fn short_form_to_long_form(tag in 0usize..17, word in "[A-Za-z][A-Za-z0-9]{0,6}(\\.[A-Za-z0-9]{1,5}){0,2}") {
        let name = CFN_TAGS[tag];
        let text = format!("x: !{name} {word}\n");
        let node = yaml::load(FileId(0), &text, LoadOptions::default()).expect("loads");
        let got = node.get("x").unwrap().to_json();
        let long = yaml::long_form(name);
        let want = if name == "GetAtt" {
            let (a, b) = word.split_once('.').unwrap_or((&word, ""));
            serde_json::json!({ long.clone(): [a, b] })
        } else {
            serde_json::json!({ long.clone(): word })
        };
        prop_assert_eq!(&got, &want);
        let back = slsx::emit::yaml::to_yaml(&serde_json::json!({"x": got}));
        let again = yaml::load(FileId(0), &back, LoadOptions::default()).expect("round trip loads");
        prop_assert_eq!(again.get("x").unwrap().to_json(), want);
    }

    /// Sequence and mapping forms wrap the collection as it is.
    #[test]
    fn tagged_collections(tag in 0usize..17, items in proptest::collection::vec("[a-z]{1,5}", 0..4)) {
        let name = CFN_TAGS[tag];
        let text = format!("x: !{name} [{}]\n", items.join(", "));
        let node = yaml::load(FileId(0), &text, LoadOptions::default()).expect("loads");
        let long = yaml::long_form(name);
        prop_assert_eq!(node.get("x").unwrap().to_json(), serde_json::json!({ long: items }));
    }

    /// The scanner is fed the text in 16 KiB pieces: values, and spans, are the same wherever
    /// a piece ends — inside a multi-byte character, a key, a quoted or a block scalar.
    #[test]
    fn pieces_of_the_text_join_up(pad in 16_330usize..16_390, value in "[a-zé€😀][a-zé€😀 ]{0,11}", style in 0usize..3) {
        let filler = "x".repeat(pad);
        let body = match style {
            0 => format!("v: \"{value}\""),
            1 => format!("v: |\n  {value}"),
            _ => format!("vé€😀: [\"{value}\"]"),
        };
        let text = format!("pad: {filler}\n{body}\nw: 1\n");
        let node = yaml::load(FileId(0), &text, LoadOptions::default()).expect("loads");
        let m = node.as_map().expect("a mapping");
        let (key, entry) = m.iter().nth(1).expect("the second key");
        let got = entry.value.to_json();
        let want = match style {
            0 => serde_json::json!(value),
            1 => serde_json::json!(value.clone() + "\n"),
            _ => serde_json::json!([value]),
        };
        prop_assert_eq!(got, want);
        prop_assert_eq!(&text[entry.key_span.start as usize..entry.key_span.end as usize], key.as_str());
        let w = m.entry("w").expect("w");
        prop_assert_eq!(&text[w.value.span.start as usize..w.value.span.end as usize], "1");
        prop_assert_eq!(&text[w.key_span.start as usize..w.key_span.end as usize], "w");
    }
}
