//! Reading and checking every function's `http` events (the framework's `validate`): path,
//! method, authorizer, CORS and the per-path preflight settings, the integration and what it
//! keeps of `request` / `response`.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::codes;
use crate::compile::Ctx;
use crate::compile::events::http::codes as http_codes;
use crate::compile::events::http::util::{Item, span_of, truthy, truthy_at, union};
use crate::compile::events::http::validate::{
    Authorizer, Endpoint, ValidatedOf, normalize_integration, read_authorizer, read_endpoint,
};
use crate::compile::events::http_api::settings::DEFAULT_CORS_HEADERS;
use crate::compile::events::{a_kind, check_keys, event_list};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Mapping, Node, js_to_string};

/// The options of a function's `http` event (the framework's schema), and `name`, which the
/// schema lacks but the framework reads (warned about on its own).
const OPTIONS: [&str; 13] = [
    "async",
    "authorizer",
    "connectionId",
    "connectionType",
    "cors",
    "integration",
    "method",
    "operationId",
    "path",
    "private",
    "request",
    "response",
    "name",
];

/// The status codes of a `lambda` integration without `response.statusCodes`.
pub const DEFAULT_STATUS_CODES: [(&str, &str); 9] = [
    ("200", ""),
    ("400", "[\\s\\S]*\\[400\\][\\s\\S]*"),
    ("401", "[\\s\\S]*\\[401\\][\\s\\S]*"),
    ("403", "[\\s\\S]*\\[403\\][\\s\\S]*"),
    ("404", "[\\s\\S]*\\[404\\][\\s\\S]*"),
    ("422", "[\\s\\S]*\\[422\\][\\s\\S]*"),
    (
        "500",
        "[\\s\\S]*(Process\\s?exited\\s?before\\s?completing\\s?request|\\[500\\])[\\s\\S]*",
    ),
    ("502", "[\\s\\S]*\\[502\\][\\s\\S]*"),
    (
        "504",
        "([\\s\\S]*\\[504\\][\\s\\S]*)|(.*Task timed out after \\d+\\.\\d+ seconds$)",
    ),
];

/// One function `http` event, checked.
pub struct Event<'a> {
    /// The function's key under `functions`.
    pub function: &'a str,
    /// The `http` value and key.
    pub node: &'a Node,
    pub key_span: Span,
    /// The object form's settings (`None` for `"METHOD path"`).
    pub obj: Option<&'a Mapping>,
    /// `path` with one leading and one trailing `/` removed.
    pub path: String,
    pub path_span: Span,
    /// Lower case.
    pub method: String,
    pub authorizer: Option<Authorizer<'a>>,
    pub cors: Option<Cors>,
    /// `AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY` or `MOCK`.
    pub integration: &'static str,
    /// `VPC_LINK` (normalised `connectionType`) for HTTP integrations.
    pub connection_type: Option<String>,
    pub request: Option<Request<'a>>,
    pub response: Option<Response<'a>>,
}

impl<'a> Event<'a> {
    /// `http[key]` (object form).
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.obj.and_then(|m| m.get(key))
    }

    pub fn is_async(&self) -> bool {
        truthy(self.get("async"))
    }

    /// What to point at for the whole event.
    pub fn span(&self) -> Span {
        if self.obj.is_some() {
            self.key_span
        } else {
            self.node.span
        }
    }
}

/// What an event keeps of `request`.
pub struct Request<'a> {
    /// `request.parameters` as `method.request.<location>.<name>` → setting, in the framework's
    /// order (query strings, paths, headers); `None` without parameters.
    pub parameters: Option<Vec<(String, &'a Node)>>,
    /// `request.template` when it is a mapping.
    pub template: Option<&'a Mapping>,
    /// The integration's `PassthroughBehavior`.
    pub pass_through: Option<Value>,
    pub content_handling: Option<&'a Node>,
    pub uri: Option<&'a Node>,
    pub method: Option<&'a Node>,
    pub schemas: Option<&'a Mapping>,
}

/// One status code of a response.
pub struct StatusCode<'a> {
    /// `pattern || ''`.
    pub pattern: Value,
    pub headers: Option<&'a Mapping>,
    pub template: Option<&'a Node>,
}

/// What an event keeps of `response` (AWS, HTTP and MOCK integrations).
pub struct Response<'a> {
    pub headers: Option<&'a Mapping>,
    pub template: Option<&'a Node>,
    pub content_handling: Option<&'a Node>,
    /// In JavaScript object order (integer keys ascending).
    pub status_codes: Vec<(String, StatusCode<'a>)>,
}

/// An event's CORS settings (the framework's `getCors` result).
pub struct Cors {
    /// `undefined` when `origins` replaced the default and none was given.
    pub origin: Option<String>,
    pub origins: Option<Vec<Item>>,
    pub headers: Vec<Item>,
    pub methods: Vec<Item>,
    pub allow_credentials: bool,
    pub max_age: Option<Node>,
    pub cache_control: Option<Node>,
}

impl Cors {
    /// `Access-Control-Allow-Origin` of the event's own responses (unquoted).
    pub fn response_origin(&self) -> String {
        match &self.origins {
            Some(o) if !o.is_empty() => crate::compile::events::http::util::join(o),
            _ => self
                .origin
                .clone()
                .unwrap_or_else(|| "undefined".to_string()),
        }
    }
}

/// The OPTIONS method's settings of one path, merged over its events.
pub struct Preflight {
    pub headers: Vec<Item>,
    pub methods: Vec<Item>,
    pub origins: Vec<Item>,
    pub origin: Option<String>,
    pub allow_credentials: bool,
    pub max_age: Option<Node>,
    pub cache_control: Option<Node>,
}

/// The functions' events.
pub type Validated<'a> = ValidatedOf<Event<'a>, Preflight>;

/// Reads every function's `http` events, reporting every problem.
pub fn collect<'a>(ctx: &Ctx<'a>, diags: &mut Diags) -> Validated<'a> {
    let mut out = Validated {
        events: Vec::new(),
        preflight: IndexMap::new(),
    };
    let mut any = false;
    for (fkey, f) in ctx.functions() {
        for ev in event_list(f) {
            let Some(entry) = ev.as_map().and_then(|m| m.entry("http")) else {
                continue;
            };
            // the framework skips a falsy event (the event-kind check warns)
            if !entry.value.is_truthy() {
                continue;
            }
            any = true;
            if let Some(e) = read_event(ctx, fkey, &entry.value, entry.key_span, diags) {
                if let Some(c) = &e.cors {
                    merge_preflight(&mut out.preflight, &e.path, c);
                }
                out.events.push(e);
            }
        }
    }
    if any {
        check_stage(ctx, diags);
    }
    warn_timeouts(ctx, &out.events, diags);
    out
}

/// Like the framework (at deploy), warn when a function with synchronous http events may run
/// longer than API Gateway waits.
fn warn_timeouts(ctx: &Ctx, events: &[Event], diags: &mut Diags) {
    let mut seen: Vec<&str> = Vec::new();
    for ev in events.iter().filter(|e| !e.is_async()) {
        if seen.contains(&ev.function) {
            continue;
        }
        seen.push(ev.function);
        let Some((timeout, node)) =
            crate::compile::events::fn_http_api::timeout_of(ctx, ev.function, false)
        else {
            continue;
        };
        if timeout <= 30.0 {
            continue;
        }
        diags.push(
            Diag::warning(
                &codes::TIMEOUT,
                format!(
                    "the timeout of function `{}` ({} seconds) is longer than API Gateway waits for it",
                    ev.function,
                    js_to_string(node)
                ),
            )
            .label(node.span, "the timeout")
            .secondary(ev.span(), "an http endpoint of the function")
            .help("API Gateway ends a REST request after 29 seconds: the endpoint answers 504 while the invocation may still succeed; keep the timeout under 30 seconds, or make the endpoint `async: true` (the framework warns about this too)"),
        );
    }
}

/// API Gateway stage names allow `[-_a-zA-Z0-9]` only.
fn check_stage(ctx: &Ctx, diags: &mut Diags) {
    let stage = &ctx.stage;
    if !stage.is_empty()
        && stage
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return;
    }
    let mut d = Diag::error(
        &codes::INVALID_STAGE_NAME,
        format!(
            "invalid stage name `{stage}`: with http events it may contain only letters, digits, `-` and `_` (an API Gateway limit)"
        ),
    );
    if let Some(s) = ctx.provider_at(&["stage"]) {
        d = d.label(s.span, "the stage");
    }
    diags.push(d.help("choose another stage (`--stage` or `provider.stage`)"));
}

fn merge_preflight(all: &mut IndexMap<String, Preflight>, path: &str, c: &Cors) {
    let none: &[Item] = &[];
    let prev = all.get(path);
    let merged = Preflight {
        headers: union(&c.headers, prev.map_or(none, |p| &p.headers)),
        methods: union(&c.methods, prev.map_or(none, |p| &p.methods)),
        origins: union(
            c.origins.as_deref().unwrap_or(none),
            prev.map_or(none, |p| &p.origins),
        ),
        origin: c.origin.clone(),
        allow_credentials: prev.is_some_and(|p| p.allow_credentials) || c.allow_credentials,
        // when merging, the last one defined wins
        max_age: c
            .max_age
            .clone()
            .filter(Node::is_truthy)
            .or_else(|| prev.and_then(|p| p.max_age.clone())),
        cache_control: c
            .cache_control
            .clone()
            .filter(Node::is_truthy)
            .or_else(|| prev.and_then(|p| p.cache_control.clone())),
    };
    // an existing path keeps its place
    all.insert(path.to_string(), merged);
}

fn read_event<'a>(
    ctx: &Ctx<'a>,
    fkey: &'a str,
    node: &'a Node,
    key_span: Span,
    diags: &mut Diags,
) -> Option<Event<'a>> {
    let owner = format!("function `{fkey}`");
    let (e, mut ok): (Endpoint, bool) = read_endpoint(&owner, node, key_span, diags)?;
    let (obj, path, path_span, method) = (e.obj, e.path, e.path_span, e.method);
    if let Some(m) = obj {
        check_keys(
            diags,
            node,
            &OPTIONS,
            "a function `http` event",
            "the framework ignores it",
        );
        if let Some(k) = m.key_span("name") {
            diags.push(
                Diag::warning(
                    &crate::compile::events::UNKNOWN_KEY,
                    "`name` is not an option of a function http event, but the framework still names the path's resources after it",
                )
                .label(k, "renames this path in method logical IDs")
                .help("remove it (method logical IDs then follow the path)"),
            );
        }
    }

    // integration
    let integration = match truthy_at(obj, "integration") {
        None if truthy_at(obj, "async").is_some() => "AWS",
        None => "AWS_PROXY",
        Some(n) => match n.as_str().and_then(normalize_integration) {
            Some(i) => i,
            None => {
                diags.push(
                    Diag::error(
                        &http_codes::INVALID_INTEGRATION,
                        format!(
                            "`{}` is not an API Gateway integration (function `{fkey}`)",
                            js_to_string(n)
                        ),
                    )
                    .label(n.span, "not an integration type")
                    .help("use lambda-proxy (the default), lambda, http, http-proxy or mock"),
                );
                return None;
            }
        },
    };

    if integration != "AWS"
        && let Some(a) = truthy_at(obj, "async")
    {
        diags.push(
            Diag::warning(
                &codes::ASYNC_INTEGRATION,
                format!("`async` with the {} integration: API Gateway invokes the function without waiting, but still expects its response", shown(integration)),
            )
            .label(a.span, "an `Event` invocation")
            .help("`async: true` is meant for the lambda integration (the default when `integration` is left out); a proxy integration answers 502 to an asynchronous invocation"),
        );
    }

    let authorizer = match obj
        .and_then(|m| m.get("authorizer"))
        .filter(|a| a.is_truthy())
    {
        Some(a) => {
            let r = read_authorizer(ctx, &owner, obj, a, Some(integration), false, diags);
            ok &= r.is_some() && check_authorizer_type(fkey, r.as_ref(), a, diags);
            r
        }
        None => None,
    };

    let cors = match obj.and_then(|m| m.get("cors")).filter(|c| c.is_truthy()) {
        Some(c) => {
            let r = read_cors(fkey, &method, c, diags);
            ok &= r.is_some();
            r
        }
        None => None,
    };

    // the HTTP integrations' target
    let mut connection_type = None;
    if matches!(integration, "HTTP" | "HTTP_PROXY") {
        let uri = obj
            .and_then(|m| m.get("request"))
            .and_then(|r| r.get("uri"))
            .filter(|u| u.is_truthy());
        if uri.is_none() {
            diags.push(
                Diag::error(
                    &codes::MISSING_REQUEST_URI,
                    format!(
                        "an `{}` integration needs `request.uri` (function `{fkey}`)",
                        integration.to_lowercase().replace('_', "-")
                    ),
                )
                .label(
                    span_of(obj, "integration", key_span),
                    "the URL it calls is not given",
                )
                .help("set `request: {uri: https://…}` to the backend URL"),
            );
            ok = false;
        }
        if let Some(ct) = truthy_at(obj, "connectionType") {
            let norm = js_to_string(ct).to_uppercase().replacen('-', "_", 1);
            if norm != "VPC_LINK" {
                diags.push(
                    Diag::error(
                        &codes::CONNECTION,
                        format!("`{}` is not a connection type (function `{fkey}`)", js_to_string(ct)),
                    )
                    .label(ct.span, "not `vpc-link`")
                    .help("write `connectionType: vpc-link` with `connectionId`, or leave it out for the internet"),
                );
                ok = false;
            } else if truthy_at(obj, "connectionId").is_none() {
                diags.push(
                    Diag::error(
                        &codes::CONNECTION,
                        format!("a VPC link needs `connectionId` (function `{fkey}`)"),
                    )
                    .label(ct.span, "`connectionType: vpc-link` without `connectionId`")
                    .help("set `connectionId:` to the VPC link's id"),
                );
                ok = false;
            }
            connection_type = Some(norm);
        }
    }

    let (request, response) = match request_response(fkey, obj, integration, key_span, diags) {
        Some(rr) => rr,
        None => {
            ok = false;
            (None, None)
        }
    };

    ok.then(|| Event {
        function: fkey,
        node,
        key_span,
        obj,
        path,
        path_span,
        method,
        authorizer,
        cors,
        integration,
        connection_type,
        request,
        response,
    })
}

/// Authorizer types the framework copies into the template without looking.
fn check_authorizer_type(
    fkey: &str,
    a: Option<&Authorizer>,
    node: &Node,
    diags: &mut Diags,
) -> bool {
    let Some(a) = a else { return false };
    let Some(ty) = a.ty.as_deref() else {
        return true;
    };
    let type_span = node.get("type").map(|t| t.span).unwrap_or(node.span);
    let upper = ty.to_uppercase();
    if a.authorizer_id.is_some() {
        // the method's AuthorizationType: TOKEN / REQUEST → CUSTOM, others as written
        if matches!(upper.as_str(), "TOKEN" | "REQUEST")
            || matches!(ty, "COGNITO_USER_POOLS" | "CUSTOM" | "AWS_IAM")
        {
            return true;
        }
        let fix = if matches!(upper.as_str(), "COGNITO_USER_POOLS" | "CUSTOM" | "AWS_IAM") {
            format!(
                "write `type: {upper}` (the framework copies it as written, and API Gateway takes it in upper case only)"
            )
        } else {
            "use TOKEN, REQUEST, COGNITO_USER_POOLS or AWS_IAM".to_string()
        };
        diags.push(
            Diag::error(
                &http_codes::INVALID_AUTHORIZER,
                format!("`{ty}` is not an authorization type of an existing authorizer (function `{fkey}`)"),
            )
            .label(type_span, "becomes the method's `AuthorizationType` as written")
            .help(fix),
        );
        return false;
    }
    if a.arn.is_some() && !matches!(upper.as_str(), "TOKEN" | "REQUEST" | "COGNITO_USER_POOLS") {
        diags.push(
            Diag::error(
                &http_codes::INVALID_AUTHORIZER,
                format!("`{ty}` is not an authorizer type (function `{fkey}`)"),
            )
            .label(type_span, "becomes the authorizer's `Type`")
            .help("an authorizer is TOKEN (the default), REQUEST or COGNITO_USER_POOLS; `CUSTOM` is only a method's authorization type"),
        );
        return false;
    }
    true
}

/// `getCors`
fn read_cors(fkey: &str, method: &str, c: &Node, diags: &mut Diags) -> Option<Cors> {
    let upper = method.to_uppercase();
    let defaults = || DEFAULT_CORS_HEADERS.iter().map(|h| Item::str(h)).collect();
    let Some(m) = c.as_map() else {
        if c.as_seq().is_some() {
            diags.push(
                Diag::error(
                    &http_codes::INVALID_CORS,
                    format!("`cors` of an http event of function `{fkey}` is a list"),
                )
                .label(c.span, "expected `true` or a mapping")
                .help("write `cors: true`, or `cors: {origin: …, headers: […]}`"),
            );
            return None;
        }
        return Some(Cors {
            origin: Some("*".into()),
            origins: None,
            headers: defaults(),
            methods: vec![Item::str("OPTIONS"), Item::str(&upper)],
            allow_credentials: false,
            max_age: None,
            cache_control: None,
        });
    };
    let mut ok = true;
    let mut list = |name: &str, help: &str| -> Option<Vec<Item>> {
        let n = truthy_at(Some(m), name)?;
        match n.as_seq() {
            Some(v) => Some(v.iter().map(Item::of).collect()),
            None => {
                diags.push(
                    Diag::error(
                        &http_codes::INVALID_CORS,
                        format!(
                            "CORS `{name}` of an http event of function `{fkey}` must be a list (found {})",
                            a_kind(n)
                        ),
                    )
                    .label(n.span, "not a list")
                    .help(help.to_string()),
                );
                ok = false;
                None
            }
        }
    };
    let origins = list(
        "origins",
        "give the allowed origins as a list: `origins: [https://a.example.com]`",
    );
    let methods = list(
        "methods",
        "give the allowed methods as a list: `methods: [GET, POST]`",
    );
    // a single string header is allowed
    let headers = match truthy_at(Some(m), "headers") {
        None => defaults(),
        Some(h) if h.as_str().is_some() => vec![Item::of(h)],
        Some(_) => list(
            "headers",
            "list the headers: `headers: [Content-Type, X-Token]`",
        )
        .unwrap_or_default(),
    };
    if let Some(a) = m.get("maxAge").filter(|n| n.is_truthy())
        && !matches!(a.kind, Kind::Number(x) if x.fract() == 0.0 && x > 0.0 && x.is_finite())
    {
        diags.push(
            Diag::error(
                &http_codes::INVALID_CORS,
                format!(
                    "CORS `maxAge` of an http event of function `{fkey}` must be a positive integer (found {})",
                    js_to_string(a)
                ),
            )
            .label(a.span, "not a positive integer")
            .help("give the preflight cache time in seconds, e.g. `maxAge: 86400`"),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let mut methods = methods.unwrap_or_default();
    if !methods.iter().any(|i| i.is_str("OPTIONS")) {
        methods.push(Item::str("OPTIONS"));
    }
    if !methods.iter().any(|i| i.is_str(&upper)) {
        methods.push(Item::str(&upper));
    }
    let origin = match m.entry("origin") {
        Some(e) => Some(js_to_string(&e.value)),
        None if truthy_at(Some(m), "origins").is_some() => None,
        None => Some("*".into()),
    };
    if origin.is_none() && origins.as_ref().is_none_or(Vec::is_empty) {
        diags.push(
            Diag::warning(
                &http_codes::CORS_ORIGIN_UNDEFINED,
                format!("the CORS settings of an http event of function `{fkey}` allow no origin: the framework answers with `Access-Control-Allow-Origin: 'undefined'`"),
            )
            .label(c.span, "`origins` is empty and `origin` not given")
            .help("list the allowed origins, or remove `origins` (the default is `*`)"),
        );
    }
    Some(Cors {
        origin,
        origins,
        headers,
        methods,
        allow_credentials: truthy_at(Some(m), "allowCredentials").is_some(),
        max_age: m.get("maxAge").cloned(),
        cache_control: m.get("cacheControl").cloned(),
    })
}

/// An integration as the user writes it (`lambda-proxy`, `lambda`, `http`, …).
pub fn shown(integration: &str) -> String {
    match integration {
        "AWS" => "lambda".to_string(),
        "AWS_PROXY" => "lambda-proxy".to_string(),
        other => other.to_lowercase().replace('_', "-"),
    }
}

/// The request keys a proxy integration keeps.
fn proxy_request_keys(integration: &str) -> &'static [&'static str] {
    if integration == "AWS_PROXY" {
        &["parameters", "schema", "schemas"]
    } else {
        &["parameters", "uri", "schema", "schemas"]
    }
}

/// `request` and `response` as the integration keeps them; `None` after an error.
#[allow(clippy::type_complexity)]
fn request_response<'a>(
    fkey: &str,
    obj: Option<&'a Mapping>,
    integration: &'static str,
    key_span: Span,
    diags: &mut Diags,
) -> Option<(Option<Request<'a>>, Option<Response<'a>>)> {
    let request = obj.and_then(|m| m.get("request")).filter(|r| r.is_truthy());
    let response = obj
        .and_then(|m| m.get("response"))
        .filter(|r| r.is_truthy());
    let mut ok = true;
    let shown = shown(integration);
    for (what, n) in [("request", request), ("response", response)] {
        if let Some(n) = n
            && n.as_map().is_none()
        {
            diags.push(
                Diag::error(
                    &http_codes::INVALID_VALUE,
                    format!("`{what}` of an http event of function `{fkey}` must be a mapping (found {})", a_kind(n)),
                )
                .label(n.span, "not a mapping")
                .help(format!("give the {what}'s settings under `{what}:`")),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let request_map = request.and_then(Node::as_map);
    let response_map = response.and_then(Node::as_map);

    let read_request = |keys: Option<&[&str]>, diags: &mut Diags| -> Option<Request<'a>> {
        let m = request_map?;
        let keep = |k: &str| keys.is_none_or(|ks| ks.contains(&k));
        let get = |k: &str| if keep(k) { m.get(k) } else { None };
        let template = match get("template") {
            Some(t) if t.as_map().is_some() => t.as_map(),
            Some(t) if t.is_truthy() => {
                diags.push(
                    Diag::warning(
                        &codes::IGNORED,
                        format!("`request.template` of an http event of function `{fkey}` is not a mapping: the framework ignores it"),
                    )
                    .label(t.span, "not content type → template")
                    .help("write `template: {application/json: '<VTL>'}` (`lambda_proxy` is serverless-step-functions' syntax)"),
                );
                None
            }
            _ => None,
        };
        Some(Request {
            parameters: get("parameters")
                .filter(|p| p.is_truthy())
                .map(request_parameters),
            template,
            pass_through: None,
            content_handling: get("contentHandling").filter(|n| !n.is_null()),
            uri: get("uri").filter(|n| !n.is_null()),
            method: get("method").filter(|n| n.is_truthy()),
            schemas: get("schemas").and_then(Node::as_map),
        })
    };

    match integration {
        "AWS" | "HTTP" => {
            let mut req = read_request(None, diags).unwrap_or(Request {
                parameters: None,
                template: None,
                pass_through: None,
                content_handling: None,
                uri: None,
                method: None,
                schemas: None,
            });
            req.pass_through = match request_map
                .and_then(|m| m.get("passThrough"))
                .filter(|n| n.is_truthy())
            {
                Some(p) => Some(p.to_json()),
                None if integration == "AWS" => Some(json!("NEVER")),
                None => None,
            };
            let resp = match response_map {
                Some(r) => read_response(fkey, r, true, diags)?,
                None if integration == "AWS" => default_response(),
                None => {
                    diags.push(
                        Diag::error(
                            &codes::MISSING_RESPONSE,
                            format!("an `http` integration needs `response` (function `{fkey}`)"),
                        )
                        .label(key_span, "no `response`")
                        .help("give the responses, e.g. `response: {statusCodes: {200: {pattern: ''}}}` (the framework crashes without them)"),
                    );
                    return None;
                }
            };
            Some((Some(req), Some(resp)))
        }
        "AWS_PROXY" | "HTTP_PROXY" => {
            let allowed = proxy_request_keys(integration);
            if let Some(m) = request_map {
                for (k, e) in m.iter() {
                    if allowed.contains(&k.as_str()) {
                        continue;
                    }
                    diags.push(
                        Diag::warning(
                            &codes::PROXY_IGNORED,
                            format!("`request.{k}` does not apply to a {shown} integration: the framework removes it"),
                        )
                        .label(e.key_span, "removed")
                        .help(format!(
                            "with {shown} only {} apply; use `integration: lambda` for mapping templates",
                            allowed.iter().map(|a| format!("`request.{a}`")).collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            }
            if let Some(r) = response {
                diags.push(
                    Diag::warning(
                        &codes::PROXY_IGNORED,
                        format!("`response` does not apply to a {shown} integration: the framework removes it"),
                    )
                    .label(r.span, "removed")
                    .help("the function's own return value is the response; use `integration: lambda` to map responses"),
                );
            }
            let req = request_map
                .filter(|m| m.keys().any(|k| allowed.contains(&k.as_str())))
                .and_then(|_| read_request(Some(allowed), diags));
            Some((req, None))
        }
        // MOCK: taken as written
        _ => {
            if let Some(p) = request_map
                .and_then(|m| m.get("parameters"))
                .filter(|p| p.is_truthy())
            {
                diags.push(
                    Diag::error(
                        &http_codes::INVALID_VALUE,
                        format!("request parameters of a mock integration are not supported (function `{fkey}`)"),
                    )
                    .label(p.span, "the framework copies these unconverted into the method")
                    .help("remove `request.parameters` (a mock integration does not pass requests on)"),
                );
                return None;
            }
            let req = read_request(None, diags).map(|mut r| {
                r.pass_through = request_map
                    .and_then(|m| m.get("passThrough"))
                    .filter(|n| !n.is_null())
                    .map(Node::to_json);
                r
            });
            let resp = match response_map {
                None => None,
                Some(r) => Some(read_response(fkey, r, false, diags)?),
            };
            Some((req, resp))
        }
    }
}

/// `getRequestParameters`: `method.request.<querystring|path|header>.<name>` → setting.
fn request_parameters(p: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for (location, singular) in [
        ("querystrings", "querystring"),
        ("paths", "path"),
        ("headers", "header"),
    ] {
        if let Some(m) = p
            .get(location)
            .filter(|n| n.is_truthy())
            .and_then(Node::as_map)
        {
            for (k, e) in m.iter() {
                out.push((format!("method.request.{singular}.{k}"), &e.value));
            }
        }
    }
    out
}

fn default_response<'a>() -> Response<'a> {
    Response {
        headers: None,
        template: None,
        content_handling: None,
        status_codes: DEFAULT_STATUS_CODES
            .iter()
            .map(|(code, pattern)| {
                (
                    code.to_string(),
                    StatusCode {
                        pattern: json!(pattern),
                        headers: None,
                        template: None,
                    },
                )
            })
            .collect(),
    }
}

/// `getResponse` (`add_default`: lambda and http integrations default the status codes and add
/// a 200 when none has an empty pattern; a mock takes them as written).
fn read_response<'a>(
    fkey: &str,
    r: &'a Mapping,
    add_default: bool,
    diags: &mut Diags,
) -> Option<Response<'a>> {
    let mut status_codes = Vec::new();
    match r.get("statusCodes").filter(|s| s.is_truthy()) {
        None if add_default => {
            return Some(Response {
                headers: r.get("headers").and_then(Node::as_map),
                template: r.get("template").filter(|t| !t.is_null()),
                content_handling: r.get("contentHandling").filter(|n| !n.is_null()),
                ..default_response()
            });
        }
        None => {
            diags.push(
                Diag::error(
                    &codes::MISSING_RESPONSE,
                    format!("the mock response of function `{fkey}` has no `statusCodes`"),
                )
                .label(
                    r.key_span("statusCodes").unwrap_or(Span::NONE),
                    "no status codes",
                )
                .help("give them, e.g. `statusCodes: {200: {pattern: ''}}` (the framework crashes without them)"),
            );
            return None;
        }
        Some(s) => {
            let Some(m) = s.as_map() else {
                diags.push(
                    Diag::error(
                        &http_codes::INVALID_VALUE,
                        format!("`response.statusCodes` of function `{fkey}` must map status codes to responses (found {})", a_kind(s)),
                    )
                    .label(s.span, "not a mapping")
                    .help("write `statusCodes: {200: {pattern: ''}, 400: {pattern: '.*\\[400\\].*'}}`"),
                );
                return None;
            };
            let mut ok = true;
            for (code, e) in m.iter() {
                if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    diags.push(
                        Diag::error(
                            &http_codes::INVALID_VALUE,
                            format!("`{code}` is not an HTTP status code (function `{fkey}`)"),
                        )
                        .label(e.key_span, "not three digits")
                        .help("key each response by its status code, e.g. `404:`"),
                    );
                    ok = false;
                    continue;
                }
                let Some(c) = e.value.as_map() else {
                    diags.push(
                        Diag::error(
                            &http_codes::INVALID_VALUE,
                            format!("the `{code}` response of function `{fkey}` must be a mapping (found {})", a_kind(&e.value)),
                        )
                        .label(if e.value.is_null() { e.key_span } else { e.value.span }, "not a mapping")
                        .help("give its `pattern` (and `headers`, `template`), e.g. `404: {pattern: '.*\\[404\\].*'}` (the framework crashes on this)"),
                    );
                    ok = false;
                    continue;
                };
                status_codes.push((
                    code.to_string(),
                    StatusCode {
                        pattern: c
                            .get("pattern")
                            .filter(|p| p.is_truthy())
                            .map(Node::to_json)
                            .unwrap_or_else(|| json!("")),
                        headers: c.get("headers").and_then(Node::as_map),
                        template: c.get("template").filter(|t| !t.is_null()),
                    },
                ));
            }
            if !ok {
                return None;
            }
            let has_default = m
                .values()
                .any(|c| c.get("pattern").and_then(Node::as_str) == Some(""));
            if add_default && !has_default {
                let at = status_codes
                    .iter()
                    .position(|(k, _)| k.as_str() > "200")
                    .unwrap_or(status_codes.len());
                if !status_codes.iter().any(|(k, _)| k == "200") {
                    status_codes.insert(
                        at,
                        (
                            "200".into(),
                            StatusCode {
                                pattern: json!(""),
                                headers: None,
                                template: None,
                            },
                        ),
                    );
                } else if let Some((_, c)) = status_codes.iter_mut().find(|(k, _)| k == "200") {
                    // `statusCodes['200'] = DEFAULT`: the given 200 is replaced
                    if let Some(k) = m.key_span("200") {
                        diags.push(
                            Diag::warning(
                                &codes::IGNORED,
                                format!("the `200` response of function `{fkey}` is replaced by the default one"),
                            )
                            .label(k, "its pattern, headers and template are dropped")
                            .help("the framework needs one status code with `pattern: ''` (the default response); when none has it, it writes `200: {pattern: ''}` over this one: give this or another code `pattern: ''`"),
                        );
                    }
                    *c = StatusCode {
                        pattern: json!(""),
                        headers: None,
                        template: None,
                    };
                }
            }
        }
    }
    Some(Response {
        headers: r.get("headers").and_then(Node::as_map),
        template: r.get("template").filter(|t| !t.is_null()),
        content_handling: r.get("contentHandling").filter(|n| !n.is_null()),
        status_codes,
    })
}
