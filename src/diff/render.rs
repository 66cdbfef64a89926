//! Writing a [`Report`]: for people (a summary by section, then each change's diff, coloured
//! on a terminal) and as JSON.

use serde_json::{Value, json};

use super::{ChangeKind, Report};

const RESET: &str = "\u{1b}[0m";
const BOLD: &str = "\u{1b}[1m";
const RED: &str = "\u{1b}[31m";
const GREEN: &str = "\u{1b}[32m";
const YELLOW: &str = "\u{1b}[33m";
const CYAN: &str = "\u{1b}[36m";

/// Names longer than this are not padded in the summary.
const MAX_PAD: usize = 60;

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, style: &str, s: &str) -> String {
        if self.on && !s.is_empty() {
            format!("{style}{s}{RESET}")
        } else {
            s.to_string()
        }
    }
}

fn sign(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "+",
        ChangeKind::Removed => "-",
        ChangeKind::Changed | ChangeKind::Renamed => "~",
    }
}

fn kind_style(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => GREEN,
        ChangeKind::Removed => RED,
        ChangeKind::Changed | ChangeKind::Renamed => YELLOW,
    }
}

fn counts(report: &Report, section: Option<&str>) -> String {
    let of = |k: ChangeKind| {
        report
            .changes
            .iter()
            .filter(|c| c.kind == k && section.is_none_or(|s| c.section == s))
            .count()
    };
    let mut parts: Vec<String> = Vec::new();
    for (k, word) in [
        (ChangeKind::Added, "added"),
        (ChangeKind::Removed, "removed"),
        (ChangeKind::Changed, "changed"),
        (ChangeKind::Renamed, "renamed"),
    ] {
        let n = of(k);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    parts.join(", ")
}

/// The people's form. Empty when there is no difference.
pub fn render_human(report: &Report, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    if report.is_empty() {
        return out;
    }
    // 1. summary by section
    for section in report.sections() {
        let changes: Vec<_> = report
            .changes
            .iter()
            .filter(|c| c.section == section)
            .collect();
        out.push_str(&p.paint(BOLD, section));
        out.push_str(&format!(": {}\n", counts(report, Some(section))));
        let names: Vec<String> = changes
            .iter()
            .map(|c| match (&c.id, &c.from) {
                (Some(id), Some(from)) => format!("{id} (renamed from {from})"),
                (Some(id), None) => id.clone(),
                (None, _) => section.to_string(),
            })
            .collect();
        // names are padded to line up the types; very long ones (Lambda version ids) are not
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .filter(|n| *n <= MAX_PAD)
            .max()
            .unwrap_or(0);
        for (c, name) in changes.iter().zip(&names) {
            let mut line = format!("  {} {name}", p.paint(kind_style(c.kind), sign(c.kind)));
            let mut notes: Vec<&str> = Vec::new();
            if c.replacement {
                notes.push("replacement");
            }
            if !c.widening.is_empty() {
                notes.push("widens IAM");
            }
            if c.ty.is_some() || !notes.is_empty() {
                let pad = width.saturating_sub(name.chars().count());
                line.push_str(&" ".repeat(pad));
            }
            if let Some(ty) = &c.ty {
                line.push_str("  ");
                line.push_str(ty);
            }
            if !notes.is_empty() {
                line.push_str("  ");
                line.push_str(&p.paint(YELLOW, &format!("({})", notes.join(", "))));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    // 2. details of changed and renamed entries (and of added ones that widen IAM)
    for c in &report.changes {
        let detailed = matches!(c.kind, ChangeKind::Changed | ChangeKind::Renamed)
            || (c.kind == ChangeKind::Added && !c.widening.is_empty());
        if !detailed {
            continue;
        }
        out.push('\n');
        let mut title = match &c.id {
            Some(id) => format!("{} {}.{id}", sign(c.kind), c.section),
            None => format!("{} {}", sign(c.kind), c.section),
        };
        if let Some(ty) = &c.ty {
            title.push_str(&format!(" ({ty})"));
        }
        out.push_str(&p.paint(BOLD, &title));
        out.push('\n');
        if let Some(from) = &c.from {
            out.push_str(&format!(
                "  {}\n",
                p.paint(
                    YELLOW,
                    &format!(
                        "⚠ renamed: replacement (CloudFormation creates {} and deletes {from})",
                        c.id.as_deref().unwrap_or("")
                    )
                )
            ));
        }
        let props: Vec<&String> = c
            .replacement_reasons
            .iter()
            .filter(|r| r.as_str() != "logical ID")
            .collect();
        if !props.is_empty() {
            let list: Vec<&str> = props.iter().map(|s| s.as_str()).collect();
            out.push_str(&format!(
                "  {}\n",
                p.paint(
                    YELLOW,
                    &format!(
                        "⚠ replacement: {} {} (CloudFormation replaces the resource)",
                        list.join(", "),
                        if list.len() == 1 { "changes" } else { "change" }
                    )
                )
            ));
        }
        for w in &c.widening {
            out.push_str(&format!(
                "  {}\n",
                p.paint(YELLOW, &format!("⚠ widening: {w}"))
            ));
        }
        if c.kind == ChangeKind::Added {
            continue;
        }
        for line in c.diff.lines() {
            let styled = if line.starts_with("@@") {
                p.paint(CYAN, line)
            } else if line.starts_with('+') {
                p.paint(GREEN, line)
            } else if line.starts_with('-') {
                p.paint(RED, line)
            } else {
                line.to_string()
            };
            out.push_str("  ");
            out.push_str(&styled);
            out.push('\n');
        }
    }
    // 3. one-line total
    out.push('\n');
    let mut total = format!("slsx diff: {}", counts(report, None));
    let (r, w) = (report.replacements(), report.widenings());
    if r > 0 {
        total.push_str(&format!(
            "; {r} replacement{}",
            if r == 1 { "" } else { "s" }
        ));
    }
    if w > 0 {
        total.push_str(&format!(
            "; {w} widening IAM change{}",
            if w == 1 { "" } else { "s" }
        ));
    }
    out.push_str(&total);
    out.push('\n');
    out
}

/// The machine form: `{"changes": [...], "summary": {...}}`.
pub fn to_json(report: &Report) -> Value {
    let changes: Vec<Value> = report
        .changes
        .iter()
        .map(|c| {
            let mut o = json!({
                "kind": c.kind.as_str(),
                "section": c.section,
                "id": c.id,
                "type": c.ty,
                "replacement": c.replacement,
                "replacement_reasons": c.replacement_reasons,
                "widening": c.widening,
                "diff": c.diff,
            });
            if let Some(from) = &c.from {
                o["from"] = json!(from);
            }
            o
        })
        .collect();
    let mut sections = serde_json::Map::new();
    for s in report.sections() {
        let n = |k: ChangeKind| {
            report
                .changes
                .iter()
                .filter(|c| c.section == s && c.kind == k)
                .count()
        };
        sections.insert(
            s.to_string(),
            json!({
                "added": n(ChangeKind::Added),
                "removed": n(ChangeKind::Removed),
                "changed": n(ChangeKind::Changed),
                "renamed": n(ChangeKind::Renamed),
            }),
        );
    }
    json!({
        "changes": changes,
        "summary": {
            "added": report.count(ChangeKind::Added),
            "removed": report.count(ChangeKind::Removed),
            "changed": report.count(ChangeKind::Changed),
            "renamed": report.count(ChangeKind::Renamed),
            "replacements": report.replacements(),
            "widening": report.widenings(),
            "sections": sections,
        }
    })
}

/// [`to_json`] as pretty text with a trailing newline.
pub fn render_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_json(report)).unwrap_or_default();
    s.push('\n');
    s
}
