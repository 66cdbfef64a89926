//! Generates one test per fixture directory (`fixtures/<case>/`), so `cargo test` lists every
//! case by name and a new directory is a new test.

use std::fs;
use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=fixtures");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let dest = Path::new(&out).join("fixture_tests.rs");
    let mut f = fs::File::create(&dest).expect("create fixture_tests.rs");
    let mut cases: Vec<String> = fs::read_dir("fixtures")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    for case in cases {
        let dir = Path::new("fixtures").join(&case);
        println!("cargo:rerun-if-changed={}", dir.display());
        let ident: String = case
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        writeln!(
            f,
            "#[test]\nfn fixture_{ident}() {{ support::run_fixture(\"{case}\"); }}\n"
        )
        .expect("write");
    }
}
