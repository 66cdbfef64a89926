//! The string formats asl-validator checks (`stepFunctions.validate: true`): Task `Resource`
//! ARNs, JSONPath paths (a port of asl-path-validator's grammar), RFC 3339 timestamps
//! (ajv-formats' `date-time`), state names, and a safe subset of JSONata syntax.

/// asl-validator's ARN format (`formats.js`), case-insensitive:
/// `arn:(aws|aws-cn|aws-us-gov):<service>:<region>:<digits>:<resource>`, the resource
/// `[^:/*]+([:/].*[^:/]+)?`.
pub fn is_arn(s: &str) -> bool {
    let mut parts = s.splitn(6, ':');
    let (Some(arn), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let partition = partition.to_ascii_lowercase();
    arn.eq_ignore_ascii_case("arn")
        && ["aws", "aws-cn", "aws-us-gov"].contains(&partition.as_str())
        && !service.is_empty()
        && !service.contains('\n')
        && !region.contains('\n')
        && account.bytes().all(|b| b.is_ascii_digit())
        && arn_resource(resource)
}

/// `[^:/*]+([:/].*[^:/]+)?` over the whole string (`.` is no line terminator).
fn arn_resource(r: &str) -> bool {
    let Some(k) = r.find([':', '/', '*']) else {
        return !r.is_empty();
    };
    if k == 0 || r[k..].starts_with('*') {
        return false;
    }
    let tail = &r[k + 1..];
    // the longest suffix without `:` or `/` is the last group; the rest is `.*`
    let cut = tail.rfind([':', '/']).map_or(0, |i| i + 1);
    cut < tail.len() && !tail[..cut].contains(['\n', '\r', '\u{2028}', '\u{2029}'])
}

/// A state name asl-validator accepts (`^.{1,80}$`: 1 to 80 UTF-16 units, no line terminator).
pub fn is_state_name(s: &str) -> bool {
    let n = s.encode_utf16().count();
    (1..=80).contains(&n) && !has_line_terminator(s)
}

pub fn has_line_terminator(s: &str) -> bool {
    s.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
}

/// ajv-formats' `date-time`: `<date>[Tt ]<time>` with a time zone.
pub fn is_date_time(s: &str) -> bool {
    let parts: Vec<&str> = s
        .split(|c: char| c == 't' || c == 'T' || c.is_whitespace())
        .collect();
    let [date, time] = parts.as_slice() else {
        return false;
    };
    is_date(date) && is_time(time)
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    // every valid date is ASCII; this also keeps the slices below on character boundaries
    if !s.is_ascii() {
        return false;
    }
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[..4]), digits(&s[5..7]), digits(&s[8..])) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&m) && d >= 1 && d <= if m == 2 && leap { 29 } else { days[m as usize] }
}

/// `^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)$` (the zone required), with
/// the ranges ajv-formats checks (a leap second only at 23:59 UTC).
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    // every valid time is ASCII; this also keeps the slices below on character boundaries
    if !s.is_ascii() {
        return false;
    }
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hr), Some(min), Some(sec)) = (digits(&s[..2]), digits(&s[3..5]), digits(&s[6..8]))
    else {
        return false;
    };
    let mut rest = &s[8..];
    let mut frac = false;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        frac = true;
        rest = &r[n..];
    }
    let (sign, tzh, tzm) = if rest.eq_ignore_ascii_case("z") {
        (1i64, 0, 0)
    } else {
        let sign = match rest.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return false,
        };
        let z = &rest[1..];
        let (h, m) = match z.len() {
            2 => (digits(z), Some(0)),
            4 => (digits(&z[..2]), digits(&z[2..])),
            5 if z.as_bytes()[2] == b':' => (digits(&z[..2]), digits(&z[3..])),
            _ => return false,
        };
        let (Some(h), Some(m)) = (h, m) else {
            return false;
        };
        (sign, h, m)
    };
    if tzh > 23 || tzm > 59 {
        return false;
    }
    let sec_f = sec as f64 + if frac { 0.5 } else { 0.0 };
    if hr <= 23 && min <= 59 && sec_f < 60.0 {
        return true;
    }
    let utc_min = min as i64 - tzm as i64 * sign;
    let utc_hr = hr as i64 - tzh as i64 * sign - i64::from(utc_min < 0);
    (utc_hr == 23 || utc_hr == -1) && (utc_min == 59 || utc_min == -1) && sec_f < 61.0
}

/// Where asl-validator reads a JSONPath (asl-path-validator's contexts).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PathKind {
    /// `InputPath`, `OutputPath`: no intrinsic functions.
    Path,
    /// `ItemsPath`, `*Path` fields, Choice `Variable`: no functions, wildcards, filters, slices,
    /// `..`, negative or multiple indexes, `@`.
    Reference,
    /// `ResultPath`: a reference path without variables.
    Result,
    /// The value of a `.$` field of a payload template: anything the grammar takes.
    Payload,
}

const FUNC: u8 = 1;
const NON_REFERENCE: u8 = 2;
const VAR: u8 = 4;

/// Whether asl-path-validator accepts `s` as a path of kind `kind`.
pub fn is_path(s: &str, kind: PathKind) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let p = PathParser { s: &chars };
    let Some((end, flags)) = p.jsonpath(0) else {
        return false;
    };
    if end != chars.len() {
        return false;
    }
    match kind {
        PathKind::Payload => true,
        PathKind::Path => flags & FUNC == 0,
        PathKind::Reference => flags & (FUNC | NON_REFERENCE) == 0,
        PathKind::Result => flags & (FUNC | NON_REFERENCE | VAR) == 0,
    }
}

type R = Option<(usize, u8)>;
/// One argument rule of `States.MathAdd`.
type Rule<'r> = dyn Fn(usize) -> R + 'r;

/// A port of asl-path-validator's PEG grammar (`aslPaths.pegjs`): ordered choice, no
/// backtracking into a choice that matched. Each rule returns where it ends and the AST
/// markers asl-path-validator looks for.
struct PathParser<'a> {
    s: &'a [char],
}

const INTRINSICS: [(&str, u8); 20] = [
    ("States.Array", 0),
    ("States.ArrayPartition", 0),
    ("States.ArrayContains", 0),
    ("States.ArrayRange", 0),
    ("States.ArrayGetItem", 0),
    ("States.ArrayLength", 1),
    ("States.ArrayUnique", 1),
    ("States.Base64Encode", 1),
    ("States.Base64Decode", 1),
    ("States.Hash", 0),
    ("States.JsonMerge", 0),
    ("States.StringToJson", 1),
    ("States.JsonToString", 1),
    ("States.MathRandom", 0),
    ("States.MathAdd", 3),
    ("States.StringSplit", 0),
    ("States.UUID", 2),
    ("States.Format", 0),
    // padding: never matched
    ("", 9),
    ("", 9),
];

impl PathParser<'_> {
    fn lit(&self, p: usize, t: &str) -> Option<usize> {
        let mut q = p;
        for c in t.chars() {
            if self.s.get(q) != Some(&c) {
                return None;
            }
            q += 1;
        }
        Some(q)
    }

    fn ws(&self, mut p: usize) -> usize {
        while matches!(self.s.get(p), Some(' ' | '\t' | '\n')) {
            p += 1;
        }
        p
    }

    fn number(&self, p: usize) -> Option<usize> {
        let mut q = p;
        while self.s.get(q).is_some_and(char::is_ascii_digit) {
            q += 1;
        }
        (q > p).then_some(q)
    }

    fn minus_number(&self, p: usize) -> Option<(usize, bool)> {
        let (q, neg) = match self.lit(p, "-") {
            Some(q) => (q, true),
            None => (p, false),
        };
        Some((self.number(q)?, neg))
    }

    /// `escaped` = `\` and a character other than `\` and `n`.
    fn escaped(&self, p: usize) -> Option<usize> {
        let q = self.lit(p, "\\")?;
        let c = *self.s.get(q)?;
        (c != '\\' && c != 'n').then_some(q + 1)
    }

    fn id(&self, p: usize) -> Option<usize> {
        let mut q = p;
        loop {
            if let Some(r) = self.escaped(q) {
                q = r;
                continue;
            }
            match self.s.get(q) {
                Some(c) if !"),'\"\\.[] ><!=".contains(*c) => q += 1,
                _ => break,
            }
        }
        (q > p).then_some(q)
    }

    fn string(&self, p: usize) -> Option<usize> {
        for quote in ['\'', '"'] {
            if self.s.get(p) != Some(&quote) {
                continue;
            }
            let mut q = p + 1;
            loop {
                if let Some(r) = self.escaped(q) {
                    q = r;
                    continue;
                }
                match self.s.get(q) {
                    Some(c) if *c != quote && *c != '\\' => q += 1,
                    _ => break,
                }
            }
            return self.lit(q, &quote.to_string());
        }
        None
    }

    fn opt_sub(&self, p: usize, flags: u8) -> (usize, u8) {
        match self.subscript(p) {
            Some((q, f)) => (q, flags | f),
            None => (p, flags),
        }
    }

    fn jsonpath(&self, p: usize) -> R {
        if let Some(q) = self.lit(p, "$$") {
            let (q, f) = self.opt_sub(q, 0);
            return Some((self.ws(q), f));
        }
        if let Some(r) = self.variable(p) {
            return Some(r);
        }
        if let Some(q) = self.lit(p, "$") {
            let (q, f) = self.opt_sub(q, 0);
            return Some((self.ws(q), f));
        }
        self.intrinsic(p)
    }

    fn jsonpath_(&self, p: usize) -> R {
        if let Some(q) = self.lit(p, "$$") {
            return Some(self.opt_sub(q, 0));
        }
        if let Some(r) = self.variable(p) {
            return Some(r);
        }
        if let Some(q) = self.lit(p, "$") {
            return Some(self.opt_sub(q, 0));
        }
        if let Some(q) = self.lit(p, "@") {
            return Some(self.opt_sub(q, NON_REFERENCE));
        }
        self.intrinsic(p)
    }

    fn jsonpath__(&self, p: usize) -> R {
        self.jsonpath_(p).or_else(|| Some((self.value(p)?, 0)))
    }

    fn variable(&self, p: usize) -> R {
        let q = self.lit(p, "$")?;
        let q = self.id(q)?;
        Some(self.opt_sub(q, VAR))
    }

    fn subscript(&self, p: usize) -> R {
        if let Some(q) = self.lit(p, "..") {
            if let Some((r, f)) = self.bareword(q) {
                return Some(self.opt_sub(r, f | NON_REFERENCE));
            }
            if let Some((r, f)) = self.subscriptables(q) {
                return Some(self.opt_sub(r, f | NON_REFERENCE));
            }
        }
        if let Some(q) = self.lit(p, ".") {
            if let Some(r) = self.lit(q, "*") {
                return Some(self.opt_sub(r, NON_REFERENCE));
            }
            if let Some((r, f)) = self.bareword(q) {
                return Some(self.opt_sub(r, f));
            }
        }
        let (q, f) = self.subscriptables(p)?;
        Some(self.opt_sub(q, f))
    }

    fn subscriptables(&self, p: usize) -> R {
        let open = self.ws(self.lit(p, "[")?);
        if let Some((q, f)) = self.subscriptable(open)
            && let Some(r) = self.lit(self.ws(q), "]")
        {
            return Some((r, f));
        }
        if let Some(q) = self.lit(open, "*")
            && let Some(r) = self.lit(self.ws(q), "]")
        {
            return Some((r, NON_REFERENCE));
        }
        let (mut q, mut odd) = self.minus_number(open)?;
        let mut tail = false;
        while let Some(c) = self.lit(q, ",") {
            let Some((r, neg)) = self.minus_number(self.ws(c)) else {
                break;
            };
            q = r;
            odd |= neg;
            tail = true;
        }
        let r = self.lit(self.ws(q), "]")?;
        Some((r, if odd || tail { NON_REFERENCE } else { 0 }))
    }

    fn bareword(&self, p: usize) -> R {
        if let Some(q) = self.id(p) {
            return Some((q, 0));
        }
        if let Some(r) = self.intrinsic(p) {
            return Some(r);
        }
        Some((self.lit(p, "*")?, NON_REFERENCE))
    }

    fn intrinsic(&self, p: usize) -> R {
        for (name, args) in INTRINSICS {
            if name.is_empty() {
                continue;
            }
            let Some(q) = self.lit(p, name) else {
                continue;
            };
            let r = match args {
                0 => self.function_args(q),
                1 => self.single_arg(q),
                2 => self
                    .lit(q, "(")
                    .and_then(|o| self.lit(self.ws(o), ")"))
                    .map(|e| (e, 0)),
                _ => self.math_add(q),
            };
            if let Some((e, f)) = r {
                return Some((e, f | FUNC));
            }
        }
        None
    }

    fn single_arg(&self, p: usize) -> R {
        let q = self.ws(self.lit(p, "(")?);
        let (q, f) = self.jsonpath__(q)?;
        Some((self.lit(self.ws(q), ")")?, f))
    }

    fn function_args(&self, p: usize) -> R {
        let open = self.ws(self.lit(p, "(")?);
        if let Some(q) = self.lit(open, ")") {
            return Some((q, 0));
        }
        let (mut q, mut f) = self.jsonpath__(open)?;
        q = self.ws(q);
        while let Some(c) = self.lit(q, ",") {
            let Some((r, g)) = self.jsonpath__(self.ws(c)) else {
                break;
            };
            q = self.ws(r);
            f |= g;
        }
        Some((self.lit(q, ")")?, f))
    }

    fn math_add(&self, p: usize) -> R {
        let open = self.ws(self.lit(p, "(")?);
        let path = |q: usize| self.jsonpath_(q);
        let num = |q: usize| self.minus_number(q).map(|(r, _)| (r, 0u8));
        let alts: [(&Rule, &Rule); 4] =
            [(&path, &path), (&path, &num), (&num, &path), (&num, &num)];
        for (a, b) in alts {
            let Some((q, f)) = a(open) else { continue };
            let Some(c) = self.lit(self.ws(q), ",") else {
                continue;
            };
            let Some((r, g)) = b(self.ws(c)) else {
                continue;
            };
            if let Some(e) = self.lit(self.ws(r), ")") {
                return Some((e, f | g));
            }
        }
        None
    }

    fn subscriptable(&self, p: usize) -> R {
        if let Some(q) = self.string(p) {
            return Some((q, 0));
        }
        if let Some((q, _)) = self.minus_number(p)
            && let Some(c) = self.lit(q, ":")
        {
            return Some((self.minus_number(c).map_or(c, |(r, _)| r), NON_REFERENCE));
        }
        if let Some(c) = self.lit(p, ":")
            && let Some((r, _)) = self.minus_number(c)
        {
            return Some((r, NON_REFERENCE));
        }
        if let Some(q) = self.number(p) {
            return Some((q, 0));
        }
        if let Some(q) = self.lit(p, "?").and_then(|q| self.lit(q, "("))
            && let Some((r, _)) = self.predicate(self.ws(q))
            && let Some(e) = self.lit(self.ws(r), ")")
        {
            return Some((e, NON_REFERENCE));
        }
        if let Some(q) = self.lit(p, "(") {
            let q = self.ws(q);
            let r = self
                .lit(q, "@.length")
                .and_then(|r| self.lit(self.ws(r), "-"))
                .and_then(|r| self.number(self.ws(r)))
                .and_then(|r| self.lit(self.ws(r), ")"));
            if let Some(e) = r {
                return Some((e, NON_REFERENCE));
            }
        }
        self.jsonpath_(p)
    }

    fn predicate(&self, p: usize) -> R {
        let head = self
            .lit(p, "@")
            .and_then(|q| self.lit(q, "."))
            .and_then(|q| self.id(q))
            .and_then(|q| self.comparison(self.ws(q)));
        if let Some(q) = head {
            let q = self.ws(q);
            if let Some(r) = self.id(q).or_else(|| self.value(q)) {
                return Some((r, NON_REFERENCE));
            }
        }
        self.expression(p)
    }

    fn expression(&self, p: usize) -> R {
        if let Some(q) = self.lit(p, "(")
            && let Some((r, f)) = self.expression(self.ws(q))
            && let Some(e) = self.lit(self.ws(r), ")")
        {
            return Some((e, f));
        }
        let (q, f) = self.jsonpath__(p)?;
        let cmp = self
            .comparison(self.ws(q))
            .and_then(|r| self.minus_number(self.ws(r)));
        match cmp {
            Some((r, _)) => Some((r, f)),
            None => Some((q, f)),
        }
    }

    fn comparison(&self, p: usize) -> Option<usize> {
        ["==", "<=", "<", ">=", ">"]
            .iter()
            .find_map(|op| self.lit(p, op))
    }

    fn value(&self, p: usize) -> Option<usize> {
        self.string(p)
            .or_else(|| self.minus_number(p).map(|(q, _)| q))
            .or_else(|| self.lit(p, "true"))
            .or_else(|| self.lit(p, "false"))
            .or_else(|| self.lit(p, "null"))
    }
}

/// A JSONata expression (`{% ... %}`, as asl-validator's schema wants it) that is plainly not
/// valid: asl-validator parses it with the jsonata library; this only finds what is certain —
/// an empty expression, an unterminated string or comment, unbalanced brackets, a trailing
/// binary operator. `None`: no such problem found. Some(reason) otherwise.
pub fn jsonata_problem(s: &str) -> Option<&'static str> {
    let t = s.trim();
    let t = t.strip_prefix("{%").unwrap_or(t);
    let t = t.strip_suffix("%}").unwrap_or(t);
    let e: Vec<char> = t.chars().collect();
    let mut stack = Vec::new();
    let mut i = 0;
    let mut last: Option<usize> = None;
    let mut slash = false;
    while i < e.len() {
        let c = e[i];
        match c {
            '"' | '\'' | '`' => {
                let mut j = i + 1;
                loop {
                    match e.get(j) {
                        None => return Some("a string that is not closed"),
                        Some('\\') if c != '`' => j += 2,
                        Some(d) if *d == c => break,
                        Some(_) => j += 1,
                    }
                }
                last = Some(j);
                i = j + 1;
                continue;
            }
            '/' if e.get(i + 1) == Some(&'*') => {
                let close =
                    (i + 2..e.len().saturating_sub(1)).find(|&j| e[j] == '*' && e[j + 1] == '/');
                match close {
                    Some(j) => {
                        i = j + 2;
                        continue;
                    }
                    None => return Some("a comment that is not closed"),
                }
            }
            '/' => slash = true,
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) && !slash {
                    return Some("unbalanced brackets");
                }
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last = Some(i);
        }
        i += 1;
    }
    if !stack.is_empty() {
        return Some("a bracket that is not closed");
    }
    let Some(end) = last else {
        return Some("an empty expression");
    };
    if slash {
        // a regular expression (`/.../`) may hold anything; this subset stops here
        return None;
    }
    let operator = matches!(
        e[end],
        '+' | '-' | '=' | '<' | '>' | ',' | '&' | '?' | ':' | '^' | '.'
    );
    operator.then_some("an operator without its right-hand operand")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert!(is_arn("arn:aws:states:::lambda:invoke"));
        assert!(is_arn("arn:aws:lambda:us-east-1:123456789012:function:f"));
        assert!(is_arn("arn:aws:states:::states:startExecution.sync:2"));
        assert!(is_arn("ARN:AWS-CN:sns:::t"));
        assert!(!is_arn("my-function"));
        assert!(!is_arn("arn:${AWS::Partition}:states:::sns:publish"));
        // the pseudo parameters are still `#{...}` when the validator reads them, and pass
        assert!(is_arn(
            "arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:foo"
        ));
        assert!(!is_arn("arn:aws:states:::sns:"));
        assert!(!is_arn("arn:aws:states:::*"));
        assert!(!is_arn("arn:aws:s3:::b/"));
        assert!(is_arn("arn:aws:s3:::b/*x"));
    }

    #[test]
    fn paths() {
        use PathKind::*;
        for (p, want) in [
            ("$.a", "1111"),
            ("foo", "0000"),
            ("$", "1111"),
            ("$$.Execution.Id", "1111"),
            ("$foo.bar", "1110"),
            ("States.Format($.a)", "1000"),
            ("$.a[*]", "1100"),
            ("$.a[0]", "1111"),
            ("$.a..b", "1100"),
            ("$.a b", "0000"),
            ("$.a-b", "1111"),
            ("$['a b']", "1111"),
        ] {
            let got: String = [Payload, Path, Reference, Result]
                .iter()
                .map(|k| if is_path(p, *k) { '1' } else { '0' })
                .collect();
            assert_eq!(got, want, "{p}");
        }
    }

    #[test]
    fn timestamps() {
        assert!(is_date_time("2016-03-14T01:59:00Z"));
        assert!(is_date_time("2016-03-14t01:59:00.123+01:00"));
        assert!(!is_date_time("not-a-date"));
        assert!(!is_date_time("2016-03-14T01:59:00"));
        // non-ASCII where a digit belongs (was a slice off a character boundary)
        assert!(!is_date_time("2020-01-01T12:34:5éZ"));
        assert!(!is_date_time("20é0-01-01T12:34:56Z"));
        assert!(!is_date_time("2020-01-01T12:34:56+0é"));
        assert!(!is_date_time("2016-02-30T01:59:00Z"));
    }

    #[test]
    fn jsonata() {
        assert_eq!(jsonata_problem("{% $states.input %}"), None);
        assert_eq!(jsonata_problem("{% $x.* %}"), None);
        assert_eq!(jsonata_problem("{% a ? b : c %}"), None);
        assert!(jsonata_problem("{% $states.input. %}").is_some());
        assert!(jsonata_problem("{% $x[ %}").is_some());
        assert!(jsonata_problem("{% \"abc %}").is_some());
        assert!(jsonata_problem("{%   %}").is_some());
        assert!(jsonata_problem("{% $x + %}").is_some());
    }
}

#[cfg(test)]
mod corpus {
    /// `SLSX_PATH_CORPUS=file`: prints the four verdicts of each line, to compare with
    /// asl-path-validator.
    #[test]
    fn corpus() {
        let Ok(f) = std::env::var("SLSX_PATH_CORPUS") else {
            return;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for l in text.lines() {
            let v: String = [
                super::PathKind::Payload,
                super::PathKind::Path,
                super::PathKind::Reference,
                super::PathKind::Result,
            ]
            .iter()
            .map(|k| if super::is_path(l, *k) { '1' } else { '0' })
            .collect();
            println!("P {v}\t{l}");
        }
    }
}
