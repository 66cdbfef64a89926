'use strict';

// The real `sls package` (serverless@3.40.0) on every fixture that uses
// serverless-step-functions, with slsx in its place. One test per fixture:
//
// * a fixture with expected.json: the template must equal it (cfn-compare's normalisation,
//   full scope, same Resources/Outputs order), and every slsx warning shown must be one that
//   `slsx expand` gives for the same service, verbatim (config-level warnings, such as
//   schema ones, come from the framework in plugin mode);
// * an error fixture (expected.stderr): `sls package` must fail, and every slsx error it
//   shows must be one that `slsx expand` gives, verbatim (a run stops at the first phase
//   with errors, so a later phase's errors may be missing); when the framework itself stops
//   before slsx runs (an error slsx expand reports on the framework's behalf), the message
//   must be the one the real tool chain (with serverless-step-functions) stops with.
//
// Fixtures listed in plugin-pending.txt are strict expected failures. A harness check runs the
// original plugin on some fixtures (all with SLSX_NPM_TEST_BASELINE=all) and expects
// expected.json. Runs two `sls package` at a time.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { testBinary, scratch, fakeBinary, PKG_VERSION } = require('./helpers');
const {
  FIXTURES,
  SLS,
  stepFunctionsFixtures,
  slsPackage,
  compare,
  diagnosticBlocks,
  diagnosticsInLog,
} = require('./sls');

const skip =
  process.env.SLSX_NPM_TEST_ONLY === 'unit' || !fs.existsSync(SLS)
    ? 'SLSX_NPM_TEST_ONLY=unit or serverless not installed (run npm/test.sh)'
    : false;
const filter = process.env.SLSX_NPM_TEST_FILTER ? new RegExp(process.env.SLSX_NPM_TEST_FILTER) : null;
const pending = new Set(
  fs
    .readFileSync(path.join(__dirname, 'plugin-pending.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean),
);
const all = stepFunctionsFixtures();
const fixtures = all.filter((f) => !filter || filter.test(f));
const hasJson = (name) => fs.existsSync(path.join(FIXTURES, name, 'expected.json'));
const results = {};
const templates = {};

function expected(name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8'));
}

/** What is wrong with the slsx run of one fixture (empty: it behaves). The diagnostics to
 * expect are those of `slsx expand` on the same copy (which the Rust suite checks against
 * expected.stderr / warnings). */
async function problemsOf(name) {
  const r = await slsPackage(name, { plugin: 'slsx', binary: testBinary() });
  const blocks = diagnosticBlocks(r.standalone.stderr);
  if (hasJson(name)) {
    if (!r.template) return [`sls package exited ${r.status}:\n${r.log.slice(-3000)}`];
    const problems = compare(expected(name), r.template);
    templates[name] = problems.length === 0;
    const w = diagnosticsInLog(r.log, blocks.filter((b) => /\n {2}⚠ /.test(b)));
    if (w.warnings !== w.found.length) {
      problems.push(`${w.warnings} slsx warnings shown, ${w.found.length} of them from slsx expand:\n${r.log.slice(-3000)}`);
    }
    return problems;
  }
  const e = diagnosticsInLog(r.log, blocks.filter((b) => /\n {2}× /.test(b)));
  if (r.status === 0) return ['sls package succeeded; expected.stderr has errors'];
  if (e.errors === 0) {
    // The framework stopped before slsx ran (slsx expand reports the framework's own check):
    // the real tool chain must stop with the same message.
    const real = await slsPackage(name, { plugin: 'serverless-step-functions' });
    const message = (log) => (/\nError:\n(.*)/.exec(log) || [])[1];
    if (real.status !== 0 && message(r.log) && message(r.log) === message(real.log)) return [];
    return [`no error of slsx expand in the log, and not the real tool's error:\n${r.log.slice(-3000)}`];
  }
  if (e.errors !== e.found.length) {
    return [`${e.errors} slsx errors shown, only ${e.found.length} of them from slsx expand:\n${r.log.slice(-3000)}`];
  }
  return [];
}

test('every pending entry is a fixture using serverless-step-functions', { skip }, () => {
  const known = new Set(all);
  assert.deepStrictEqual([...pending].filter((p) => !known.has(p)), []);
});

test('sls package with slsx in place of serverless-step-functions', { skip, concurrency: 2 }, async (t) => {
  const runs = fixtures.map((name) =>
    t.test(name, async (t) => {
      const problems = await problemsOf(name);
      results[name] = problems.length === 0;
      if (pending.has(name)) {
        if (!problems.length) {
          assert.fail(`${name} passes now: remove it from npm/test/plugin-pending.txt`);
        }
        t.diagnostic(`pending, still differs (${problems.length}): ${problems.slice(0, 3).join(' | ')}`);
        return;
      }
      assert.deepStrictEqual(problems, [], name);
    }),
  );
  await Promise.all(runs);
});

const baselineAll = process.env.SLSX_NPM_TEST_BASELINE === 'all';
const baseline = fixtures.filter(
  (f) =>
    hasJson(f) &&
    (baselineAll ||
      ['minimal', 'seed-s3-trigger'].includes(f) ||
      fs.existsSync(path.join(FIXTURES, f, 'args')) ||
      fs.existsSync(path.join(FIXTURES, f, 'env'))),
);

test('harness check: sls package with serverless-step-functions gives expected.json', { skip, concurrency: 2 }, async (t) => {
  const runs = baseline.map((name) =>
    t.test(name, async () => {
      const r = await slsPackage(name, { plugin: 'serverless-step-functions' });
      assert.ok(r.template, `sls package exited ${r.status}:\n${r.log.slice(-3000)}`);
      assert.deepStrictEqual(compare(expected(name), r.template), []);
    }),
  );
  await Promise.all(runs);
});

// Diagnostics through the real framework: a stand-in binary answers with one warning (first
// phase) and one error (second phase); `sls package` must log the warning and fail with the
// rendered error text.
test('slsx diagnostics become framework warnings and errors', { skip }, async () => {
  const dir = scratch('fake-diags');
  const answer = JSON.stringify({
    version: 1,
    slsx: PKG_VERSION,
    phase: 'events',
    template: null,
    diagnostics: [{ code: 'slsx::test::x', severity: 'error', message: 'm', rendered: 'FAKE ERROR at serverless.yml:9:9' }],
    errors: 1,
    warnings: 0,
  });
  const bin = fakeBinary(dir, {
    body: [
      'req=$(cat)',
      'case "$*" in',
      `  *functions*) node -e 'const r=JSON.parse(process.argv[1]);process.stdout.write(JSON.stringify({version:1,slsx:"${PKG_VERSION}",template:r.template,diagnostics:[{code:"slsx::test::w",severity:"warning",message:"w",rendered:"FAKE WARNING at serverless.yml:3:1"}],errors:0,warnings:1}))' "$req"; exit 0 ;;`,
      `  *) printf '%s' '${answer}'; exit 1 ;;`,
      'esac',
    ].join('\n'),
  });
  const r = await slsPackage('minimal', { plugin: 'slsx', binary: bin });
  assert.strictEqual(r.status, 1, r.log);
  assert.match(r.log, /Warning: FAKE WARNING at serverless\.yml:3:1/);
  assert.match(r.log, /Error:\nFAKE ERROR at serverless\.yml:9:9\n\nslsx: 1 error in the events phase/);
});

test('summary: slsx plugin parity', { skip }, (t) => {
  const names = Object.keys(results);
  const ok = names.filter((n) => results[n]);
  const json = names.filter(hasJson);
  const errs = names.filter((n) => !hasJson(n));
  t.diagnostic(
    `slsx plugin parity: ${ok.length}/${names.length} fixtures pass ` +
      `(${json.filter((n) => templates[n]).length}/${json.length} templates equal expected.json, ` +
      `${json.filter((n) => results[n]).length}/${json.length} also with the warnings of slsx expand; ` +
      `${errs.filter((n) => results[n]).length}/${errs.length} error fixtures fail with their errors)`,
  );
  const bad = names.filter((n) => !results[n]);
  if (bad.length) t.diagnostic(`not yet: ${bad.join(', ')}`);
});
