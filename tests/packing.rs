//! The template's packing (`compile::template`) never changes the output: a generated
//! service of 30 functions and 30 state machines (hundreds of resources, written by
//! `scripts/gen-service 30`) expands to the same text with every entry kept as a tree, with
//! the default number kept, and with every entry packed as soon as it is not in use.
//! (Its own test binary: the limit is process-wide.)

use std::path::PathBuf;

use slsx::{Input, Options};

fn expand_text() -> (String, usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gen-30");
    let r = slsx::expand(&Input::Path(dir), &Options::default());
    assert!(!r.diags.has_errors(), "{:?}", r.diags);
    let t = r.template.expect("a template");
    let mut out = Vec::new();
    slsx::emit::write_template(&t, slsx::emit::Format::Json, &mut out).expect("written");
    (String::from_utf8(out).expect("UTF-8"), t.resources().len())
}

#[test]
fn packing_does_not_change_the_template() {
    slsx::compile::set_hot_limit(usize::MAX);
    let (all_trees, resources) = expand_text();
    assert!(
        resources > 10 * slsx::compile::HOT_MAX,
        "{resources} resources"
    );
    slsx::compile::set_hot_limit(slsx::compile::HOT_MAX);
    let (default, _) = expand_text();
    assert!(
        default == all_trees,
        "the default limit changed the template"
    );
    slsx::compile::set_hot_limit(1);
    let (all_packed, _) = expand_text();
    assert!(
        all_packed == all_trees,
        "packing every entry changed the template"
    );
}
