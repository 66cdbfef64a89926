//! Reading and checking every state machine's `http` events (the plugin's `httpValidate`):
//! path, method, authorizer, default timeout, CORS, and the per-path CORS preflight settings.

use indexmap::IndexMap;

use super::codes;
use super::util::{Item, js_string, parse_int, span_of, truthy, truthy_at, union};
use crate::compile::{Ctx, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Mapping, Node, js_to_string};

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "options", "head", "delete", "any",
];

/// The default `Access-Control-Allow-Headers`.
pub const DEFAULT_CORS_HEADERS: [&str; 6] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
];

/// One `http` event of a state machine, checked.
pub struct Event<'a> {
    /// The state machine's key under `stepFunctions.stateMachines`.
    pub key: &'a str,
    /// The state machine's logical ID.
    pub sm: String,
    /// The `http` value.
    pub node: &'a Node,
    /// The object form's settings (`None` for `"METHOD path"`).
    pub obj: Option<&'a Mapping>,
    /// `path` with one leading and one trailing `/` removed.
    pub path: String,
    pub path_span: Span,
    /// Lower case.
    pub method: String,
    pub authorizer: Option<Authorizer<'a>>,
    /// `timeoutInMillis`, else `provider.apiGateway.timeoutInMillis` (only when truthy).
    pub timeout: Option<&'a Node>,
    pub cors: Option<EventCors>,
    /// slsx's `syncResponse` (see [`super::sync`]).
    pub sync: Option<super::sync::SyncResponse>,
}

impl<'a> Event<'a> {
    /// `http[key]` (object form).
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.obj.and_then(|m| m.get(key))
    }

    pub fn has(&self, key: &str) -> bool {
        self.obj.is_some_and(|m| m.contains_key(key))
    }

    /// The Step Functions action the method calls instead of `StartExecution`: `action` as
    /// written, else `StartSyncExecution` for a `syncResponse` event.
    pub fn action(&self) -> Option<String> {
        match self.get("action") {
            Some(a) => Some(js_to_string(a)),
            None => self.sync.map(|_| super::sync::ACTION.to_string()),
        }
    }

    /// `http.request.template` when present (lodash `_.has`).
    pub fn request_template(&self) -> Option<&'a Node> {
        self.get("request")
            .and_then(Node::as_map)
            .and_then(|m| m.get("template"))
    }

    /// The resource name the plugin gives the event's path node (`http.name`, a quirk: it
    /// replaces the path in the method's logical ID).
    pub fn resource_name_override(&self) -> Option<String> {
        truthy_at(self.obj, "name").map(js_to_string)
    }
}

/// Where the authorizer's Lambda ARN comes from.
pub enum Arn<'a> {
    /// A function of this service: `{Fn::GetAtt: [<Fn>LambdaFunction, Arn]}`.
    Function(String),
    /// As written (an ARN string or an intrinsic).
    Given(&'a Node),
}

impl Arn<'_> {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Arn::Function(id) => super::util::get_att(id, "Arn"),
            Arn::Given(n) => n.to_json(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Arn::Function(_) => None,
            Arn::Given(n) => n.as_str(),
        }
    }
}

/// An event's authorizer (the plugin's `getAuthorizer` result).
pub struct Authorizer<'a> {
    /// Where the authorizer is written.
    pub span: Span,
    /// `AWS_IAM`, or `type` as written.
    pub ty: Option<String>,
    pub name: Option<String>,
    pub arn: Option<Arn<'a>>,
    pub authorizer_id: Option<&'a Node>,
    /// `resultTtlInSeconds` (object form only; default 300).
    pub ttl: Option<f64>,
    /// `identitySource` as written; `None`: the default header.
    pub identity_source: Option<&'a Node>,
    pub identity_validation_expression: Option<&'a str>,
    pub scopes: Option<&'a Node>,
    /// `managedExternally` (object form, when not null): no Lambda permission.
    pub managed_externally: Option<&'a Node>,
    /// `claims` when truthy (object form): Cognito claims for lambda request templates.
    pub claims: Option<&'a Node>,
}

impl Authorizer<'_> {
    pub fn is_type(&self, t: &str) -> bool {
        self.ty.as_deref() == Some(t)
    }
}

/// An `integration` as the framework normalises it (upper case, the first `-` an `_`, `LAMBDA`
/// → `AWS`, `LAMBDA_PROXY` → `AWS_PROXY`); `None` for a type API Gateway does not have.
pub(crate) fn normalize_integration(s: &str) -> Option<&'static str> {
    const TYPES: [&str; 5] = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"];
    match s.to_uppercase().replacen('-', "_", 1).as_str() {
        "LAMBDA" => Some("AWS"),
        "LAMBDA_PROXY" => Some("AWS_PROXY"),
        other => TYPES.iter().find(|t| **t == other).copied(),
    }
}

/// `^arn:[a-zA-Z-]*:cognito-idp`
pub fn is_cognito_arn(s: &str) -> bool {
    s.strip_prefix("arn:")
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-'))
        .is_some_and(|r| r.starts_with(":cognito-idp"))
}

/// An event's CORS settings (the plugin's `getCors` result).
pub struct EventCors {
    /// `Access-Control-Allow-Origin` of the event's own responses (unquoted).
    pub response_origin: String,
    pub headers: Vec<Item>,
    pub methods: Vec<Item>,
    pub origins: Option<Vec<Item>>,
    /// `origin` when truthy.
    pub origin: Option<String>,
    pub allow_credentials: bool,
    /// `maxAge` when the key is present.
    pub max_age: Option<(Node, Span)>,
}

/// The OPTIONS method's settings of one path, merged over its events.
pub struct Preflight {
    pub headers: Vec<Item>,
    pub methods: Vec<Item>,
    pub origins: Vec<Item>,
    pub origin: String,
    pub allow_credentials: bool,
    pub max_age: Option<(Node, Span)>,
}

/// All events `E`, and the CORS preflight settings `P` by path (insertion order).
pub struct ValidatedOf<E, P> {
    pub events: Vec<E>,
    pub preflight: IndexMap<String, P>,
}

/// The state machines' events.
pub type Validated<'a> = ValidatedOf<Event<'a>, Preflight>;

/// Reads every state machine's `http` events, reporting every problem.
pub fn collect<'a>(ctx: &Ctx<'a>, diags: &mut Diags) -> Validated<'a> {
    let mut out = Validated {
        events: Vec::new(),
        preflight: IndexMap::new(),
    };
    let Some(machines) = ctx
        .config
        .at(&["stepFunctions", "stateMachines"])
        .and_then(Node::as_map)
    else {
        return out;
    };
    for (key, entry) in machines.iter() {
        let machine = &entry.value;
        let Some(m) = machine.as_map() else { continue };
        let events: Vec<&Node> = match m.get("events").map(|e| &e.kind) {
            Some(Kind::Seq(v)) => v.iter().collect(),
            Some(Kind::Map(o)) => o.values().collect(),
            _ => continue,
        };
        let custom = |k: &str| m.get(k).and_then(Node::as_str).filter(|s| !s.is_empty());
        let sm = naming::state_machine_logical_id(key, custom("id"), custom("name"));
        for ev in events {
            let Some(http) = ev.as_map().and_then(|o| o.entry("http")) else {
                continue;
            };
            let machine_key_span = entry.key_span;
            if let Some(e) = read_event(
                ctx,
                key,
                &sm,
                (m, machine_key_span),
                &http.value,
                http.key_span,
                diags,
            ) {
                if let Some(c) = &e.cors {
                    merge_preflight(&mut out.preflight, &e.path, c);
                }
                out.events.push(e);
            }
        }
    }
    out
}

fn merge_preflight(all: &mut IndexMap<String, Preflight>, path: &str, c: &EventCors) {
    let none: &[Item] = &[];
    let prev = all.get(path);
    let merged = Preflight {
        headers: union(&c.headers, prev.map_or(none, |p| &p.headers)),
        methods: union(&c.methods, prev.map_or(none, |p| &p.methods)),
        origins: union(
            c.origins.as_deref().unwrap_or(none),
            prev.map_or(none, |p| &p.origins),
        ),
        origin: c.origin.clone().unwrap_or_else(|| "*".to_string()),
        allow_credentials: prev.is_some_and(|p| p.allow_credentials) || c.allow_credentials,
        // when merging, the last one defined wins
        max_age: c
            .max_age
            .clone()
            .or_else(|| prev.and_then(|p| p.max_age.clone())),
    };
    // an existing path keeps its place
    all.insert(path.to_string(), merged);
}

fn read_event<'a>(
    ctx: &Ctx<'a>,
    key: &'a str,
    sm: &str,
    (machine, machine_key_span): (&Mapping, Span),
    node: &'a Node,
    key_span: Span,
    diags: &mut Diags,
) -> Option<Event<'a>> {
    let owner = format!("state machine `{key}`");
    let (endpoint, mut ok) = read_endpoint(&owner, node, key_span, diags)?;
    let Endpoint {
        obj,
        path,
        path_span,
        method,
    } = endpoint;

    let authorizer = match obj
        .and_then(|m| m.get("authorizer"))
        .filter(|a| a.is_truthy())
    {
        Some(a) => {
            let r = read_authorizer(
                ctx,
                &format!("state machine `{key}`"),
                obj,
                a,
                None,
                true,
                diags,
            );
            ok &= r.is_some();
            r
        }
        _ => None,
    };

    let timeout = truthy_at(obj, "timeoutInMillis").or_else(|| {
        ctx.provider_at(&["apiGateway", "timeoutInMillis"])
            .filter(|n| n.is_truthy())
    });

    let cors = match obj.and_then(|m| m.get("cors")).filter(|c| c.is_truthy()) {
        Some(c) => {
            let r = read_cors(key, &method, c, diags);
            ok &= r.is_some();
            r
        }
        _ => None,
    };

    ok &= check_values(key, obj, diags);

    let sync = match super::sync::read(key, obj, machine, machine_key_span, diags) {
        Ok(s) => s,
        Err(()) => {
            ok = false;
            None
        }
    };

    ok.then(|| Event {
        key,
        sm: sm.to_string(),
        node,
        obj,
        path,
        path_span,
        method,
        authorizer,
        timeout,
        cors,
        sync,
    })
}

/// An http event's path and method (`"METHOD path"`, split on single spaces, or
/// `{method, path}`), the same in the framework and the plugin.
pub(crate) struct Endpoint<'a> {
    /// The object form's settings (`None` for `"METHOD path"`).
    pub obj: Option<&'a Mapping>,
    /// Without one leading and one trailing `/`.
    pub path: String,
    pub path_span: Span,
    /// Lower case.
    pub method: String,
}

/// Reads an http event's path and method, reporting what the compilers would crash on or
/// write broken: `owner` says whose event it is (``state machine `k` ``, ``function `k` ``).
/// `None`: not an endpoint at all; `Some((_, false))`: a problem was reported.
pub(crate) fn read_endpoint<'a>(
    owner: &str,
    node: &'a Node,
    key_span: Span,
    diags: &mut Diags,
) -> Option<(Endpoint<'a>, bool)> {
    let (obj, raw_method, method_span, raw_path, path_span): (
        Option<&Mapping>,
        Option<&Node>,
        Span,
        Option<&Node>,
        Span,
    ) = match &node.kind {
        Kind::Map(m) => (
            Some(m),
            m.get("method"),
            span_of(Some(m), "method", key_span),
            m.get("path"),
            span_of(Some(m), "path", key_span),
        ),
        Kind::String(_) => (None, None, node.span, None, node.span),
        _ => {
            diags.push(
                Diag::error(
                    &codes::INVALID_EVENT,
                    format!(
                        "invalid http event in {owner}: expected a `METHOD path` string or an object, found {}",
                        node.type_name()
                    ),
                )
                .label(
                    if node.is_null() { key_span } else { node.span },
                    "not a string nor an object",
                )
                .help("write `http: POST orders` or `http: {method: post, path: orders}`"),
            );
            return None;
        }
    };

    // string form: "METHOD path" split on single spaces
    let (method, path) = match (&node.kind, obj) {
        (Kind::String(s), _) => {
            let mut parts = s.split(' ');
            let m = parts.next().map(str::to_string);
            let p = parts.next().map(str::to_string);
            (m, p)
        }
        (_, Some(_)) => (
            raw_method.and_then(Node::as_str).map(str::to_string),
            raw_path.and_then(Node::as_str).map(str::to_string),
        ),
        _ => (None, None),
    };

    let mut ok = true;
    let path = match path {
        Some(p) => {
            let p = p.strip_prefix('/').unwrap_or(&p);
            let p = p.strip_suffix('/').unwrap_or(p).to_string();
            if !p.is_empty() && p.split('/').any(str::is_empty) {
                diags.push(
                    Diag::error(
                        &codes::INVALID_PATH,
                        format!("the http path `{p}` of {owner} has an empty segment"),
                    )
                    .label(path_span, "`//` here (after one leading and one trailing `/` are dropped)")
                    .help("API Gateway rejects a resource with an empty path part; write each segment once, e.g. `orders/{id}`"),
                );
                ok = false;
            } else if p.chars().any(char::is_whitespace) {
                diags.push(
                    Diag::error(
                        &codes::INVALID_PATH,
                        format!("the http path `{p}` of {owner} contains white space"),
                    )
                    .label(path_span, "not a URL path")
                    .help("API Gateway rejects a path part with spaces: remove them"),
                );
                ok = false;
            }
            p
        }
        None => {
            let found = match (&node.kind, raw_path) {
                (Kind::String(_), _) => "no path after the method".to_string(),
                (_, Some(n)) => super::util::a_type(n),
                (_, None) => "no `path`".to_string(),
            };
            diags.push(
                Diag::error(
                    &codes::INVALID_PATH,
                    format!("missing or invalid `path` in an http event of {owner}"),
                )
                .label(path_span, found)
                .help("give the path as a string: `http: POST orders` or `path: orders/{id}`"),
            );
            ok = false;
            String::new()
        }
    };

    let method = match method {
        Some(m) => {
            let lower = m.to_lowercase();
            if !METHODS.contains(&lower.as_str()) {
                let what = if m.is_empty() {
                    "an empty API Gateway method".to_string()
                } else {
                    format!("invalid API Gateway method `{m}`")
                };
                diags.push(
                    Diag::error(&codes::INVALID_METHOD, format!("{what} in {owner}"))
                        .label(method_span, "not an API Gateway method")
                        .help(format!("use one of: {}", METHODS.join(", "))),
                );
                ok = false;
            }
            lower
        }
        None => {
            let found = match raw_method {
                Some(n) => super::util::a_type(n),
                None => "no `method`".to_string(),
            };
            diags.push(
                Diag::error(
                    &codes::INVALID_METHOD,
                    format!("missing or invalid `method` in an http event of {owner}"),
                )
                .label(method_span, found)
                .help(format!(
                    "give the method as a string, one of: {}",
                    METHODS.join(", ")
                )),
            );
            ok = false;
            String::new()
        }
    };

    Some((
        Endpoint {
            obj,
            path,
            path_span,
            method,
        },
        ok,
    ))
}

/// An event's `authorizer` (the plugin's `getAuthorizer`, a copy of the framework's):
/// `owner` says whose event it is (``state machine `k` ``, ``function `k` ``). `integration`
/// is the event's normalised integration when the caller has it; otherwise it is read here
/// (the plugin's check). `plugin`: serverless-step-functions' own restrictions apply (it
/// derives Lambda permissions from the ARN, and recognises Cognito only by the ARN).
pub(crate) fn read_authorizer<'a>(
    ctx: &Ctx<'a>,
    owner: &str,
    http: Option<&'a Mapping>,
    a: &'a Node,
    integration: Option<&str>,
    plugin: bool,
    diags: &mut Diags,
) -> Option<Authorizer<'a>> {
    let mut auth = Authorizer {
        span: a.span,
        ty: None,
        name: None,
        arn: None,
        authorizer_id: None,
        ttl: None,
        identity_source: None,
        identity_validation_expression: None,
        scopes: None,
        managed_externally: None,
        claims: None,
    };
    let bad = |msg: String, span: Span, label: &str, help: &str| {
        Diag::error(&codes::INVALID_AUTHORIZER, msg)
            .label(span, label.to_string())
            .help(help.to_string())
    };
    let mut claims = false;
    match &a.kind {
        Kind::String(s) => {
            if s.to_uppercase() == "AWS_IAM" {
                auth.ty = Some("AWS_IAM".into());
            } else if !s.contains(':') {
                auth.arn = Some(Arn::Function(function_arn(ctx, owner, s, a.span, diags)?));
                auth.name = Some(s.to_string());
            } else {
                auth.name = Some(naming::extract_authorizer_name_from_arn(s));
                auth.arn = Some(Arn::Given(a));
                if plugin && !check_permission_arn(owner, a, None, diags) {
                    return None;
                }
            }
        }
        Kind::Map(m) => {
            let ty = m.get("type").filter(|t| t.is_truthy());
            if let Some(t) = ty
                && t.as_str().is_none()
            {
                diags.push(bad(
                    format!(
                        "the authorizer `type` in {owner} is {}",
                        super::util::a_type(t)
                    ),
                    t.span,
                    "not a string",
                    "use TOKEN, REQUEST, COGNITO_USER_POOLS or AWS_IAM",
                ));
                return None;
            }
            let ty = ty.and_then(Node::as_str);
            let arn = truthy_at(Some(m), "arn");
            let name = truthy_at(Some(m), "name");
            if let (Some(t), Some(id)) = (ty, truthy_at(Some(m), "authorizerId")) {
                auth.ty = Some(t.to_string());
                auth.authorizer_id = Some(id);
            } else if ty.is_some_and(|t| t.to_uppercase() == "AWS_IAM") {
                auth.ty = Some("AWS_IAM".into());
            } else if let Some(arn) = arn {
                match (m.get("name").and_then(Node::as_str), arn.as_str()) {
                    (Some(""), _) => {
                        diags.push(bad(
                            format!("the authorizer in {owner} has an empty `name`"),
                            m.get("name").map_or(a.span, |n| n.span),
                            "empty name",
                            "name the authorizer (the plugin crashes on an empty name), or leave `name` out to take it from the ARN",
                        ));
                        return None;
                    }
                    (Some(n), _) => auth.name = Some(n.to_string()),
                    (None, Some(s)) => {
                        auth.name = Some(naming::extract_authorizer_name_from_arn(s))
                    }
                    (None, None) => {
                        diags.push(bad(
                            format!("the authorizer in {owner} has an `arn` that is not a string and no `name`"),
                            arn.span,
                            "the name cannot be taken from this",
                            "add `name:` (it names the authorizer resource), or give the ARN as a string",
                        ));
                        return None;
                    }
                }
                auth.arn = Some(Arn::Given(arn));
                if plugin && !check_permission_arn(owner, arn, ty, diags) {
                    return None;
                }
                if plugin
                    && ty.is_some_and(|t| t.to_uppercase() == "COGNITO_USER_POOLS")
                    && !arn.as_str().is_some_and(is_cognito_arn)
                {
                    diags.push(
                        Diag::warning(
                            &codes::COGNITO_METHOD_TYPE,
                            format!("the Cognito authorizer of an http event in {owner} is not given by a `cognito-idp` ARN string: the plugin writes the method with `AuthorizationType: CUSTOM`"),
                        )
                        .label(arn.span, "the plugin recognises Cognito only from an `arn:…:cognito-idp` string")
                        .help("API Gateway needs `COGNITO_USER_POOLS` on the method for a Cognito authorizer: give the user pool ARN as a string"),
                    );
                }
            } else if let Some(n) = name {
                let Some(s) = n.as_str() else {
                    diags.push(bad(
                        format!(
                            "the authorizer `name` in {owner} is {}",
                            super::util::a_type(n)
                        ),
                        n.span,
                        "not a function name",
                        "name a function of this service",
                    ));
                    return None;
                };
                auth.arn = Some(Arn::Function(function_arn(ctx, owner, s, n.span, diags)?));
                auth.name = Some(s.to_string());
            } else {
                diags.push(bad(
                    format!("the authorizer in {owner} has neither a name nor an ARN"),
                    a.span,
                    "no `name`, `arn`, `type: aws_iam` or `type` with `authorizerId`",
                    "give `name: <function>` or `arn: <lambda or cognito user pool ARN>`",
                ));
                return None;
            }
            if auth.ty.is_none() {
                auth.ty = ty.map(str::to_string);
            }
            auth.scopes = m.get("scopes").filter(|s| s.as_seq().is_some());
            auth.ttl = Some(
                m.get("resultTtlInSeconds")
                    .and_then(parse_int)
                    .unwrap_or(300.0),
            );
            claims = truthy(m.get("claims"));
            auth.claims = m.get("claims").filter(|c| c.is_truthy());
            auth.managed_externally = m.get("managedExternally").filter(|n| !n.is_null());
            auth.identity_source = m.get("identitySource");
            auth.identity_validation_expression =
                m.get("identityValidationExpression").and_then(Node::as_str);
        }
        Kind::Seq(_) => {
            diags.push(bad(
                format!("the authorizer in {owner} is a list"),
                a.span,
                "neither a name, an ARN nor an object",
                "write `authorizer: <function>`, `authorizer: <ARN>` or an object with `name` / `arn`",
            ));
            return None;
        }
        _ => {
            diags.push(bad(
                format!(
                    "the authorizer in {owner} is not an object nor a string (found {})",
                    a.type_name()
                ),
                a.span,
                "expected `authorizer: functionName` or an object with a `name`",
                "write `authorizer: <function>`, `authorizer: <ARN>` or an object with `name` / `arn`",
            ));
            return None;
        }
    }

    // the integration type only matters for this check (the method is always `AWS`)
    let integration = match integration {
        Some(i) => i.to_string(),
        None => match truthy_at(http, "integration") {
            None => "AWS_PROXY".to_string(),
            Some(n) => match n.as_str().and_then(normalize_integration) {
                Some(v) => v.to_string(),
                None => {
                    diags.push(
                        Diag::error(
                            &codes::INVALID_INTEGRATION,
                            format!(
                                "invalid API Gateway integration `{}` in {owner}",
                                js_to_string(n)
                            ),
                        )
                        .label(n.span, "not an integration type")
                        .help("supported: lambda, lambda-proxy, aws, aws-proxy, http, http-proxy, mock (the plugin only reads it to check Cognito `claims`)"),
                    );
                    return None;
                }
            },
        },
    };
    if integration == "AWS_PROXY"
        && claims
        && auth
            .arn
            .as_ref()
            .and_then(Arn::as_str)
            .is_some_and(is_cognito_arn)
    {
        let span = span_of(a.as_map(), "claims", a.span);
        diags.push(
            Diag::error(
                &codes::COGNITO_CLAIMS,
                format!("Cognito claims can only be filtered when using the lambda integration type ({owner})"),
            )
            .label(span, "claims need `integration: lambda`")
            .help("remove `claims`, or set `integration: lambda` on the event"),
        );
        return None;
    }
    Some(auth)
}

/// The plugin gives TOKEN / CUSTOM authorizers a Lambda permission whose function it reads
/// back from the authorizer URI: an intrinsic ARN other than `Fn::GetAtt: [<id>, Arn]` turns
/// into a `[object Object]LambdaPermission` resource.
fn check_permission_arn(owner: &str, arn: &Node, ty: Option<&str>, diags: &mut Diags) -> bool {
    let upper = ty.map(str::to_uppercase);
    if matches!(upper.as_deref(), Some("COGNITO_USER_POOLS"))
        || !matches!(upper.as_deref(), None | Some("TOKEN") | Some("CUSTOM"))
    {
        return true;
    }
    if let Some(s) = arn.as_str() {
        if is_cognito_arn(s) || naming::authorizer_arn_permission_logical_id(s).is_some() {
            return true;
        }
        diags.push(
            Diag::error(
                &codes::INVALID_AUTHORIZER,
                format!("the authorizer `{s}` in {owner} is neither a function of this service nor a Lambda ARN"),
            )
            .label(arn.span, "not shaped like `arn:<partition>:lambda:<region>:<account>:function:<name>`")
            .help(format!("give a full Lambda ARN (the plugin would write a `{s}LambdaPermission` resource), or the key of a function of this service")),
        );
        return false;
    }
    let get_att_ok = arn
        .get("Fn::GetAtt")
        .and_then(Node::as_seq)
        .and_then(|v| v.first())
        .is_some_and(|f| f.as_str().is_some());
    if get_att_ok {
        return true;
    }
    diags.push(
        Diag::error(
            &codes::INVALID_AUTHORIZER,
            format!("the authorizer ARN in {owner} cannot be given its Lambda permission"),
        )
        .label(arn.span, "the plugin derives the permission's function from this")
        .help("give the ARN as a string or as `Fn::GetAtt: [<FunctionLogicalId>, Arn]` (the plugin would emit a `[object Object]LambdaPermission` resource)"),
    );
    false
}

/// `{Fn::GetAtt: [<Fn>LambdaFunction, Arn]}` for an authorizer function of this service.
fn function_arn(
    ctx: &Ctx,
    owner: &str,
    name: &str,
    span: Span,
    diags: &mut Diags,
) -> Option<String> {
    let known = ctx
        .config
        .get("functions")
        .and_then(Node::as_map)
        .is_some_and(|f| f.contains_key(name));
    if !known {
        let mut d = Diag::error(
            &codes::UNKNOWN_AUTHORIZER_FUNCTION,
            format!("the authorizer of an http event in {owner} names function `{name}`, which this service does not define"),
        )
        .label(span, "no such function under `functions`");
        d = d.help(if name.contains(' ') {
            "give a function key of this service, or the authorizer's ARN".to_string()
        } else {
            format!("define `functions.{name}`, or give the authorizer's ARN (a string with `:`)")
        });
        diags.push(d);
        return None;
    }
    Some(naming::lambda_logical_id(name))
}

fn read_cors(key: &str, method: &str, c: &Node, diags: &mut Diags) -> Option<EventCors> {
    let upper = method.to_uppercase();
    let m = match &c.kind {
        Kind::Map(m) => Some(m),
        Kind::Seq(_) => None,
        _ => {
            return Some(EventCors {
                response_origin: "*".into(),
                headers: DEFAULT_CORS_HEADERS.iter().map(|h| Item::str(h)).collect(),
                methods: vec![Item::str("OPTIONS"), Item::str(&upper)],
                origins: Some(vec![Item::str("*")]),
                origin: Some("*".into()),
                allow_credentials: false,
                max_age: None,
            });
        }
    };
    let err = |span: Span, msg: String, label: &str, help: &str| {
        Diag::error(&codes::INVALID_CORS, msg)
            .label(span, label.to_string())
            .help(help.to_string())
    };
    let mut ok = true;
    let origins_node = truthy_at(m, "origins");
    let origin_node = truthy_at(m, "origin");
    if let (Some(_), Some(o)) = (origins_node, origin_node) {
        diags.push(
            err(
                o.span,
                format!("CORS of an http event in state machine `{key}` sets both `origin` and `origins`"),
                "`origin` here",
                "use `origin` for one origin or `origins` for a list, not both",
            )
            .secondary(origins_node.map(|n| n.span).unwrap_or(o.span), "`origins` here"),
        );
        ok = false;
    }
    let mut list = |name: &str, help: &str| -> Option<Option<Vec<Item>>> {
        match truthy_at(m, name) {
            None => Some(None),
            Some(n) => match n.as_seq() {
                Some(v) => Some(Some(v.iter().map(Item::of).collect())),
                None => {
                    diags.push(err(
                        n.span,
                        format!(
                            "CORS `{name}` of an http event in state machine `{key}` must be a list (found {})",
                            n.type_name()
                        ),
                        "not a list",
                        help,
                    ));
                    None
                }
            },
        }
    };
    let headers = list(
        "headers",
        "CORS header values must be provided as a list: `headers: [Content-Type, X-Token]`",
    );
    let methods = list(
        "methods",
        "give the allowed methods as a list: `methods: [GET, POST]`",
    );
    let origins = list(
        "origins",
        "give the allowed origins as a list: `origins: [https://a.example.com]`",
    );
    let (Some(headers), Some(methods), Some(origins)) = (headers, methods, origins) else {
        return None;
    };
    if !ok {
        return None;
    }
    let headers =
        headers.unwrap_or_else(|| DEFAULT_CORS_HEADERS.iter().map(|h| Item::str(h)).collect());
    let mut methods = methods.unwrap_or_default();
    if !methods.iter().any(|i| i.is_str("OPTIONS")) {
        methods.push(Item::str("OPTIONS"));
    }
    if !methods.iter().any(|i| i.is_str(&upper)) {
        methods.push(Item::str(&upper));
    }
    let origin_raw = m.and_then(|m| m.get("origin"));
    let response_origin = match &origins {
        Some(v) if !v.is_empty() => super::util::join(v),
        _ => js_string(origin_raw),
    };
    if origin_raw.is_none() && origins.as_ref().is_none_or(|v| v.is_empty()) {
        diags.push(
            Diag::warning(
                &codes::CORS_ORIGIN_UNDEFINED,
                format!("the CORS settings of an http event in state machine `{key}` have no `origin`: its responses say `Access-Control-Allow-Origin: 'undefined'`"),
            )
            .label(c.span, "no `origin` / `origins` here")
            .help("add `origin: '*'` (or your origin); only `cors: true` defaults it (the preflight OPTIONS method does use `*`)"),
        );
    }
    let max_age = m.and_then(|m| m.entry("maxAge")).map(|e| {
        (
            e.value.clone(),
            if e.value.is_null() {
                e.key_span
            } else {
                e.value.span
            },
        )
    });
    Some(EventCors {
        response_origin,
        headers,
        methods,
        origins,
        origin: origin_raw.filter(|n| n.is_truthy()).map(js_to_string),
        allow_credentials: truthy(m.and_then(|m| m.get("allowCredentials"))),
        max_age,
    })
}

/// Settings the plugin copies into the template without looking: values of the wrong shape
/// make it crash or write a template CloudFormation rejects.
fn check_values(key: &str, obj: Option<&Mapping>, diags: &mut Diags) -> bool {
    let Some(m) = obj else { return true };
    let mut ok = true;
    let mut bad = |n: &Node, what: &str, want: &str, help: &str| {
        let found = match n.as_str() {
            Some("") => "an empty string".to_string(),
            _ => super::util::a_type(n),
        };
        diags.push(
            Diag::error(
                &codes::INVALID_VALUE,
                format!("`{what}` of an http event in state machine `{key}` must be {want} (found {found})"),
            )
            .label(n.span, format!("expected {want}"))
            .help(help.to_string()),
        );
        ok = false;
    };
    if let Some(a) = m.get("action")
        && a.as_str().is_none_or(str::is_empty)
    {
        bad(
            a,
            "action",
            "a non-empty string",
            "name a Step Functions API action, e.g. `action: DescribeExecution` (the plugin writes `states:<action>` into the role)",
        );
    }
    if let Some(t) = m
        .get("request")
        .and_then(Node::as_map)
        .and_then(|r| r.get("template"))
        && !(t.is_null() || t.as_map().is_some() || t.as_str() == Some("lambda_proxy"))
    {
        bad(
            t,
            "request.template",
            "`lambda_proxy` or a map of content type to template",
            "write `template: lambda_proxy`, or `template: {application/json: '<VTL>'}`",
        );
    }
    if let Some(s) = m
        .get("request")
        .and_then(Node::as_map)
        .and_then(|r| r.get("schemas"))
        && !(s.is_null() || s.as_map().is_some())
    {
        bad(
            s,
            "request.schemas",
            "a map of content type to schema",
            "write `schemas: {application/json: <schema or provider schema name>}`",
        );
    }
    if let Some(r) = m.get("response").and_then(Node::as_map) {
        for (name, what) in [
            ("headers", "response.headers"),
            ("template", "response.template"),
        ] {
            if let Some(v) = r.get(name)
                && !(v.is_null() || v.as_map().is_some())
            {
                bad(
                    v,
                    what,
                    "a map",
                    "map header names to values (`X-Kind: \"'status'\"`), content types to templates",
                );
            }
        }
    }
    if let Some(rs) = m.get("responses") {
        match rs.as_map() {
            None if !rs.is_null() => bad(
                rs,
                "responses",
                "a map of status code to response",
                "write `responses: {200: {statusCode: 200, responseTemplates: {...}}, 400: {...}}`",
            ),
            None => {}
            Some(map) => {
                for (code, e) in map.iter() {
                    for (name, help) in [
                        (
                            "responseParameters",
                            "map response parameters to values: `{method.response.header.X-Kind: \"'status'\"}`",
                        ),
                        (
                            "responseTemplates",
                            "map content types to templates: `{application/json: '<VTL>'}`",
                        ),
                    ] {
                        if let Some(v) = e.value.get(name)
                            && v.as_map().is_none()
                        {
                            bad(v, &format!("responses.{code}.{name}"), "a map", help);
                        }
                    }
                }
            }
        }
    }
    ok
}
