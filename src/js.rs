//! JavaScript's string primitives that the framework's and the plugin's behaviour depends
//! on: `String.prototype.trim` and `Number(string)`, in one place (the value-level semantics —
//! truthiness, `String()`, lodash — are in `compile::js`).

/// JavaScript's white space and line terminators (what `String.prototype.trim` removes).
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// JavaScript `Number(string)`: `NaN` when the text is not a number.
pub fn string_to_number(s: &str) -> f64 {
    let t = trim(s);
    if t.is_empty() {
        return 0.0;
    }
    let radix = |digits: &str, r: u32| -> f64 {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(r)) {
            return f64::NAN;
        }
        digits.chars().fold(0.0, |acc, c| {
            acc * r as f64 + c.to_digit(r).unwrap_or(0) as f64
        })
    };
    let lower = t.get(..2).map(|p| p.to_ascii_lowercase());
    match lower.as_deref() {
        Some("0x") => return radix(&t[2..], 16),
        Some("0o") => return radix(&t[2..], 8),
        Some("0b") => return radix(&t[2..], 2),
        _ => {}
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'+' => (1.0, &t[1..]),
        b'-' => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !is_unsigned_decimal(body) {
        return f64::NAN;
    }
    match body.parse::<f64>() {
        Ok(v) => sign * v,
        Err(_) => {
            // Rust rejects "5." and ".5" forms on some inputs; normalise.
            let mut norm = body.to_string();
            if norm.starts_with('.') {
                norm.insert(0, '0');
            }
            if let Some(p) = norm.find('.')
                && (p + 1 == norm.len() || !norm.as_bytes()[p + 1].is_ascii_digit())
            {
                norm.insert(p + 1, '0');
            }
            norm.parse::<f64>().map(|v| sign * v).unwrap_or(f64::NAN)
        }
    }
}

/// JavaScript's `StrUnsignedDecimalLiteral` without `Infinity`: `digits [. digits?] |
/// . digits`, then an optional `e[+-]digits` (also Joi's number pattern after its sign).
pub fn is_unsigned_decimal(body: &str) -> bool {
    let b = body.as_bytes();
    let digits_from = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits_from(0);
    let int_digits = i;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        frac_digits = end - (i + 1);
        i = end;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i {
            return false;
        }
        i = end;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_numbers() {
        for (s, n) in [
            ("1.5e3", 1500.0),
            ("-7", -7.0),
            ("0x1F", 31.0),
            ("0o17", 15.0),
            ("0b101", 5.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("+3", 3.0),
            ("", 0.0),
            ("  8 ", 8.0),
            ("-.5", -0.5),
        ] {
            assert_eq!(string_to_number(s), n, "{s}");
        }
        for s in [
            "-0x1F", "1 2", "e5", "1e", "1.2.3", "-", ".", "abc", "0x", "1_000",
        ] {
            assert!(string_to_number(s).is_nan(), "{s}");
        }
        assert_eq!(string_to_number("-Infinity"), f64::NEG_INFINITY);
    }

    #[test]
    fn number_edge_cases() {
        assert_eq!(string_to_number(" 12 "), 12.0);
        assert_eq!(string_to_number("0x1F"), 31.0);
        assert_eq!(string_to_number("1e3"), 1000.0);
        assert_eq!(string_to_number(".5"), 0.5);
        assert_eq!(string_to_number("5."), 5.0);
        assert_eq!(string_to_number("-Infinity"), f64::NEG_INFINITY);
        assert!(string_to_number("inf").is_nan());
        assert!(string_to_number("1_000").is_nan());
        assert!(string_to_number("-0x1").is_nan());
        assert!(string_to_number("abc").is_nan());
        // JavaScript's white space, not Rust's: U+0085 is not trimmed
        assert!(string_to_number("\u{85}1").is_nan());
        assert_eq!(string_to_number("\u{feff}\u{3000}7\u{2028}"), 7.0);
    }
}
