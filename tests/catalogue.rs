//! The error catalogue `docs/errors.md` is generated from the code: every diagnostic code with
//! its one-line meaning and, as an example, a fixture whose rendered output shows it. This
//! test fails when the file is out of date (`SLSX_BLESS=1 cargo test --test catalogue`
//! rewrites it) or when a code is declared twice.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write;

fn examples() -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let dir = support::root().join("fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    for case in cases {
        for file in ["expected.stderr", "warnings"] {
            let Ok(text) = std::fs::read_to_string(dir.join(&case).join(file)) else {
                continue;
            };
            for line in text.lines() {
                let code = line.trim();
                if code.starts_with("slsx::") && !code.contains(' ') {
                    let list = map.entry(code.to_string()).or_default();
                    if !list.contains(&case) {
                        list.push(case.clone());
                    }
                }
            }
        }
    }
    map
}

fn render() -> String {
    let codes = slsx::diagnostics::codes::all();
    let examples = examples();
    let mut s = String::new();
    s.push_str("# slsx diagnostic codes\n\n");
    s.push_str("Generated from the code by `tests/catalogue.rs` (`SLSX_BLESS=1 cargo test --test catalogue`).\n");
    s.push_str("Every diagnostic slsx prints starts with one of these codes. The example is a fixture whose\n");
    s.push_str("`expected.stderr` (or `warnings`) shows the code rendered; run `slsx expand fixtures/<example>`.\n\n");
    s.push_str("| code | meaning | example |\n|---|---|---|\n");
    for c in &codes {
        let ex = examples
            .get(c.id)
            .and_then(|v| v.first())
            .map(|e| format!("[`{e}`](../fixtures/{e})"))
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            c.id,
            c.meaning.replace('|', "\\|"),
            ex
        );
    }
    s
}

#[test]
fn catalogue_is_up_to_date() {
    let want = render();
    let path = support::root().join("docs/errors.md");
    if std::env::var("SLSX_BLESS").is_ok() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/errors.md is out of date: run SLSX_BLESS=1 cargo test --test catalogue"
    );
}

#[test]
fn codes_are_unique_and_well_formed() {
    let codes = slsx::diagnostics::codes::all();
    let mut seen = std::collections::HashSet::new();
    for c in codes {
        assert!(seen.insert(c.id), "{} declared twice", c.id);
        assert!(c.id.starts_with("slsx::"), "{}", c.id);
        assert!(
            !c.meaning.is_empty() && c.meaning.ends_with('.'),
            "{}: meaning must be a sentence",
            c.id
        );
    }
}

#[test]
fn every_code_shown_in_a_fixture_is_declared() {
    let declared: std::collections::HashSet<&str> = slsx::diagnostics::codes::all()
        .iter()
        .map(|c| c.id)
        .collect();
    for (code, cases) in examples() {
        assert!(
            declared.contains(code.as_str()),
            "{code} (in {cases:?}) is not declared"
        );
    }
}
