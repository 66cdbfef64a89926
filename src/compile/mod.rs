//! From the resolved configuration to the CloudFormation template.
//!
//! The passes run in the order of `sls package`'s lifecycle, because that order is the order
//! of the template's keys and decides which resources already exist when a later pass looks:
//!
//! 1. `package:initialize` — the core template and the deployment bucket ([`core`]);
//! 2. `package:setupProviderConfiguration` — log groups and the Lambda execution role
//!    ([`functions`]);
//! 3. `package:compileLayers` — service layers ([`layers`]);
//!    `package:compileFunctions` — the framework's functions and versions ([`functions`]), then
//!    serverless-step-functions: roles, state machines, activities, alarms, notifications
//!    ([`state_machine`]);
//! 4. `package:compileEvents` — the framework's function events, then the plugin's
//!    state-machine events ([`events`]);
//! 5. `package:finalize` — output exports, the `resources:` merge, extensions, null stripping
//!    ([`resources`]).

pub mod aliases;
pub mod core;
pub mod events;
mod function_order;
pub mod functions;
pub mod images;
pub mod js;
pub mod layers;
pub mod merge;
pub mod naming;
pub mod resources;
pub mod state_machine;
mod template;

pub use template::{HOT_MAX, Section, Template, codec, set_hot_limit};

use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::Node;

declare_codes! { COMPILE_CODES;
    UNSUPPORTED = "slsx::compile::unsupported", "A feature of the framework that slsx does not compile (the template would be incomplete).";
    PLUGIN_NOT_LOADED = "slsx::compile::plugin-not-loaded", "`stepFunctions` is present but `plugins` lists neither serverless-step-functions nor slsx, so the framework ignores it.";
}

/// Every code of the compile stage, all passes included.
pub fn codes() -> Vec<&'static crate::diagnostics::Code> {
    let lists: &[&[&'static crate::diagnostics::Code]] = &[
        COMPILE_CODES,
        resources::CODES,
        layers::CODES,
        images::CODES,
    ];
    let mut all: Vec<&'static crate::diagnostics::Code> =
        lists.iter().flat_map(|l| l.iter().copied()).collect();
    all.extend(functions::codes());
    all.extend(state_machine::codes());
    all.extend(events::codes());
    all
}

/// What every pass reads.
pub struct Ctx<'a> {
    /// The resolved, normalised configuration (root object).
    pub config: &'a Node,
    /// `service`
    pub service: String,
    /// `--stage`, else `provider.stage`, else `dev`.
    pub stage: String,
    /// `--region`, else `provider.region`, else `us-east-1`.
    pub region: String,
    /// The region serverless-step-functions read when it was loaded: `region`, unless
    /// `provider.region` still held a variable then (`${param:…}`, an AWS source), which it
    /// then writes as text (see [`crate::vars::Resolution`]). Only the alarms use it.
    pub plugin_region: String,
    /// Stand-in for the framework's per-run instance id (13 decimal digits).
    pub instance_id: String,
    pub options: &'a crate::Options,
    /// Lambda logical ID → the first and last function key with that ID, built on first use
    /// by [`Ctx::function_by_lambda_id`] (a scan per lookup was quadratic in big services).
    /// Construct with `Default::default()`.
    pub lambda_ids: std::cell::OnceCell<std::collections::HashMap<String, (String, String)>>,
}

impl<'a> Ctx<'a> {
    /// The key of the function whose Lambda logical ID (`<Name>LambdaFunction`) is `id`: the
    /// first such function in `functions` order, or the last with `last`.
    pub fn function_by_lambda_id(&self, id: &str, last: bool) -> Option<&str> {
        let ids = self.lambda_ids.get_or_init(|| {
            let mut m = std::collections::HashMap::new();
            for (k, _) in self.functions() {
                m.entry(naming::lambda_logical_id(k))
                    .and_modify(|e: &mut (String, String)| e.1 = k.to_string())
                    .or_insert_with(|| (k.to_string(), k.to_string()));
            }
            m
        });
        ids.get(id)
            .map(|(first, l)| if last { l.as_str() } else { first.as_str() })
    }

    pub fn provider(&self) -> Option<&'a Node> {
        self.config.get("provider")
    }

    /// `provider.<path>`
    pub fn provider_at(&self, path: &[&str]) -> Option<&'a Node> {
        self.provider().and_then(|p| p.at(path))
    }

    /// The functions, in `functions` order (null entries skipped).
    pub fn functions(&self) -> Vec<(&'a str, &'a Node)> {
        match self.config.get("functions").and_then(Node::as_map) {
            Some(m) => m
                .iter()
                .filter(|(_, e)| !e.value.is_null())
                .map(|(k, e)| (k.as_str(), &e.value))
                .collect(),
            None => Vec::new(),
        }
    }

    pub fn function(&self, key: &str) -> Option<&'a Node> {
        self.config
            .get("functions")
            .and_then(|f| f.get(key))
            .filter(|n| !n.is_null())
    }

    /// The deployed name: `functions.<key>.name`, else `<service>-<stage>-<key>`.
    pub fn function_name(&self, key: &str) -> String {
        match self.function(key).and_then(|f| f.get("name")) {
            Some(n) if n.as_str().is_some() => n.as_str().unwrap_or_default().to_string(),
            Some(n) if !n.is_null() => crate::yaml::js_to_string(n),
            _ => format!("{}-{}-{}", self.service, self.stage, key),
        }
    }

    /// Whether serverless-step-functions (or slsx in its place) compiles `stepFunctions`.
    pub fn step_functions_enabled(&self) -> bool {
        step_functions_enabled(self.config)
    }
}

/// Whether serverless-step-functions (or slsx in its place) compiles `stepFunctions`: when
/// `plugins` lists either, or when there is no `plugins` key at all (slsx used on its own).
pub fn step_functions_enabled(config: &Node) -> bool {
    let plugins = match config.get("plugins") {
        None => return true,
        Some(p) => p,
    };
    let list: Vec<&Node> = match (plugins.as_seq(), plugins.get("modules")) {
        (Some(v), _) => v.iter().collect(),
        (None, Some(m)) => m.as_seq().map(|v| v.iter().collect()).unwrap_or_default(),
        _ => Vec::new(),
    };
    list.iter()
        .any(|p| matches!(p.as_str(), Some("serverless-step-functions") | Some("slsx")))
}

/// Runs every pass in lifecycle order.
pub fn compile(ctx: &Ctx, diags: &mut Diags) -> Template {
    let mut t = Template::new();
    core::initialize(ctx, &mut t, diags);
    functions::setup_provider_configuration(ctx, &mut t, diags);
    layers::compile_layers(ctx, &mut t, diags);
    functions::compile_functions(ctx, &mut t, diags);
    let sfn = ctx.config.get("stepFunctions");
    let sfn_on = sfn.is_some() && ctx.step_functions_enabled();
    if let Some(sf) = sfn
        && !sfn_on
    {
        let span = ctx
            .config
            .as_map()
            .and_then(|m| m.key_span("stepFunctions"))
            .unwrap_or(sf.span);
        let plugins_span = ctx
            .config
            .get("plugins")
            .map(|p| p.span)
            .unwrap_or(Span::NONE);
        diags.push(
            Diag::warning(
                &PLUGIN_NOT_LOADED,
                "`stepFunctions` is ignored: `plugins` does not list serverless-step-functions (or slsx)",
            )
            .label(span, "no state machine, activity or state-machine event is compiled from this")
            .secondary(plugins_span, "the plugins the framework loads")
            .help("add `serverless-step-functions` (or `slsx`) to `plugins`, as the framework needs it"),
        );
    }
    if sfn_on {
        state_machine::compile_functions_hook(ctx, &mut t, diags);
    }
    events::compile_function_events(ctx, &mut t, diags);
    if sfn_on {
        events::compile_state_machine_events(ctx, &mut t, diags);
    }
    resources::finalize(ctx, &mut t, diags);
    t
}
