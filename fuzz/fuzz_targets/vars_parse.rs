//! The variable-string parser (`${source:address, fallback}`, escapes, nesting) on arbitrary
//! strings, then the conversion of what it found to spanned variables; and the `.env` parser
//! on the same text. Errors are fine; a panic, overflow or hang is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slsx::source::{FileId, Span};
use slsx::vars::{dotenv, parse, resolve};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse::parse(text) {
        Ok(Some(vars)) => {
            let site = Span::new(FileId(0), 0, text.len());
            let _ = resolve::convert_vars(vars, text, site);
        }
        Ok(None) => {}
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let _ = dotenv::parse(text);
});
