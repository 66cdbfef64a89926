'use strict';

// The real `sls package` (serverless@3.40.0) on every fixture that uses
// serverless-step-functions, with slsx in its place: the template must equal the fixture's
// expected.json (cfn-compare's normalisation, full scope, same Resources/Outputs order).
// One test per fixture; fixtures listed in plugin-pending.txt are strict expected failures.
// A second test per fixture runs the original plugin from npm/node_modules and checks that
// the harness itself reproduces expected.json.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { testBinary } = require('./helpers');
const { FIXTURES, SLS, stepFunctionsFixtures, slsPackage, compare } = require('./sls');

const skip = process.env.SLSX_NPM_TEST_ONLY === 'unit' || !fs.existsSync(SLS)
  ? 'SLSX_NPM_TEST_ONLY=unit or serverless not installed (run npm/test.sh)'
  : false;
const filter = process.env.SLSX_NPM_TEST_FILTER ? new RegExp(process.env.SLSX_NPM_TEST_FILTER) : null;
const pending = new Set(
  fs
    .readFileSync(path.join(__dirname, 'plugin-pending.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);
const fixtures = stepFunctionsFixtures().filter((f) => !filter || filter.test(f));
const results = {};

function expected(name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8'));
}

test('every pending entry is a fixture using serverless-step-functions', { skip }, () => {
  const all = new Set(stepFunctionsFixtures());
  assert.deepStrictEqual([...pending].filter((p) => !all.has(p)), []);
});

for (const name of fixtures) {
  test(`sls package with slsx: ${name}`, { skip }, (t) => {
    const r = slsPackage(name, { plugin: 'slsx', binary: testBinary() });
    const problems = r.template
      ? compare(expected(name), r.template)
      : [`sls package exited ${r.status}:\n${r.log.slice(-3000)}`];
    results[name] = { ok: problems.length === 0, ms: r.ms, problems };
    if (pending.has(name)) {
      if (!problems.length) {
        assert.fail(`${name} matches expected.json now: remove it from npm/test/plugin-pending.txt`);
      }
      t.diagnostic(`pending, still differs (${problems.length}): ${problems.slice(0, 3).join(' | ')}`);
      return;
    }
    assert.deepStrictEqual(problems, [], `${name}: the template differs from expected.json`);
  });
}

for (const name of fixtures) {
  test(`harness check, sls package with serverless-step-functions: ${name}`, { skip }, () => {
    const r = slsPackage(name, { plugin: 'serverless-step-functions' });
    assert.ok(r.template, `sls package exited ${r.status}:\n${r.log.slice(-3000)}`);
    assert.deepStrictEqual(compare(expected(name), r.template), []);
  });
}

test('summary: slsx plugin parity', { skip }, (t) => {
  const names = Object.keys(results);
  const ok = names.filter((n) => results[n].ok);
  t.diagnostic(
    `slsx plugin parity: ${ok.length}/${names.length} fixtures give expected.json` +
      `${ok.length ? ` (${ok.join(', ')})` : ''}`,
  );
});

// Diagnostics through the real framework: a stand-in binary answers with one warning (first
// phase) and one error (second phase); `sls package` must log the warning and fail with the
// rendered error text.
test('slsx diagnostics become framework warnings and errors', { skip }, () => {
  const { scratch, fakeBinary } = require('./helpers');
  const dir = scratch('fake-diags');
  const answer = (phase, severity, rendered) =>
    JSON.stringify({
      version: 1,
      slsx: require('../slsx/package.json').version,
      phase,
      template: null,
      diagnostics: [{ code: 'slsx::test::x', severity, message: 'm', rendered }],
      errors: severity === 'error' ? 1 : 0,
      warnings: severity === 'error' ? 0 : 1,
    });
  // the functions phase answers with the template it was given plus a warning
  const bin = fakeBinary(dir, {
    body: [
      'req=$(cat)',
      'case "$*" in',
      `  *functions*) node -e 'const r=JSON.parse(process.argv[1]);process.stdout.write(JSON.stringify({version:1,slsx:"${require('../slsx/package.json').version}",template:r.template,diagnostics:[{code:"slsx::test::w",severity:"warning",message:"w",rendered:"FAKE WARNING at serverless.yml:3:1"}],errors:0,warnings:1}))' "$req"; exit 0 ;;`,
      `  *) printf '%s' '${answer('events', 'error', 'FAKE ERROR at serverless.yml:9:9')}'; exit 1 ;;`,
      'esac',
    ].join('\n'),
  });
  const r = slsPackage('minimal', { plugin: 'slsx', binary: bin });
  assert.strictEqual(r.status, 1, r.log);
  assert.match(r.log, /Warning: FAKE WARNING at serverless\.yml:3:1/);
  assert.match(r.log, /Error:\nFAKE ERROR at serverless\.yml:9:9\n\nslsx: 1 error in the events phase/);
});
