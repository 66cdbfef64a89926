//! Plain-scalar resolution exactly as js-yaml 4 (the framework's YAML parser) does it, followed
//! by what the framework's JSON round trip leaves of the value.

use super::node::Kind;

/// Resolves an untagged plain scalar (js-yaml's implicit types: null, bool, int, float,
/// timestamp; everything else is a string).
pub fn resolve_plain(s: &str) -> Kind {
    if is_null(s) {
        return Kind::Null;
    }
    if let Some(b) = parse_bool(s) {
        return Kind::Bool(b);
    }
    if let Some(n) = parse_int(s) {
        return Kind::Number(n);
    }
    if let Some(f) = parse_float(s) {
        return float_kind(f);
    }
    if let Some(t) = parse_timestamp(s) {
        return timestamp_kind(t);
    }
    Kind::String(s.to_string().into())
}

/// `.inf` / `.nan` survive the JSON round trip as `null`.
pub fn float_kind(f: f64) -> Kind {
    if f.is_finite() {
        Kind::Number(f)
    } else {
        Kind::Null
    }
}

/// A timestamp becomes its ISO string; an invalid date becomes `null` (JSON of `Invalid Date`).
pub fn timestamp_kind(t: f64) -> Kind {
    match iso_string(t) {
        Some(s) => Kind::String(s.into()),
        None => Kind::Null,
    }
}

pub fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn digits_value(digits: &str, radix: u32) -> f64 {
    // exact for up to 128 bits, then rounded once (like V8's parseInt for these radices)
    if let Ok(v) = u128::from_str_radix(digits, radix) {
        return v as f64;
    }
    if radix == 10 {
        return digits.parse::<f64>().unwrap_or(f64::INFINITY);
    }
    let mut acc = 0f64;
    for c in digits.chars() {
        acc = acc * radix as f64 + c.to_digit(radix).unwrap_or(0) as f64;
    }
    acc
}

/// js-yaml's `int` type: decimal, `0b`, `0x`, `0o`, with an optional sign. No underscores.
pub fn parse_int(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let (sign, body) = match s.as_bytes()[0] {
        b'-' => (-1.0, &s[1..]),
        b'+' => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if body == "0" {
        return Some(0.0);
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = body.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o") {
        (8, d)
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = digits_value(digits, radix);
    if !v.is_finite() {
        return None;
    }
    Some(sign * v)
}

/// js-yaml's `float` type.
pub fn parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let (sign, rest) = match b[0] {
        b'-' => (-1.0, &lower[1..]),
        b'+' => (1.0, &lower[1..]),
        _ => (1.0, &lower[..]),
    };
    // specials: [-+]?.inf (exact case forms) and .nan (no sign)
    let special_inf = matches!(
        &s.trim_start_matches(['-', '+']),
        &".inf" | &".Inf" | &".INF"
    ) && s.len() - s.trim_start_matches(['-', '+']).len() <= 1;
    if special_inf {
        return Some(sign * f64::INFINITY);
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    if !float_pattern(s) {
        return None;
    }
    let v: f64 = rest.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(sign * v)
}

/// `[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+([eE][-+]?[0-9]+)?`
fn float_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let n = b.len();
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < n && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if b[0] == b'.' {
        i = 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if b[0] == b'-' || b[0] == b'+' {
            i = 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
        if i < n && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < n && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < n && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == n
}

fn take_digits(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u32> {
    let st = *i;
    while *i < b.len() && *i - st < max && b[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - st < min {
        return None;
    }
    std::str::from_utf8(&b[st..*i]).ok()?.parse().ok()
}

/// js-yaml's `timestamp` type; returns epoch milliseconds (NaN for an out-of-range date).
pub fn parse_timestamp(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let year = take_digits(b, &mut i, 4, 4)?;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let month = take_digits(b, &mut i, 1, 2)?;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let day = take_digits(b, &mut i, 1, 2)?;
    if i == b.len() {
        // date only: exactly YYYY-MM-DD
        if s.len() != 10 {
            return None;
        }
        return Some(make_utc(
            year as f64,
            month as f64 - 1.0,
            day as f64,
            0.0,
            0.0,
            0.0,
            0.0,
        ));
    }
    // separator: T, t, or one or more spaces/tabs
    match b[i] {
        b'T' | b't' => i += 1,
        b' ' | b'\t' => {
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
        }
        _ => return None,
    }
    let hour = take_digits(b, &mut i, 1, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let minute = take_digits(b, &mut i, 2, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let second = take_digits(b, &mut i, 2, 2)?;
    let mut fraction = 0.0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let mut f: String = s[st..i].chars().take(3).collect();
        while f.len() < 3 {
            f.push('0');
        }
        fraction = f.parse().unwrap_or(0.0);
    }
    let mut delta = 0.0;
    if i < b.len() {
        let save = i;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        match b.get(i) {
            Some(b'Z') => i += 1,
            Some(&c) if c == b'+' || c == b'-' => {
                i += 1;
                let th = take_digits(b, &mut i, 1, 2)?;
                let mut tm = 0;
                if b.get(i) == Some(&b':') {
                    i += 1;
                    tm = take_digits(b, &mut i, 2, 2)?;
                }
                delta = ((th * 60 + tm) * 60000) as f64;
                if c == b'-' {
                    delta = -delta;
                }
            }
            _ => {
                let _ = save;
                return None;
            }
        }
        if i != b.len() {
            return None;
        }
    }
    let t = make_utc(
        year as f64,
        month as f64 - 1.0,
        day as f64,
        hour as f64,
        minute as f64,
        second as f64,
        fraction,
    );
    Some(t - delta)
}

/// JavaScript's `Date.UTC` (with its overflow rules and the 0–99 → 1900s year mapping).
pub fn make_utc(year: f64, month: f64, day: f64, h: f64, m: f64, s: f64, ms: f64) -> f64 {
    let year = if (0.0..=99.0).contains(&year) {
        1900.0 + year
    } else {
        year
    };
    let ym = year + (month / 12.0).floor();
    let mn = month.rem_euclid(12.0);
    let days = days_from_civil(ym as i64, mn as i64 + 1, 1) as f64 + day - 1.0;
    let t = days * 86_400_000.0 + h * 3_600_000.0 + m * 60_000.0 + s * 1000.0 + ms;
    if t.abs() > 8.64e15 { f64::NAN } else { t }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `Date.prototype.toISOString()`; `None` for an invalid date.
pub fn iso_string(t: f64) -> Option<String> {
    if !t.is_finite() {
        return None;
    }
    let t = t as i64;
    let days = t.div_euclid(86_400_000);
    let rem = t.rem_euclid(86_400_000);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, ms) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else if y < 0 {
        format!("-{:06}", -y)
    } else {
        format!("+{y:06}")
    };
    Some(format!(
        "{year}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"
    ))
}

/// `Date.prototype.toString()` as Node prints it with the time zone set to UTC (the oracle's
/// and CI's): `Fri Jan 01 2021 00:00:00 GMT+0000 (Coordinated Universal Time)`.
pub fn js_date_string(t: f64) -> String {
    if !t.is_finite() {
        return "Invalid Date".into();
    }
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = t as i64;
    let days = t.div_euclid(86_400_000);
    let rem = t.rem_euclid(86_400_000);
    let (y, mo, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday
    let weekday = DAYS[(days + 4).rem_euclid(7) as usize];
    let month = MONTHS[(mo - 1).clamp(0, 11) as usize];
    let year = if y >= 0 {
        format!("{y:04}")
    } else {
        format!("-{:04}", -y)
    };
    format!(
        "{weekday} {month} {d:02} {year} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60
    )
}

/// What JavaScript's `String()` makes of an untagged plain scalar used as a mapping key, where
/// it differs from the value the JSON round trip leaves: js-yaml turns a key into text with
/// `String()`, so `.inf` is `Infinity` (not `null`) and a date is `Date`'s `toString()`.
pub fn plain_key_text(s: &str) -> Option<String> {
    if is_null(s) || parse_bool(s).is_some() || parse_int(s).is_some() {
        return None;
    }
    if let Some(f) = parse_float(s) {
        return (!f.is_finite()).then(|| {
            if f.is_nan() {
                "NaN".into()
            } else if f > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            }
        });
    }
    parse_timestamp(s).map(js_date_string)
}

/// A plain scalar of a `.json` file, as `JSON.parse` (then the framework's JSON round trip)
/// reads it: `null`, `true`, `false` or a number (`1e400` is `Infinity`, then `null`); `None`
/// for a token that is not JSON, which is left to the YAML rules.
pub fn resolve_json_plain(s: &str) -> Option<Kind> {
    match s {
        "null" => return Some(Kind::Null),
        "true" => return Some(Kind::Bool(true)),
        "false" => return Some(Kind::Bool(false)),
        _ => {}
    }
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().map(float_kind)
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r";

/// js-yaml's `!!binary`: the decoded bytes, or `None` when the text is not base64.
pub fn decode_binary(s: &str) -> Option<Vec<u8>> {
    let mut bitlen = 0usize;
    for c in s.chars() {
        let code = BASE64.iter().position(|b| *b as char == c);
        match code {
            Some(x) if x > 64 => continue,
            Some(_) => bitlen += 6,
            None => return None,
        }
    }
    if !bitlen.is_multiple_of(8) {
        return None;
    }
    let input: Vec<u32> = s
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '='))
        .map(|c| BASE64.iter().position(|b| *b as char == c).unwrap_or(0) as u32)
        .collect();
    let mut out = Vec::new();
    let mut bits: u32 = 0;
    for (idx, v) in input.iter().enumerate() {
        if idx % 4 == 0 && idx > 0 {
            out.push((bits >> 16) as u8);
            out.push((bits >> 8) as u8);
            out.push(bits as u8);
        }
        bits = (bits << 6) | v;
    }
    match (input.len() % 4) * 6 {
        0 if !input.is_empty() => {
            out.push((bits >> 16) as u8);
            out.push((bits >> 8) as u8);
            out.push(bits as u8);
        }
        18 => {
            out.push((bits >> 10) as u8);
            out.push((bits >> 2) as u8);
        }
        12 => out.push((bits >> 4) as u8),
        _ => {}
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Kind {
        resolve_plain(s)
    }

    #[test]
    fn js_yaml_scalars() {
        assert_eq!(k("yes"), Kind::String("yes".into()));
        assert_eq!(k("on"), Kind::String("on".into()));
        assert_eq!(k("0x1F"), Kind::Number(31.0));
        assert_eq!(k("0o17"), Kind::Number(15.0));
        assert_eq!(k("0b101"), Kind::Number(5.0));
        assert_eq!(k("017"), Kind::Number(17.0));
        assert_eq!(k("+12"), Kind::Number(12.0));
        assert_eq!(k("True"), Kind::Bool(true));
        assert_eq!(k("NULL"), Kind::Null);
        assert_eq!(k("~"), Kind::Null);
        assert_eq!(k(""), Kind::Null);
        assert_eq!(k("1_000"), Kind::String("1_000".into()));
        assert_eq!(k("1.2.3"), Kind::String("1.2.3".into()));
        assert_eq!(k("12:30"), Kind::String("12:30".into()));
        assert_eq!(k("1.0"), Kind::Number(1.0));
        assert_eq!(k("1e3"), Kind::Number(1000.0));
        assert_eq!(k(".5"), Kind::Number(0.5));
        assert_eq!(k(".inf"), Kind::Null);
        assert_eq!(k("-.Inf"), Kind::Null);
        assert_eq!(k(".NaN"), Kind::Null);
        assert_eq!(k("9007199254740993"), Kind::Number(9007199254740992.0));
        assert_eq!(k("1e400"), Kind::String("1e400".into()));
        assert_eq!(k("-0"), Kind::Number(0.0));
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            k("2021-05-04"),
            Kind::String("2021-05-04T00:00:00.000Z".into())
        );
        assert_eq!(
            k("2021-05-04 10:20:30.5 +02:00"),
            Kind::String("2021-05-04T08:20:30.500Z".into())
        );
        assert_eq!(
            k("2001-12-14t21:59:43.10-05:00"),
            Kind::String("2001-12-15T02:59:43.100Z".into())
        );
        assert_eq!(k("2021-5-4"), Kind::String("2021-5-4".into()));
    }

    #[test]
    fn binary() {
        assert_eq!(decode_binary("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(decode_binary("aGVs\nbG8="), Some(b"hello".to_vec()));
        assert_eq!(decode_binary("a*"), None);
    }

    #[test]
    fn date_strings_like_node_in_utc() {
        let t = make_utc(2021.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
        assert_eq!(
            js_date_string(t),
            "Fri Jan 01 2021 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(js_date_string(f64::NAN), "Invalid Date");
        assert_eq!(plain_key_text(".NaN").as_deref(), Some("NaN"));
        assert_eq!(plain_key_text("-.inf").as_deref(), Some("-Infinity"));
        assert_eq!(plain_key_text("1.5"), None);
        assert_eq!(plain_key_text("text"), None);
    }

    #[test]
    fn json_numbers() {
        assert_eq!(resolve_json_plain("1e400"), Some(Kind::Null));
        assert_eq!(resolve_json_plain("-0.5E+1"), Some(Kind::Number(-5.0)));
        assert_eq!(resolve_json_plain("true"), Some(Kind::Bool(true)));
        for not_json in ["01", ".5", "5.", "+1", "inf", "0x10", "1e", "-", "yes"] {
            assert_eq!(resolve_json_plain(not_json), None, "{not_json}");
        }
    }
}
