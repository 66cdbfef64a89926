//! Writing templates: JSON exactly as the framework writes it, or YAML.

pub mod json;
pub mod yaml;

use serde_json::Value;

/// Output format of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Yaml,
}

/// The template text, with a trailing newline.
pub fn render(template: &Value, format: Format) -> String {
    let mut s = match format {
        Format::Json => json::to_pretty(template, 2),
        Format::Yaml => yaml::to_yaml(template),
    };
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// [`write`] for a template being built: JSON is streamed a resource at a time.
pub fn write_template(
    template: &crate::compile::Template,
    format: Format,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_template_pretty(template, 2, w),
        Format::Yaml => w.write_all(render(&template.to_value(), format).as_bytes()),
    }
}

/// Writes the template text (with a trailing newline) to `w`; JSON is streamed.
pub fn write(template: &Value, format: Format, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_pretty(template, 2, w),
        Format::Yaml => w.write_all(render(template, format).as_bytes()),
    }
}
