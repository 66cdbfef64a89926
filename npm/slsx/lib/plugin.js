'use strict';

// The Serverless Framework v3 plugin: a drop-in replacement for serverless-step-functions
// (`plugins: [slsx]` in its place). It uses the same hooks, so resources land in the same
// order, and in each hook hands the work to the native binary:
//
//   package:initialize       the same side effects as serverless-step-functions' yamlParse
//   package:compileFunctions `slsx compile --phase functions` (roles, state machines,
//                            activities, alarms, notifications)
//   package:compileEvents    `slsx compile --phase events` (schedule, http, cloudwatchEvent /
//                            eventBridge)
//
// The request and the answer are JSON (see CONTRACT.md). The configuration sent is the one
// the framework has already resolved and validated; slsx never resolves variables again.

const path = require('path');
const { spawnSync } = require('child_process');
const { isDeepStrictEqual } = require('util');
const binary = require('./binary');
const schema = require('./schema');

const CONTRACT = 1;
const MAX_OUTPUT = 1024 * 1024 * 1024;

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pluginList(plugins) {
  if (Array.isArray(plugins)) return plugins;
  if (isPlainObject(plugins) && Array.isArray(plugins.modules)) return plugins.modules;
  return [];
}

/**
 * Makes `target` hold exactly `next`'s keys, in `next`'s order, keeping `target` itself and
 * every member that did not change (so references other plugins hold stay valid). One level
 * deeper for objects (Resources, Outputs, ...).
 */
function replaceInOrder(target, next, depth = 1) {
  const old = { ...target };
  for (const k of Object.keys(target)) delete target[k];
  for (const [k, v] of Object.entries(next)) {
    const before = old[k];
    if (depth > 0 && isPlainObject(before) && isPlainObject(v)) {
      replaceInOrder(before, v, depth - 1);
      target[k] = before;
    } else {
      target[k] = k in old && isDeepStrictEqual(before, v) ? before : v;
    }
  }
  return target;
}

/** The configuration as sent: `configurationInput` without the templates the framework
 * keeps under `provider` (they are sent once, as `template`) and without `functions` (sent
 * once, as the request's `functions`). */
function configForRequest(input) {
  const { functions, ...config } = input;
  if (isPlainObject(input.provider)) {
    const { compiledCloudFormationTemplate, coreCloudFormationTemplate, ...provider } =
      input.provider;
    config.provider = provider;
  }
  return config;
}

function regionAtLoad(serverless) {
  try {
    const region = serverless.getProvider('aws').getRegion();
    return region == null ? null : String(region);
  } catch (e) {
    return null;
  }
}

function colorFlag(env, stderrIsTTY) {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0' && !env.NO_COLOR) return 'always';
  if (env.NO_COLOR) return 'never';
  if (env.FORCE_COLOR === '0') return 'never';
  return stderrIsTTY ? 'always' : 'never';
}

class Slsx {
  constructor(serverless, options, v3Api) {
    this.serverless = serverless;
    this.options = options || {};
    const log = (v3Api && v3Api.log) || {};
    const fallback = (msg) =>
      serverless.cli && typeof serverless.cli.log === 'function'
        ? serverless.cli.log(msg)
        : process.stderr.write(`${msg}\n`);
    this.log = {
      warning: typeof log.warning === 'function' ? log.warning.bind(log) : fallback,
      debug: typeof log.debug === 'function' ? log.debug.bind(log) : () => {},
    };
    this.spawn = spawnSync;
    // serverless-step-functions reads the region once, here (before `${param:}` and the AWS
    // sources are resolved), and writes it into the alarms' descriptions as it was then.
    this.pluginRegion = regionAtLoad(serverless);

    const input = serverless.configurationInput || {};
    if (pluginList(input.plugins).includes('serverless-step-functions')) {
      throw new serverless.classes.Error(
        '`plugins` lists both "serverless-step-functions" and "slsx". slsx replaces ' +
          'serverless-step-functions (same configuration, same template): remove ' +
          '"serverless-step-functions" from `plugins`.',
        'SLSX_PLUGIN_CONFLICT',
      );
    }
    if (serverless.configSchemaHandler) {
      serverless.configSchemaHandler.defineTopLevelProperty('stepFunctions', schema);
    }

    this.hooks = {
      'package:initialize': () => this.initialize(),
      'package:compileFunctions': () => this.compile('functions'),
      'package:compileEvents': () => this.compile('events'),
    };
  }

  // What serverless-step-functions' yamlParse leaves behind for other plugins:
  // `service.stepFunctions` and the stage/region CLI options defaulted.
  initialize() {
    const sls = this.serverless;
    const sf = (sls.configurationInput || {}).stepFunctions;
    sls.service.stepFunctions = {
      validate: sf ? sf.validate : false,
      noOutput: sf ? sf.noOutput : false,
      stateMachines: sf && sf.stateMachines ? sf.stateMachines : {},
      activities: sf && sf.activities ? sf.activities : [],
    };
    const cli = sls.pluginManager && sls.pluginManager.cliOptions;
    if (cli) {
      const provider = sls.service.provider || {};
      if (!cli.stage) cli.stage = this.options.stage || provider.stage || 'dev';
      if (!cli.region) cli.region = this.options.region || provider.region || 'us-east-1';
    }
  }

  request(phase) {
    const sls = this.serverless;
    const provider = sls.getProvider('aws');
    const configPath = sls.configurationFilename
      ? path.resolve(sls.serviceDir || process.cwd(), sls.configurationFilename)
      : null;
    return {
      version: CONTRACT,
      phase,
      service: sls.service.service,
      stage: provider.getStage(),
      region: provider.getRegion(),
      pluginRegion: this.pluginRegion,
      instanceId: sls.instanceId == null ? null : String(sls.instanceId),
      config: configForRequest(sls.configurationInput),
      functions: sls.service.functions || {},
      template: sls.service.provider.compiledCloudFormationTemplate,
      configPath,
    };
  }

  fail(message) {
    return new this.serverless.classes.Error(message, 'SLSX_ERROR');
  }

  compile(phase) {
    const sls = this.serverless;
    const input = sls.configurationInput;
    // serverless-step-functions compiles nothing without `stepFunctions`: no need to start
    // the binary.
    if (!input || !input.stepFunctions) return;

    // No separate `--version` run: the answer carries the binary's version (checked in
    // handle()), which saves a process start per hook.
    let bin;
    try {
      bin = this.bin || (this.bin = binary.resolveBinary());
    } catch (e) {
      if (e instanceof binary.SlsxBinaryError) throw this.fail(`slsx: ${e.message}`);
      throw e;
    }
    let body;
    try {
      body = JSON.stringify(this.request(phase));
    } catch (e) {
      throw this.fail(`slsx: cannot serialise the configuration for the ${phase} phase: ${e.message}`);
    }
    const t0 = process.hrtime.bigint();
    const args = ['compile', '--resolved-input', '-', '--phase', phase, '--color',
      colorFlag(process.env, Boolean(process.stderr.isTTY))];
    const env = { ...process.env };
    if (!env.COLUMNS && process.stdout.columns) env.COLUMNS = String(process.stdout.columns);
    const r = this.spawn(bin, args, {
      input: body,
      cwd: sls.serviceDir || process.cwd(),
      env,
      encoding: 'utf8',
      maxBuffer: MAX_OUTPUT,
      shell: false,
      windowsHide: true,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    this.log.debug(`[slsx] ${phase} phase: ${ms.toFixed(1)} ms`);
    this.handle(phase, bin, r);
  }

  handle(phase, bin, r) {
    // EPIPE with an exit status: the binary ended without reading all of its input (an old
    // binary rejecting `compile`, say); its exit status and stderr tell what happened.
    const exitedEarly = r.error && r.error.code === 'EPIPE' && typeof r.status === 'number';
    if (r.error && !exitedEarly) {
      throw this.fail(`slsx: cannot run "${bin}": ${r.error.message}`);
    }
    const stderr = String(r.stderr || '').trim();
    if (r.signal) {
      throw this.fail(`slsx: the binary was killed by ${r.signal} in the ${phase} phase.${stderr ? `\n${stderr}` : ''}`);
    }
    let answer = null;
    try {
      answer = JSON.parse(r.stdout);
    } catch {
      answer = null;
    }
    const checkVersion = process.env.SLSX_SKIP_VERSION_CHECK !== '1';
    if (!isPlainObject(answer) || ![0, 1, 2].includes(r.status)) {
      // An older or foreign binary fails here (no `compile` command): say so clearly.
      if (checkVersion && r.status !== 101) {
        try {
          binary.checkVersion(bin);
        } catch (e) {
          if (e instanceof binary.SlsxBinaryError) throw this.fail(`slsx: ${e.message}`);
          throw e;
        }
      }
      const what = r.status === 101 ? 'an internal error (a bug in slsx)' : `exit status ${r.status}`;
      throw this.fail(`slsx: the ${phase} phase ended with ${what}.${stderr ? `\n${stderr}` : ''}`);
    }
    if (checkVersion && answer.slsx !== binary.PACKAGE_VERSION) {
      throw this.fail(`slsx: ${binary.versionMismatch(bin, answer.slsx).message}`);
    }
    const diagnostics = Array.isArray(answer.diagnostics) ? answer.diagnostics : [];
    const text = (d) => String(d.rendered || `${d.code}: ${d.message}`).replace(/\s+$/, '');
    for (const d of diagnostics) {
      if (d.severity !== 'error') this.log.warning(text(d));
    }
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || r.status !== 0) {
      const n = errors.length;
      const summary = `slsx: ${n} error${n === 1 ? '' : 's'} in the ${phase} phase`;
      throw this.fail([...errors.map(text), summary].join('\n\n'));
    }
    if (!isPlainObject(answer.template)) {
      throw this.fail(`slsx: the ${phase} phase answered without a template`);
    }
    replaceInOrder(this.serverless.service.provider.compiledCloudFormationTemplate, answer.template);
  }
}

module.exports = Slsx;
module.exports.replaceInOrder = replaceInOrder;
module.exports.configForRequest = configForRequest;
module.exports.colorFlag = colorFlag;
module.exports.CONTRACT = CONTRACT;
