//! The spanned YAML loader on arbitrary bytes: YAML mode or JSON mode (bit 1 of the first byte), diagnostics rendered
//! (bit 2), then
//! every consumer of a loaded tree that needs no files (to JSON, JS `String(v)`, both
//! emitters). It must never panic, overflow, hang or blow up memory; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slsx::diagnostics::{Diags, RenderOptions, render_all_human, render_json};
use slsx::source::{FileId, SourceMap};
use slsx::yaml::{self, Limits, LoadOptions};

fuzz_target!(
    init: {
        // the loader catches libyaml-safer's panics and turns them into syntax errors; the
        // fuzzer's abort-on-panic hook must let those through
        slsx::yaml::quiet_library_panics();
    },
    |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id: FileId = sources.add("fuzz.yml", "fuzz.yml", text);
    let opts = LoadOptions {
        json: mode & 1 == 1,
        // the alias budget's logic is the same at any size; a small one keeps the fuzzer from
        // spending its time building two-million-node trees (the default limit has its own
        // fixture, yaml-err-alias-bomb)
        limits: Limits {
            max_nodes: 20_000,
            ..Limits::default()
        },
    };
    match yaml::load(id, text, opts) {
        Ok(node) => {
            let json = node.to_json();
            let _ = yaml::js_to_string(&node);
            let _ = slsx::emit::render(&json, slsx::emit::Format::Json);
            let _ = slsx::emit::render(&json, slsx::emit::Format::Yaml);
        }
        Err(diags) => {
            // rendering must cope with every span the loader produces (bit 2: it is the slow
            // part, so only some inputs take it)
            if mode & 2 == 2 {
                let diags = Diags::from(diags);
                let _ = render_all_human(&diags, &sources, RenderOptions::plain(100));
                let _ = render_json(&diags, &sources);
            }
        }
    }
});
