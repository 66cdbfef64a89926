//! `provider.httpApi` (and `provider.logs.httpApi`), read the way the framework's
//! `resolveConfiguration` reads them, with its checks. These settings shape the pieces every
//! httpApi route shares (the API, its stage, the authorizers), so slsx writes them exactly as
//! the framework does for function httpApi events (pinned by `fixtures/httpapi-fn-*`).

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::codes;
use crate::compile::events::{a_kind, check_keys, key_span};
use crate::compile::{Ctx, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

/// The framework's default CORS headers (`Access-Control-Allow-Headers`), the same for its
/// HTTP and REST APIs.
pub const DEFAULT_CORS_HEADERS: [&str; 7] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
];

/// The framework's default access log format (`JSON.stringify` of its object).
const DEFAULT_ACCESS_LOG_FORMAT: &str = "{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\",\"requestTime\":\"$context.requestTime\",\"httpMethod\":\"$context.httpMethod\",\"routeKey\":\"$context.routeKey\",\"status\":\"$context.status\",\"protocol\":\"$context.protocol\",\"responseLength\":\"$context.responseLength\"}";

/// The options of `provider.httpApi` (the framework's schema).
const OPTIONS: [&str; 9] = [
    "authorizers",
    "cors",
    "id",
    "name",
    "payload",
    "metrics",
    "useProviderTags",
    "disableDefaultEndpoint",
    "shouldStartNameWithService",
];

/// The HTTP methods, in the framework's set order (`ANY` first).
pub const METHODS: [&str; 8] = [
    "ANY", "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE",
];

/// `provider.httpApi.cors`, resolved.
pub struct Cors {
    /// `true` only when the user's `allowCredentials` is truthy.
    pub allow_credentials: bool,
    pub headers: Vec<Value>,
    /// Filled from the routes when `fill_methods` (then it starts with `OPTIONS`).
    pub methods: Vec<Value>,
    pub origins: Vec<Value>,
    pub exposed: Option<Vec<Value>>,
    pub max_age: Option<Value>,
    pub fill_methods: bool,
}

impl Cors {
    /// Adds a route's method to a filled method list (`ANY` adds every method).
    pub fn add_route_method(&mut self, method: &str) {
        if !self.fill_methods {
            return;
        }
        if method == "ANY" {
            for m in METHODS.iter().filter(|m| **m != "ANY") {
                add_unique(&mut self.methods, json!(m));
            }
        } else {
            add_unique(&mut self.methods, json!(method));
        }
    }

    /// `CorsConfiguration` of the API (unset settings left out).
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        if self.allow_credentials {
            m.insert("AllowCredentials".into(), Value::Bool(true));
        }
        m.insert("AllowHeaders".into(), Value::Array(self.headers.clone()));
        m.insert("AllowMethods".into(), Value::Array(self.methods.clone()));
        m.insert("AllowOrigins".into(), Value::Array(self.origins.clone()));
        if let Some(e) = &self.exposed {
            m.insert("ExposeHeaders".into(), Value::Array(e.clone()));
        }
        if let Some(a) = &self.max_age {
            m.insert("MaxAge".into(), a.clone());
        }
        Value::Object(m)
    }
}

/// What an authorizer of `provider.httpApi.authorizers` is.
pub enum AuthorizerKind {
    Jwt {
        issuer: Value,
        audience: Vec<Value>,
    },
    Request {
        /// The Lambda: `functionArn` as written, or `Fn::GetAtt` of `functionName`'s function
        /// (joined with its alias name when it has one).
        function: Value,
        /// `false` with `managedExternally`.
        permission: bool,
        ttl: Option<Value>,
        simple_responses: Option<Value>,
        payload_version: Value,
    },
}

/// One authorizer of `provider.httpApi.authorizers`.
pub struct Authorizer {
    /// `name`, else the key: the authorizer's `Name` and the base of its logical ID.
    pub name: String,
    pub identity_source: Value,
    /// The alias of a `type: request` authorizer's `functionName` function, which the
    /// authorizer and its permission depend on.
    pub alias: Option<String>,
    pub kind: AuthorizerKind,
}

impl Authorizer {
    pub fn logical_id(&self) -> String {
        naming::http_api_authorizer_logical_id(&self.name)
    }

    /// The route's `AuthorizationType` for this authorizer.
    pub fn authorization_type(&self) -> &'static str {
        match self.kind {
            AuthorizerKind::Jwt { .. } => "JWT",
            AuthorizerKind::Request { .. } => "CUSTOM",
        }
    }
}

/// `provider.httpApi`, resolved.
pub struct Settings<'a> {
    /// `provider.httpApi.id`: an API of another stack (then no API, stage or outputs).
    pub id: Option<&'a Node>,
    pub name: String,
    /// `metrics || false`
    pub metrics: Value,
    pub disable_default_endpoint: Option<Value>,
    pub tags: Option<Value>,
    pub cors: Option<Cors>,
    /// By their key under `provider.httpApi.authorizers`.
    pub authorizers: IndexMap<String, Authorizer>,
    pub access_log_format: Option<Value>,
    pub log_retention: Option<Value>,
    pub log_data_protection: Option<Value>,
    pub stack_name: String,
}

impl Settings<'_> {
    /// `ApiId` of every API piece: the external id, else `{Ref: HttpApi}`.
    pub fn api_id(&self) -> Value {
        match self.id {
            Some(id) => id.to_json(),
            None => json!({"Ref": naming::HTTP_API}),
        }
    }
}

fn add_unique(list: &mut Vec<Value>, v: Value) {
    // a JavaScript Set: scalars are unique by value, objects by identity (never equal)
    if v.is_object() || v.is_array() || !list.contains(&v) {
        list.push(v);
    }
}

/// `toSet(item)`: an array's items, else the item alone, without repeated scalars.
fn to_set(n: &Node) -> Vec<Value> {
    let mut out = Vec::new();
    match n.as_seq() {
        Some(items) => {
            for i in items {
                add_unique(&mut out, i.to_json());
            }
        }
        None => out.push(n.to_json()),
    }
    out
}

/// Reads `provider.httpApi` and reports what the framework rejects (it does so whether or not
/// any route exists) and, when `routes` (the API is written), what it would write broken.
pub fn read<'a>(ctx: &Ctx<'a>, routes: bool, diags: &mut Diags) -> Settings<'a> {
    let user = ctx.provider_at(&["httpApi"]).filter(|n| !n.is_null());
    let at = |k: &str| user.and_then(|u| u.get(k));
    if let Some(u) = user {
        // (without routes the framework ignores a value of another type)
        if u.as_map().is_none() && routes {
            diags.push(
                Diag::error(
                    &codes::INVALID_SETTING,
                    format!("`provider.httpApi` must be a mapping (found {})", a_kind(u)),
                )
                .label(u.span, "not a mapping")
                .help("write `httpApi:` with settings under it, e.g. `cors: true`"),
            );
        }
        check_keys(
            diags,
            u,
            &OPTIONS,
            "`provider.httpApi`",
            "the framework ignores it",
        );
    }
    let id = at("id").filter(|n| n.is_truthy());
    let external = |what: &str, node: &Node, key: &str, diags: &mut Diags| {
        let span = user.map(|u| key_span(u, key)).unwrap_or(node.span);
        let mut d = Diag::error(
            &codes::EXTERNAL_API,
            format!(
                "cannot set up {what} for an HTTP API of another stack (`provider.httpApi.id`)"
            ),
        )
        .label(span, format!("{what} here"));
        if let Some(i) = id {
            d = d.secondary(i.span, "the API is imported here");
        }
        diags.push(d.help(format!(
            "configure {what} in the stack that owns the API, or remove `provider.httpApi.id` to let this service create its own"
        )));
    };

    // CORS
    let cors = match at("cors").filter(|c| c.is_truthy()) {
        None => None,
        Some(c) => {
            if id.is_some() {
                external("CORS", c, "cors", diags);
            }
            Some(read_cors(c))
        }
    };

    // authorizers
    let mut authorizers = IndexMap::new();
    if let Some(a) = at("authorizers").filter(|a| a.is_truthy()) {
        if id.is_some() {
            let span = user.map(|u| key_span(u, "authorizers")).unwrap_or(a.span);
            let mut d = Diag::error(
                &codes::EXTERNAL_API,
                "cannot set up authorizers for an HTTP API of another stack (`provider.httpApi.id`)",
            )
            .label(span, "authorizers here");
            if let Some(i) = id {
                d = d.secondary(i.span, "the API is imported here");
            }
            diags.push(d.help(
                "define the authorizers in the stack that owns the API and refer to them by `authorizer: {id: …}` on the event",
            ));
        }
        match a.as_map() {
            None if !routes => {}
            None => diags.push(
                Diag::error(
                    &codes::INVALID_SETTING,
                    format!(
                        "`provider.httpApi.authorizers` must be a mapping of names to authorizers (found {})",
                        a_kind(a)
                    ),
                )
                .label(a.span, "not a mapping")
                .help("write `authorizers: {myAuth: {identitySource: …, issuerUrl: …, audience: …}}`"),
            ),
            Some(m) => {
                for (key, e) in m.iter() {
                    if let Some(auth) = read_authorizer(ctx, key, e.key_span, &e.value, routes, diags)
                    {
                        authorizers.insert(key.to_string(), auth);
                    }
                }
            }
        }
    }

    // access logs
    let logs = ctx
        .provider_at(&["logs", "httpApi"])
        .filter(|n| n.is_truthy());
    let access_log_format = logs.map(|l| {
        if id.is_some() {
            let logs_node = ctx.provider_at(&["logs"]);
            let span = logs_node.map(|n| key_span(n, "httpApi")).unwrap_or(l.span);
            let mut d = Diag::error(
                &codes::EXTERNAL_API,
                "cannot set up access logs for an HTTP API of another stack (`provider.httpApi.id`)",
            )
            .label(span, "access logs here");
            if let Some(i) = id {
                d = d.secondary(i.span, "the API is imported here");
            }
            diags.push(d.help("configure the access logs in the stack that owns the API"));
        }
        match l.get("format").filter(|f| f.is_truthy()) {
            Some(f) => f.to_json(),
            None => json!(DEFAULT_ACCESS_LOG_FORMAT),
        }
    });

    let name = naming::http_api_name(
        at("name")
            .filter(|n| n.is_truthy())
            .map(js_to_string)
            .as_deref(),
        at("shouldStartNameWithService").is_some_and(Node::is_truthy),
        &ctx.service,
        &ctx.stage,
    );
    let provider_truthy = |k: &str| ctx.provider_at(&[k]).filter(|n| n.is_truthy());
    let stack = ctx.provider_at(&["stackName"]).and_then(Node::as_str);
    Settings {
        id,
        name,
        metrics: at("metrics")
            .filter(|m| m.is_truthy())
            .map(Node::to_json)
            .unwrap_or(Value::Bool(false)),
        disable_default_endpoint: at("disableDefaultEndpoint")
            .filter(|n| !n.is_null())
            .map(Node::to_json),
        tags: provider_truthy("tags").map(Node::to_json),
        cors,
        authorizers,
        access_log_format,
        log_retention: provider_truthy("logRetentionInDays").map(Node::to_json),
        log_data_protection: provider_truthy("logDataProtectionPolicy").map(Node::to_json),
        stack_name: naming::stack_name(stack, &ctx.service, &ctx.stage),
    }
}

fn read_cors(c: &Node) -> Cors {
    let defaults = || DEFAULT_CORS_HEADERS.iter().map(|h| json!(h)).collect();
    if c.as_bool() == Some(true) || c.as_map().is_none() {
        return Cors {
            allow_credentials: false,
            headers: defaults(),
            methods: vec![json!("OPTIONS")],
            origins: vec![json!("*")],
            exposed: None,
            max_age: None,
            fill_methods: true,
        };
    }
    let get = |k: &str| c.get(k).filter(|n| n.is_truthy());
    let methods = get("allowedMethods").map(to_set);
    Cors {
        allow_credentials: get("allowCredentials").is_some(),
        headers: get("allowedHeaders").map(to_set).unwrap_or_else(defaults),
        fill_methods: methods.is_none(),
        methods: methods.unwrap_or_else(|| vec![json!("OPTIONS")]),
        origins: get("allowedOrigins")
            .map(to_set)
            .unwrap_or_else(|| vec![json!("*")]),
        exposed: get("exposedResponseHeaders").map(to_set),
        max_age: c.get("maxAge").filter(|n| !n.is_null()).map(Node::to_json),
    }
}

const JWT_OPTIONS: [&str; 5] = ["type", "name", "identitySource", "issuerUrl", "audience"];
const REQUEST_OPTIONS: [&str; 9] = [
    "type",
    "name",
    "functionName",
    "functionArn",
    "managedExternally",
    "resultTtlInSeconds",
    "enableSimpleResponses",
    "payloadVersion",
    "identitySource",
];

fn read_authorizer(
    ctx: &Ctx,
    key: &str,
    key_span: Span,
    a: &Node,
    routes: bool,
    diags: &mut Diags,
) -> Option<Authorizer> {
    let Some(m) = a.as_map() else {
        // the framework crashes on `null` (it reads its `type`); it only writes other values
        // (broken) when there are routes
        if !a.is_null() && !routes {
            return None;
        }
        diags.push(
            Diag::error(
                &codes::AUTHORIZER_CONFIG,
                format!("the HTTP API authorizer `{key}` must be a mapping (found {})", a_kind(a)),
            )
            .label(if a.is_null() { key_span } else { a.span }, "not a mapping")
            .help("give a JWT authorizer `identitySource`, `issuerUrl` and `audience`, or a Lambda authorizer `type: request` and `functionName`"),
        );
        return None;
    };
    let get = |k: &str| m.get(k).filter(|n| n.is_truthy());
    let err = |msg: String, span: Span, label: &str, help: &str| {
        Diag::error(&codes::AUTHORIZER_CONFIG, msg)
            .label(span, label.to_string())
            .help(help.to_string())
    };
    let name = get("name")
        .map(js_to_string)
        .unwrap_or_else(|| key.to_string());
    let identity = m.get("identitySource").filter(|n| n.is_truthy());
    let identity_source = match identity {
        Some(n) if n.as_seq().is_some() => n.to_json(),
        Some(n) => Value::Array(vec![n.to_json()]),
        None => Value::Array(Vec::new()),
    };
    let ty = m.get("type");
    let is_request = ty.and_then(Node::as_str) == Some("request");
    if let Some(t) = ty
        && routes
        && !matches!(t.as_str(), Some("request") | Some("jwt"))
    {
        diags.push(err(
            format!(
                "the HTTP API authorizer `{key}` has type `{}`, which is neither `jwt` nor `request`",
                js_to_string(t)
            ),
            t.span,
            "not an authorizer type",
            "write `type: request` for a Lambda authorizer, or `type: jwt` (the default); the framework would make this a JWT authorizer",
        ));
        return None;
    }
    if is_request {
        check_keys(
            diags,
            a,
            &REQUEST_OPTIONS,
            &format!("a Lambda (request) HTTP API authorizer (`{key}`)"),
            "the framework ignores it",
        );
        let arn = get("functionArn");
        let function_name = get("functionName");
        let mut alias = None;
        let function = match (arn, function_name) {
            (None, None) => {
                diags.push(err(
                    format!("the HTTP API authorizer `{key}` names no Lambda function"),
                    key_span,
                    "`type: request` without `functionName` or `functionArn`",
                    "set `functionName: <function of this service>` or `functionArn: <Lambda ARN>`",
                ));
                return None;
            }
            (Some(a), Some(f)) => {
                diags.push(
                    err(
                        format!("the HTTP API authorizer `{key}` sets both `functionArn` and `functionName`"),
                        a.span,
                        "`functionArn` here",
                        "keep one: `functionName` for a function of this service, `functionArn` for any other Lambda",
                    )
                    .secondary(f.span, "`functionName` here"),
                );
                return None;
            }
            (Some(a), None) => a.to_json(),
            (None, Some(f)) => {
                let fname = js_to_string(f);
                if ctx.function(&fname).is_none() {
                    let mut d = err(
                        format!(
                            "function `{fname}` of HTTP API authorizer `{key}` is not defined in this service"
                        ),
                        f.span,
                        "no such function under `functions`",
                        "",
                    );
                    let names: Vec<&str> = ctx.functions().iter().map(|(k, _)| *k).collect();
                    d = match crate::compile::resources::closest(&fname, names.iter().copied()) {
                        Some(s) => d.help(format!("did you mean `{s}`? Or give the Lambda's ARN as `functionArn`")),
                        None => d.help("define the function under `functions`, or give the Lambda's ARN as `functionArn`"),
                    };
                    diags.push(d);
                    return None;
                }
                alias = crate::compile::aliases::alias_logical_id(ctx, &fname);
                crate::compile::aliases::lambda_target(ctx, &fname)
            }
        };
        if let Some(ttl) = get("resultTtlInSeconds")
            && identity.is_none()
        {
            diags.push(err(
                format!("the HTTP API authorizer `{key}` caches results but has no `identitySource`"),
                ttl.span,
                "a non-zero `resultTtlInSeconds` needs an `identitySource`",
                "add `identitySource: [$request.header.Authorization]` (the cache key), or set `resultTtlInSeconds: 0`",
            ));
            return None;
        }
        return Some(Authorizer {
            name,
            identity_source,
            alias,
            kind: AuthorizerKind::Request {
                function,
                permission: get("managedExternally").is_none(),
                ttl: m
                    .get("resultTtlInSeconds")
                    .filter(|n| !n.is_null())
                    .map(Node::to_json),
                simple_responses: m
                    .get("enableSimpleResponses")
                    .filter(|n| !n.is_null())
                    .map(Node::to_json),
                payload_version: get("payloadVersion")
                    .map(Node::to_json)
                    .unwrap_or_else(|| json!("2.0")),
            },
        });
    }

    check_keys(
        diags,
        a,
        &JWT_OPTIONS,
        &format!("a JWT HTTP API authorizer (`{key}`)"),
        "the framework ignores it",
    );
    let missing: Vec<&str> = ["identitySource", "issuerUrl", "audience"]
        .into_iter()
        .filter(|k| get(k).is_none())
        .collect();
    if routes && !missing.is_empty() {
        let list = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        diags.push(err(
            format!("the JWT authorizer `{key}` of the HTTP API lacks {list}"),
            key_span,
            "a JWT authorizer needs `identitySource`, `issuerUrl` and `audience`",
            "the framework would write an authorizer CloudFormation rejects; for a Lambda authorizer set `type: request` and `functionName`",
        ));
        return None;
    }
    Some(Authorizer {
        name,
        identity_source,
        alias: None,
        kind: AuthorizerKind::Jwt {
            issuer: get("issuerUrl").map(Node::to_json).unwrap_or(Value::Null),
            audience: get("audience").map(to_set).unwrap_or_default(),
        },
    })
}

/// `provider.httpApi.payload` other than `1.0`: the format of Lambda integrations only; a Step
/// Functions integration always uses 1.0.
pub fn warn_payload(ctx: &Ctx, diags: &mut Diags) {
    let Some(p) = ctx
        .provider_at(&["httpApi", "payload"])
        .filter(|n| n.is_truthy())
    else {
        return;
    };
    if p.as_str() == Some("1.0") {
        return;
    }
    diags.push(
        Diag::warning(
            &codes::PAYLOAD_IGNORED,
            format!(
                "`provider.httpApi.payload: {}` does not apply to state-machine routes",
                js_to_string(p)
            ),
        )
        .label(p.span, "the payload format of Lambda integrations")
        .help("AWS service integrations (Step Functions) only take payload format 1.0, which slsx writes for every state-machine route; remove the setting if no function route needs it"),
    );
}
