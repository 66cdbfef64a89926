'use strict';

// The plugin against a stand-in for the framework: schema, hooks, the request it sends,
// how answers and diagnostics come back.

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { testBinary, scratch, fakeBinary, PKG_VERSION } = require('./helpers');
const Slsx = require('../slsx');

class FakeServerlessError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function fakeServerless(input = {}, template = null) {
  const configurationInput = {
    service: 'demo',
    provider: { name: 'aws', stage: 'dev' },
    plugins: ['slsx'],
    stepFunctions: { stateMachines: { m: { definition: {} } } },
    ...input,
  };
  const provider = configurationInput.provider;
  provider.compiledCloudFormationTemplate = template || {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: { B: { Type: 'AWS::SNS::Topic' }, A: { Type: 'AWS::SQS::Queue' } },
    Outputs: {},
  };
  const defined = {};
  const warnings = [];
  const sls = {
    configurationInput,
    configurationFilename: 'serverless.yml',
    serviceDir: '/tmp/svc',
    instanceId: '1700000000000',
    service: { service: 'demo', provider, functions: { hello: { handler: 'h.main', name: 'demo-dev-hello', events: [] } } },
    classes: { Error: FakeServerlessError },
    pluginManager: { cliOptions: {} },
    configSchemaHandler: {
      defineTopLevelProperty(name, schema) {
        defined[name] = schema;
      },
    },
    getProvider: () => ({ getStage: () => 'dev', getRegion: () => 'us-east-1' }),
  };
  const plugin = new Slsx(sls, {}, { log: { warning: (m) => warnings.push(m), debug() {} } });
  return { sls, plugin, defined, warnings };
}

function answer(body, status = 0) {
  return { status, signal: null, stdout: JSON.stringify({ slsx: PKG_VERSION, ...body }), stderr: '' };
}

test('defines the stepFunctions schema with the original plugin\'s shape', () => {
  const { defined } = fakeServerless();
  assert.deepStrictEqual(defined.stepFunctions, {
    type: 'object',
    properties: {
      stateMachines: { type: 'object' },
      validate: { type: 'boolean' },
      noOutput: { type: 'boolean' },
      activities: { type: 'array' },
    },
    required: ['stateMachines'],
  });
});

test('uses the hooks of serverless-step-functions', () => {
  const { plugin } = fakeServerless();
  assert.deepStrictEqual(Object.keys(plugin.hooks), [
    'package:initialize',
    'package:compileFunctions',
    'package:compileEvents',
  ]);
});

test('refuses to run next to serverless-step-functions', () => {
  assert.throws(
    () => fakeServerless({ plugins: ['serverless-step-functions', 'slsx'] }),
    (e) => e instanceof FakeServerlessError && e.code === 'SLSX_PLUGIN_CONFLICT',
  );
  assert.throws(
    () => fakeServerless({ plugins: { modules: ['slsx', 'serverless-step-functions'] } }),
    /remove "serverless-step-functions"/,
  );
});

test('package:initialize leaves what yamlParse leaves', () => {
  const { sls, plugin } = fakeServerless({ stepFunctions: { stateMachines: null, validate: true } });
  plugin.hooks['package:initialize']();
  assert.deepStrictEqual(sls.service.stepFunctions, {
    validate: true,
    noOutput: undefined,
    stateMachines: {},
    activities: [],
  });
  assert.deepStrictEqual(sls.pluginManager.cliOptions, { stage: 'dev', region: 'us-east-1' });
});

test('the request: contract version, resolved config without the templates, functions', () => {
  const { plugin, sls } = fakeServerless();
  const req = plugin.request('functions');
  assert.strictEqual(req.version, 1);
  assert.strictEqual(req.phase, 'functions');
  assert.strictEqual(req.stage, 'dev');
  assert.strictEqual(req.region, 'us-east-1');
  assert.strictEqual(req.instanceId, '1700000000000');
  assert.strictEqual(req.configPath, path.resolve('/tmp/svc/serverless.yml'));
  assert.strictEqual(req.config.provider.compiledCloudFormationTemplate, undefined);
  assert.strictEqual(req.config.functions, undefined, 'functions are sent once');
  assert.strictEqual(req.template, sls.service.provider.compiledCloudFormationTemplate);
  assert.strictEqual(req.functions.hello.name, 'demo-dev-hello');
  // the framework's own objects are not changed by building the request
  assert.ok(sls.configurationInput.provider.compiledCloudFormationTemplate);
});

test('without stepFunctions the binary is not started', () => {
  const { plugin } = fakeServerless({ stepFunctions: undefined });
  plugin.spawn = () => assert.fail('spawned');
  plugin.compile('functions');
  plugin.compile('events');
});

test('the answer replaces Resources in its order and keeps unchanged objects', () => {
  const { plugin, sls } = fakeServerless();
  const tpl = sls.service.provider.compiledCloudFormationTemplate;
  const resources = tpl.Resources;
  const b = resources.B;
  plugin.handle('functions', 'slsx', answer({
    version: 1,
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: { B: { Type: 'AWS::SNS::Topic' }, A: { Type: 'AWS::SQS::Queue', Properties: { X: 1 } }, C: { Type: 'T' } },
      Outputs: { COut: { Value: 1 } },
    },
    diagnostics: [],
  }));
  assert.strictEqual(sls.service.provider.compiledCloudFormationTemplate, tpl);
  assert.strictEqual(tpl.Resources, resources, 'same Resources object');
  assert.strictEqual(tpl.Resources.B, b, 'unchanged resource kept');
  assert.deepStrictEqual(Object.keys(tpl.Resources), ['B', 'A', 'C']);
  assert.deepStrictEqual(tpl.Resources.A.Properties, { X: 1 });
  assert.deepStrictEqual(tpl.Outputs, { COut: { Value: 1 } });
});

test('warnings are logged, errors become a ServerlessError with the rendered text', () => {
  const { plugin, warnings } = fakeServerless();
  const diag = (severity, n) => ({ severity, code: `slsx::x::${n}`, message: n, rendered: `  × ${n} at serverless.yml:3:5\n` });
  assert.throws(
    () => plugin.handle('events', 'slsx', answer({ version: 1, template: null, diagnostics: [diag('error', 'e1'), diag('error', 'e2'), diag('warning', 'w1')] }, 1)),
    (e) =>
      e instanceof FakeServerlessError &&
      e.message.includes('× e1 at serverless.yml:3:5') &&
      e.message.includes('× e2') &&
      e.message.endsWith('slsx: 2 errors in the events phase'),
  );
  assert.deepStrictEqual(warnings, ['  × w1 at serverless.yml:3:5']);
});

test('a crash of the binary is reported as a bug with its stderr', () => {
  const { plugin } = fakeServerless();
  assert.throws(
    () => plugin.handle('functions', 'slsx', { status: 101, signal: null, stdout: '', stderr: 'slsx: internal error at x.rs:1\n' }),
    (e) => /internal error \(a bug in slsx\)/.test(e.message) && /x\.rs:1/.test(e.message),
  );
  assert.throws(
    () => plugin.handle('functions', 'slsx', { status: null, signal: 'SIGKILL', stdout: '', stderr: '' }),
    /killed by SIGKILL/,
  );
  assert.throws(
    () => plugin.handle('functions', 'slsx', { error: new Error('spawn EACCES') }),
    /cannot run "slsx": spawn EACCES/,
  );
});

test('an answer from a binary of another version is refused', () => {
  const { plugin } = fakeServerless();
  assert.throws(
    () => plugin.handle('functions', '/x/slsx', answer({ slsx: '0.0.1', template: {}, diagnostics: [] })),
    (e) => /version mismatch: the slsx binary at "\/x\/slsx" is 0\.0\.1/.test(e.message),
  );
});

test('a binary without `compile` is explained by its version', () => {
  const dir = scratch('old-binary');
  const old = fakeBinary(dir, { version: '0.0.1', body: 'echo "unrecognized subcommand" >&2; exit 2' });
  const { plugin } = fakeServerless();
  plugin.bin = old;
  plugin.serverless.serviceDir = dir;
  assert.throws(() => plugin.compile('functions'), /version mismatch: .* is 0\.0\.1/);
});

test('colour follows NO_COLOR / FORCE_COLOR / the terminal', () => {
  assert.strictEqual(Slsx.colorFlag({}, true), 'always');
  assert.strictEqual(Slsx.colorFlag({}, false), 'never');
  assert.strictEqual(Slsx.colorFlag({ NO_COLOR: '1' }, true), 'never');
  assert.strictEqual(Slsx.colorFlag({ FORCE_COLOR: '1' }, false), 'always');
  assert.strictEqual(Slsx.colorFlag({ FORCE_COLOR: '0' }, true), 'never');
});

test('a round trip through the real binary keeps the template and its order', () => {
  const prev = process.env.SLSX_BINARY;
  process.env.SLSX_BINARY = testBinary();
  try {
    const { plugin, sls } = fakeServerless({ stepFunctions: { stateMachines: {} } });
    sls.serviceDir = scratch('roundtrip');
    const before = JSON.stringify(sls.service.provider.compiledCloudFormationTemplate);
    plugin.compile('functions');
    plugin.compile('events');
    assert.strictEqual(JSON.stringify(sls.service.provider.compiledCloudFormationTemplate), before);
  } finally {
    if (prev === undefined) delete process.env.SLSX_BINARY;
    else process.env.SLSX_BINARY = prev;
  }
});
