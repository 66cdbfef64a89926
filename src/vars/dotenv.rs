//! `useDotenv`: `.env.<stage>` if it exists, else `.env` (never both), parsed the way dotenv 16
//! does, then expanded the way dotenv-expand 10 does; variables already in the environment are
//! kept.

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;

use crate::js::is_space as is_js_space;

fn is_lt(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// dotenv's line grammar, matched like its global multiline regular expression:
/// `^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$`
struct Lines<'a> {
    s: &'a [char],
}

impl Lines<'_> {
    fn ws_run(&self, p: usize) -> usize {
        self.s[p.min(self.s.len())..]
            .iter()
            .take_while(|c| is_js_space(**c))
            .count()
    }

    fn eol(&self, p: usize) -> bool {
        p >= self.s.len() || is_lt(self.s[p])
    }

    /// `\s*(?:#.*)?$`: the end position of the first (greedy-order) success.
    fn tail(&self, pos: usize) -> Option<usize> {
        let w = self.ws_run(pos);
        for n in (0..=w).rev() {
            let p = pos + n;
            if self.s.get(p) == Some(&'#') {
                let mut e = p + 1;
                while e < self.s.len() && !is_lt(self.s[e]) {
                    e += 1;
                }
                return Some(e);
            }
            if self.eol(p) {
                return Some(p);
            }
        }
        None
    }

    /// Ends (exclusive, after the closing quote) of `q(?:\\q|[^q])*q` starting at `open` (the
    /// opening quote), in the order a backtracking engine tries them.
    fn quoted_ends(&self, open: usize, q: char) -> Vec<usize> {
        let mut escaped: Vec<usize> = Vec::new();
        let mut i = open + 1;
        let mut close = None;
        while i < self.s.len() {
            let c = self.s[i];
            if c == '\\' && self.s.get(i + 1) == Some(&q) {
                escaped.push(i + 1);
                i += 2;
                continue;
            }
            if c == q {
                close = Some(i);
                break;
            }
            i += 1;
        }
        let mut out = Vec::new();
        if let Some(c) = close {
            out.push(c + 1);
        }
        for e in escaped.into_iter().rev() {
            out.push(e + 1);
        }
        out
    }

    /// The value group at `v`, then the tail: (value, match end).
    fn value(&self, v: usize) -> Option<(String, usize)> {
        for q in ['\'', '"', '`'] {
            let w = self.ws_run(v);
            for n in (0..=w).rev() {
                let at = v + n;
                if self.s.get(at) != Some(&q) {
                    continue;
                }
                for end in self.quoted_ends(at, q) {
                    if let Some(e) = self.tail(end) {
                        return Some((self.s[v..end].iter().collect(), e));
                    }
                }
            }
        }
        let d = self.s[v.min(self.s.len())..]
            .iter()
            .take_while(|c| !matches!(**c, '#' | '\r' | '\n'))
            .count();
        for l in (1..=d).rev() {
            if let Some(e) = self.tail(v + l) {
                return Some((self.s[v..v + l].iter().collect(), e));
            }
        }
        self.tail(v).map(|e| (String::new(), e))
    }

    fn key_and_value(&self, r: usize) -> Option<(String, String, usize)> {
        let k = self.s[r.min(self.s.len())..]
            .iter()
            .take_while(|c| is_word(**c) || **c == '.' || **c == '-')
            .count();
        for l in (1..=k).rev() {
            let key: String = self.s[r..r + l].iter().collect();
            let after = r + l;
            // \s*=\s*?
            let w = self.ws_run(after);
            for n1 in (0..=w).rev() {
                if self.s.get(after + n1) == Some(&'=') {
                    let v0 = after + n1 + 1;
                    let w2 = self.ws_run(v0);
                    for n2 in 0..=w2 {
                        if let Some((val, e)) = self.value(v0 + n2) {
                            return Some((key, val, e));
                        }
                    }
                }
            }
            // :\s+?
            if self.s.get(after) == Some(&':') {
                let v0 = after + 1;
                let w2 = self.ws_run(v0);
                for n in 1..=w2 {
                    if let Some((val, e)) = self.value(v0 + n) {
                        return Some((key, val, e));
                    }
                }
            }
        }
        None
    }

    fn at(&self, p: usize) -> Option<(String, String, usize)> {
        let w = self.ws_run(p);
        for n0 in (0..=w).rev() {
            let q = p + n0;
            let export: Vec<char> = "export".chars().collect();
            if self.s.len() >= q + 6 && self.s[q..q + 6] == export[..] {
                let w2 = self.ws_run(q + 6);
                for n in (1..=w2).rev() {
                    if let Some(m) = self.key_and_value(q + 6 + n) {
                        return Some(m);
                    }
                }
            }
            if let Some(m) = self.key_and_value(q) {
                return Some(m);
            }
        }
        None
    }
}

/// `/^(['"`])([\s\S]*)\1$/mg` → `$2`.
fn unquote(v: &str) -> String {
    let s: Vec<char> = v.chars().collect();
    let mut out = String::new();
    let mut p = 0;
    while p < s.len() {
        let line_start = p == 0 || is_lt(s[p - 1]);
        if line_start && matches!(s[p], '\'' | '"' | '`') {
            let q = s[p];
            let end = (p + 1..s.len())
                .rev()
                .find(|&e| s[e] == q && (e + 1 == s.len() || is_lt(s[e + 1])));
            if let Some(e) = end {
                out.extend(&s[p + 1..e]);
                p = e + 1;
                continue;
            }
        }
        out.push(s[p]);
        p += 1;
    }
    out
}

/// dotenv's `parse`: keys and values in file order (a repeated key keeps its first position
/// and its last value).
pub fn parse(src: &str) -> IndexMap<String, String> {
    let normalized = src.replace("\r\n", "\n").replace('\r', "\n");
    let chars: Vec<char> = normalized.chars().collect();
    let lines = Lines { s: &chars };
    let mut out = IndexMap::new();
    let mut last = 0;
    'search: while last <= chars.len() {
        let mut p = last;
        while p <= chars.len() {
            let line_start = p == 0 || is_lt(chars[p - 1]);
            if line_start && let Some((key, value, end)) = lines.at(p) {
                let v = crate::js::trim(&value).to_string();
                let double = v.starts_with('"');
                let mut v = unquote(&v);
                if double {
                    v = v.replace("\\n", "\n").replace("\\r", "\r");
                }
                out.insert(key, v);
                last = end.max(p + 1);
                continue 'search;
            }
            p += 1;
        }
        break;
    }
    out
}

/// String.prototype.replace's replacement patterns for a string pattern.
fn replace_first(hay: &str, pat: &str, rep: &str) -> String {
    let Some(at) = hay.find(pat) else {
        return hay.to_string();
    };
    let (before, after) = (&hay[..at], &hay[at + pat.len()..]);
    let mut r = String::new();
    let rc: Vec<char> = rep.chars().collect();
    let mut i = 0;
    while i < rc.len() {
        if rc[i] == '$' && i + 1 < rc.len() {
            match rc[i + 1] {
                '$' => {
                    r.push('$');
                    i += 2;
                    continue;
                }
                '&' => {
                    r.push_str(pat);
                    i += 2;
                    continue;
                }
                '`' => {
                    r.push_str(before);
                    i += 2;
                    continue;
                }
                '\'' => {
                    r.push_str(after);
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        r.push(rc[i]);
        i += 1;
    }
    format!("{before}{r}{after}")
}

/// The last `$` not preceded by a backslash.
fn last_unescaped_dollar(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len())
        .rev()
        .find(|&i| b[i] == b'$' && (i == 0 || b[i - 1] != b'\\'))
}

/// The expansion could not finish (a variable refers to itself).
#[derive(Debug)]
pub struct ExpandLoop {
    pub key: String,
}

/// dotenv-expand's `_interpolate`, iterated (with a bound where the original recurses forever).
fn interpolate(
    value: &str,
    env: &HashMap<String, String>,
    parsed: &IndexMap<String, String>,
    key: &str,
) -> Result<String, ExpandLoop> {
    let mut v = value.to_string();
    for _ in 0..1000 {
        let Some(last) = last_unescaped_dollar(&v) else {
            return Ok(v);
        };
        let right = &v[last..];
        // \${?([\w]+)(?::-([^}\\]*))?}?
        let rb = right.as_bytes();
        let mut i = 1;
        if rb.get(i) == Some(&b'{') {
            i += 1;
        }
        let name_start = i;
        while i < rb.len() && (rb[i].is_ascii_alphanumeric() || rb[i] == b'_') {
            i += 1;
        }
        if i == name_start {
            return Ok(v);
        }
        let name = right[name_start..i].to_string();
        let mut default: Option<String> = None;
        if right[i..].starts_with(":-") {
            let ds = i + 2;
            let mut j = ds;
            while j < rb.len() && rb[j] != b'}' && rb[j] != b'\\' {
                j += 1;
            }
            default = Some(right[ds..j].to_string());
            i = j;
        }
        if rb.get(i) == Some(&b'}') {
            i += 1;
        }
        let group = right[..i].to_string();
        let rep = env
            .get(&name)
            .filter(|s| !s.is_empty())
            .cloned()
            .or(default.filter(|s| !s.is_empty()))
            .or_else(|| parsed.get(&name).filter(|s| !s.is_empty()).cloned())
            .unwrap_or_default();
        v = replace_first(&v, &group, &rep);
    }
    Err(ExpandLoop {
        key: key.to_string(),
    })
}

/// What loading a `.env` file did.
pub struct Loaded {
    /// The file read (`None`: neither existed).
    pub file: Option<std::path::PathBuf>,
    pub text: String,
}

/// A `.env` problem.
pub enum DotenvError {
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    Loop {
        path: std::path::PathBuf,
        text: String,
        key: String,
    },
}

fn read(path: &Path) -> Result<Option<String>, std::io::Error> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Loads `.env.<stage>` (else `.env`) from `dir` into `env`.
pub fn load(
    dir: &Path,
    stage: &str,
    env: &mut HashMap<String, String>,
) -> Result<Loaded, DotenvError> {
    let stage_path = dir.join(format!(".env.{stage}"));
    let default_path = dir.join(".env");
    let (path, text) = match read(&stage_path) {
        Ok(Some(t)) => (stage_path, t),
        Ok(None) => match read(&default_path) {
            Ok(Some(t)) => (default_path, t),
            Ok(None) => {
                return Ok(Loaded {
                    file: None,
                    text: String::new(),
                });
            }
            Err(error) => {
                return Err(DotenvError::Read {
                    path: default_path,
                    error,
                });
            }
        },
        Err(error) => {
            return Err(DotenvError::Read {
                path: stage_path,
                error,
            });
        }
    };
    let mut parsed = parse(&text);
    // dotenv: populate without overriding
    for (k, v) in &parsed {
        env.entry(k.clone()).or_insert_with(|| v.clone());
    }
    // dotenv-expand: every key is now in the environment, which wins
    let keys: Vec<String> = parsed.keys().cloned().collect();
    for k in &keys {
        let value = env.get(k).cloned().unwrap_or_default();
        let expanded = match interpolate(&value, env, &parsed, k) {
            Ok(v) => v,
            Err(l) => {
                return Err(DotenvError::Loop {
                    path,
                    text,
                    key: l.key,
                });
            }
        };
        parsed.insert(k.clone(), expanded.replace("\\$", "$"));
    }
    for (k, v) in &parsed {
        env.insert(k.clone(), v.clone());
    }
    Ok(Loaded {
        file: Some(path),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<(String, String)> {
        parse(s).into_iter().collect()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn dotenv_lines() {
        assert_eq!(p("A=1\nB = two \n"), kv(&[("A", "1"), ("B", "two")]));
        assert_eq!(p("export C=3"), kv(&[("C", "3")]));
        assert_eq!(p("D='a # b' # c"), kv(&[("D", "a # b")]));
        assert_eq!(p("E=x # comment"), kv(&[("E", "x")]));
        assert_eq!(p("F=\"l1\\nl2\""), kv(&[("F", "l1\nl2")]));
        assert_eq!(p("G='l1\\nl2'"), kv(&[("G", "l1\\nl2")]));
        assert_eq!(p("H=\nI=i"), kv(&[("H", ""), ("I", "i")]));
        assert_eq!(p("# just a comment\nJ: j"), kv(&[("J", "j")]));
        assert_eq!(p("K=\"multi\nline\""), kv(&[("K", "multi\nline")]));
        assert_eq!(p("L=a\r\nM=b\r\n"), kv(&[("L", "a"), ("M", "b")]));
        assert_eq!(p("garbage line\nN=n"), kv(&[("N", "n")]));
        assert_eq!(p("O='a' trailing"), kv(&[("O", "'a' trailing")]));
        assert_eq!(p("P=1\nP=2"), kv(&[("P", "2")]));
    }

    #[test]
    fn expansion() {
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("HOME_DIR".into(), "/home/x".into());
        env.insert("KEEP".into(), "process".into());
        let dir = std::env::temp_dir().join(format!("slsx-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(".env"),
            "A=${HOME_DIR}/a\nB=$A/b\nC=${MISSING:-dflt}\nKEEP=file\nD=\\$literal\n",
        )
        .unwrap();
        load(&dir, "dev", &mut env).ok().unwrap();
        assert_eq!(env["A"], "/home/x/a");
        assert_eq!(env["B"], "/home/x/a/b");
        assert_eq!(env["C"], "dflt");
        assert_eq!(env["KEEP"], "process");
        assert_eq!(env["D"], "$literal");
        std::fs::write(dir.join(".env.prod"), "S=stage\n").unwrap();
        let mut env2 = HashMap::new();
        load(&dir, "prod", &mut env2).ok().unwrap();
        assert_eq!(env2.get("S").map(String::as_str), Some("stage"));
        assert!(!env2.contains_key("A"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn self_reference_is_bounded() {
        let env: HashMap<String, String> = [("A".to_string(), "${A}".to_string())].into();
        let parsed: IndexMap<String, String> = IndexMap::new();
        assert!(interpolate("${A}", &env, &parsed, "A").is_err());
    }
}
