//! CORS preflight (`compileCors`): a `MOCK` OPTIONS method per path with `cors`, answering
//! with the headers merged over the path's events; with several allowed origins, a response
//! template echoes the request's origin when it matches one of them.

use serde_json::json;

use super::Api;
use crate::compile::events::http::cors::preflight_properties;
use crate::compile::events::http::util::join;
use crate::compile::{Template, naming};
use crate::yaml::js_to_string;

/// `regexifyWildcards` + `generateCorsResponseTemplate`: a VTL template that sets
/// `Access-Control-Allow-Origin` to the request's origin when it matches (`.` literal, the
/// first `*` any characters).
pub fn origins_template(origins: &[String]) -> String {
    let tests: Vec<String> = origins
        .iter()
        .map(|o| {
            let regex = o.replace('.', "[.]").replacen('*', ".+", 1);
            format!("$origin.matches(\"{regex}\")")
        })
        .collect();
    format!(
        "#set($origin = $input.params(\"Origin\"))\n#if($origin == \"\") #set($origin = $input.params(\"origin\")) #end\n#if({}) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end",
        tests.join(" || ")
    )
}

/// `compileCors`
pub fn compile(api: &mut Api, t: &mut Template) {
    let mut ids = Vec::new();
    for (path, pf) in &api.preflight {
        let id = naming::method_logical_id(&api.resource_name(path), "options");
        let mut origin = pf.origin.clone();
        let mut origins: Vec<String> = pf.origins.iter().map(|i| i.text.clone()).collect();
        if let Some(o) = &origin
            && o.contains(',')
        {
            origins = o.split(',').map(|s| s.trim().to_string()).collect();
        }
        if let Some(first) = origins.first() {
            origin = Some(first.clone());
        }
        let mut methods = format!("'{}'", join(&pf.methods));
        if pf.methods.iter().any(|m| m.is_str("ANY")) {
            methods = methods.replacen("ANY", "DELETE,GET,HEAD,PATCH,POST,PUT", 1);
        }
        let mut headers: Vec<(&str, String)> = vec![
            (
                "Access-Control-Allow-Origin",
                format!("'{}'", origin.as_deref().unwrap_or("undefined")),
            ),
            (
                "Access-Control-Allow-Headers",
                format!("'{}'", join(&pf.headers)),
            ),
            ("Access-Control-Allow-Methods", methods),
        ];
        if pf.allow_credentials {
            headers.push(("Access-Control-Allow-Credentials", "'true'".to_string()));
        }
        if let Some(m) = &pf.max_age {
            headers.push(("Access-Control-Max-Age", format!("'{}'", js_to_string(m))));
        }
        if let Some(c) = &pf.cache_control {
            headers.push(("Cache-Control", format!("'{}'", js_to_string(c))));
        }
        let template = if origins.is_empty() {
            String::new()
        } else {
            origins_template(&origins)
        };
        let props = preflight_properties(
            &headers,
            template,
            api.resource_id(path).unwrap_or(serde_json::Value::Null),
            api.rest_api_id.clone(),
        );
        ids.push(id.clone());
        t.merge_resource(
            &id,
            json!({"Type": "AWS::ApiGateway::Method", "Properties": props}),
        );
    }
    api.method_ids.extend(ids);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_origins_become_regexes() {
        let t = origins_template(&["https://*.example.com".into(), "https://x.org".into()]);
        assert!(t.contains(
            "#if($origin.matches(\"https://.+[.]example[.]com\") || $origin.matches(\"https://x[.]org\"))"
        ));
        // only the first `*` is a wildcard
        assert!(origins_template(&["*.*".into()]).contains("\".+[.]*\""));
    }
}
