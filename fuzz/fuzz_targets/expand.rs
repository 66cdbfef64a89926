//! The whole pipeline (`slsx::expand` + emit + diagnostics rendering) on a fuzzed service
//! directory. The input is the config text, optionally followed by a NUL byte and the text of a
//! second file, written as `inc.yml` next to it (for `${file(./inc.yml)}` and friends).
//! Seeds: every fixture's serverless.yml (`scripts/fuzz-seeds`).
#![no_main]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use slsx::diagnostics::{RenderOptions, render_all_human};
use slsx::{Input, Options};

fn service_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("slsx-fuzz-expand-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    })
}

fuzz_target!(
    init: {
        // the loader catches libyaml-safer's panics and turns them into syntax errors; the
        // fuzzer's abort-on-panic hook must let those through
        slsx::yaml::quiet_library_panics();
    },
    |data: &[u8]| {
    let (config, included) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(config) else {
        return;
    };
    let dir = service_dir();
    let inc = dir.join("inc.yml");
    match included {
        Some(bytes) => std::fs::write(&inc, bytes).expect("write inc.yml"),
        None => {
            let _ = std::fs::remove_file(&inc);
        }
    }
    let input = Input::Text {
        name: "serverless.yml".into(),
        dir: dir.clone(),
        text: text.to_string(),
    };
    let opts = Options {
        env: Some(HashMap::from([
            ("FUZZ".to_string(), "1".to_string()),
            ("STAGE".to_string(), "prod".to_string()),
        ])),
        params: vec!["p=v".into()],
        ..Options::default()
    };
    // every resource packed as soon as it is not in use, so the packing is fuzzed too
    slsx::compile::set_hot_limit(1);
    // and the sources' text packed, so that diagnostics are drawn from unpacked text
    slsx::source::set_pack_from(0);
    let result = slsx::expand(&input, &opts);
    if let Some(t) = &result.template {
        let _ = slsx::emit::write_template(t, slsx::emit::Format::Json, &mut std::io::sink());
    }
    let _ = render_all_human(&result.diags, &result.sources, RenderOptions::plain(100));
});
