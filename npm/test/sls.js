'use strict';

// Running the real `sls package` (serverless@3.40.0 from npm/node_modules) on a copy of a
// fixture, offline, and comparing templates the way /work/shared/tools/cfn-compare does.

const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { NPM_DIR, PKG_DIR, REPO, scratch } = require('./helpers');

const SLS = path.join(NPM_DIR, 'node_modules', 'serverless', 'bin', 'serverless.js');
const FIXTURES = path.join(REPO, 'fixtures');

// serverless-step-functions as an item of `plugins`, in block (`- serverless-step-functions`)
// or flow (`plugins: [serverless-step-functions]`) form; group 1 and 2 are what surrounds it.
const PLUGIN_ITEM = /^(\s*-\s*|plugins:\s*\[(?:[^\]\n]*,)?\s*)serverless-step-functions(\s*(?:,[^\]\n]*)?\]\s*|\s*)$/m;

/** Fixtures whose serverless.yml lists serverless-step-functions in `plugins`. */
function stepFunctionsFixtures() {
  return fs
    .readdirSync(FIXTURES)
    .filter((name) => {
      const yml = path.join(FIXTURES, name, 'serverless.yml');
      return fs.existsSync(yml) && PLUGIN_ITEM.test(fs.readFileSync(yml, 'utf8'));
    })
    .sort();
}

/** `env` lines of a case (KEY=VALUE), as scripts/oracle-expected reads them. */
function caseEnv(dir) {
  const f = path.join(dir, 'env');
  const out = {};
  if (!fs.existsSync(f)) return out;
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** `args` of a case as `sls package` options (--instance-id is slsx's own). */
function caseArgs(dir) {
  const f = path.join(dir, 'args');
  if (!fs.existsSync(f)) return [];
  const words = fs.readFileSync(f, 'utf8').trim().split(/\s+/).filter(Boolean);
  const out = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--instance-id') {
      i++;
      continue;
    }
    out.push(words[i]);
  }
  return out;
}

function copyService(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(from, src);
      const top = rel.split(path.sep)[0];
      if (top === 'node_modules' || top === '.serverless') return false;
      return !(rel === top && /^expected.*\.json$/.test(top));
    },
  });
}

/** The environment the oracle uses: offline, dummy credentials, no telemetry. */
function offlineEnv(extra) {
  const home = path.join(NPM_DIR, 'node_modules', '.sls-home');
  fs.mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    SLS_AWS_REQUEST_MAX_RETRIES: '0',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_TRACKING_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DISABLE_AUTO_UPDATE: '1',
    SLS_GEO_LOCATION: 'no-cn',
    FORCE_COLOR: '0',
    COLUMNS: '100',
    ...extra,
  };
}

/**
 * `sls package` on a copy of fixture `name` (resolves, never rejects).
 * plugin: 'slsx' (the copy lists slsx instead of serverless-step-functions and has
 * npm/slsx linked as node_modules/slsx) or 'serverless-step-functions' (unchanged; the
 * framework finds the plugin next to itself in npm/node_modules).
 */
function slsPackage(name, { plugin = 'slsx', binary, keep = false } = {}) {
  const fixture = path.join(FIXTURES, name);
  const work = scratch(`sls-${name}`);
  const svc = path.join(work, 'svc');
  copyService(fixture, svc);
  fs.writeFileSync(path.join(svc, 'oracle_stub.js'), 'module.exports.handler = async () => ({});\n');
  const env = offlineEnv(caseEnv(fixture));
  if (plugin === 'slsx') {
    const yml = path.join(svc, 'serverless.yml');
    const text = fs.readFileSync(yml, 'utf8');
    const swapped = text.replace(PLUGIN_ITEM, '$1slsx$2');
    if (swapped === text) throw new Error(`${name}: no serverless-step-functions in plugins`);
    fs.writeFileSync(yml, swapped);
    fs.mkdirSync(path.join(svc, 'node_modules'));
    fs.symlinkSync(PKG_DIR, path.join(svc, 'node_modules', 'slsx'), 'dir');
    if (binary) env.SLSX_BINARY = binary;
  }
  // The same service through `slsx expand` on its own: the diagnostics plugin mode must show.
  let standalone = null;
  if (plugin === 'slsx' && binary) {
    const words = fs.existsSync(path.join(fixture, 'args'))
      ? fs.readFileSync(path.join(fixture, 'args'), 'utf8').trim().split(/\s+/).filter(Boolean)
      : [];
    const r = spawnSync(binary, ['expand', '.', ...words], {
      cwd: svc,
      env: { PATH: process.env.PATH, ...caseEnv(fixture), NO_COLOR: '1', COLUMNS: '100' },
      encoding: 'utf8',
    });
    standalone = { status: r.status, stderr: r.stderr };
  }
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SLS, 'package', ...caseArgs(fixture)], {
      cwd: svc,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180000);
    child.on('close', (status) => {
      clearTimeout(timer);
      const t1 = Date.now();
      const tplPath = path.join(svc, '.serverless', 'cloudformation-template-update-stack.json');
      const out = { status, log, ms: t1 - t0, template: null, standalone };
      if (status === 0 && fs.existsSync(tplPath)) {
        out.template = stable(JSON.parse(fs.readFileSync(tplPath, 'utf8')), t0, t1);
      }
      if (!keep) fs.rmSync(work, { recursive: true, force: true });
      else out.dir = svc;
      resolve(out);
    });
  });
}

/** The rendered diagnostic blocks of slsx's human output (`code`, blank line, the report). */
function diagnosticBlocks(text) {
  return String(text || '')
    .split(/\n(?=slsx::[a-z0-9:-]+\n)/)
    .map((b) => b.replace(/\nslsx: \d+ (error|warning)s?(, \d+ warnings?)?\n?$/, '').replace(/\s+$/, ''))
    .filter((b) => /^slsx::/.test(b));
}

/** How the diagnostics of a `sls package` log relate to the expected blocks: which expected
 * blocks appear verbatim, and how many errors (×) / warnings (⚠) the log shows in all. */
function diagnosticsInLog(log, blocks) {
  const text = log.split('Warning: slsx::').join('slsx::');
  const found = blocks.filter((b) => text.includes(b));
  const count = (re) => (text.match(re) || []).length;
  return {
    found,
    missing: blocks.filter((b) => !text.includes(b)),
    errors: count(/^ {2}× /gm),
    warnings: count(/^ {2}⚠ /gm),
  };
}

/** expand.sh --stable: 13-digit epoch-ms stamps taken during the run become zeros. */
function stable(template, t0, t1) {
  const lo = t0 - 5000;
  const hi = t1 + 5000;
  const inRun = (ms) => Number(ms) >= lo && Number(ms) <= hi;
  const fix = (s) =>
    s
      .replace(/(?<!\d)(\d{13})-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (m, ms) =>
        inRun(ms) ? '0000000000000-1970-01-01T00:00:00.000Z' : m,
      )
      .replace(/(?<!\d)\d{13}(?!\d)/g, (ms) => (inRun(ms) ? '0000000000000' : ms));
  const walk = (v) => {
    if (typeof v === 'string') return fix(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k), walk(x)]));
    return v;
  };
  return walk(template);
}

// ---- cfn-compare, in JavaScript -------------------------------------------------------

const VERSION_ID = /^(.*LambdaVersion)[A-Za-z0-9]{20,}(L[0-9a-f]{8})?$/;
const DEPLOYMENT_ID = /^(ApiGatewayDeployment)\d{10,}$/;

function normId(s) {
  let m = VERSION_ID.exec(s);
  if (m) return `${m[1]}#`;
  m = DEPLOYMENT_ID.exec(s);
  if (m) return `${m[1]}#`;
  return s;
}

function normalise(v) {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'CodeSha256') out[k] = '#sha256';
      else if (k === 'S3Key' && typeof x === 'string' && x.startsWith('serverless/')) out[k] = '#artifact';
      else out[normId(k)] = normalise(x);
    }
    return out;
  }
  if (typeof v === 'string') return normId(v);
  return v;
}

function short(v, n = 120) {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

function kind(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}

function firstDifference(a, b, at = '') {
  if (kind(a) !== kind(b)) return `${at || '/'}: ${kind(a)} ${short(a)} != ${kind(b)} ${short(b)}`;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${at || '/'}: list of ${a.length} != list of ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}/${i}`);
      if (d) return d;
    }
    return null;
  }
  if (a && typeof a === 'object') {
    for (const k of Object.keys(a)) if (!(k in b)) return `${at}/${k}: missing in actual`;
    for (const k of Object.keys(b)) if (!(k in a)) return `${at}/${k}: unexpected in actual`;
    for (const k of Object.keys(a)) {
      const d = firstDifference(a[k], b[k], `${at}/${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${at || '/'}: ${short(a)} != ${short(b)}`;
}

/**
 * Problems between two templates (full scope), empty when they match. With `order`, the
 * order of Resources and Outputs must match too (a zero diff, not just the same content).
 */
function compare(expectedRaw, actualRaw, { order = true } = {}) {
  const exp = normalise(expectedRaw);
  const act = normalise(actualRaw);
  const problems = [];
  for (const section of ['Resources', 'Outputs']) {
    const e = exp[section] || {};
    const a = act[section] || {};
    for (const id of Object.keys(e)) {
      if (!(id in a)) problems.push(`${section} ${id}: missing (${(e[id] && e[id].Type) || ''})`);
      else {
        const d = firstDifference(e[id], a[id]);
        if (d) problems.push(`${section} ${id}: ${d}`);
      }
    }
    for (const id of Object.keys(a)) if (!(id in e)) problems.push(`${section} ${id}: unexpected`);
    if (order && !problems.length) {
      const ek = Object.keys(e).join(',');
      const ak = Object.keys(a).join(',');
      if (ek !== ak) problems.push(`${section}: same content, other order:\n  expected ${ek}\n  actual   ${ak}`);
    }
  }
  for (const key of [...new Set([...Object.keys(exp), ...Object.keys(act)])].sort()) {
    if (key === 'Resources' || key === 'Outputs') continue;
    const d = firstDifference(exp[key], act[key], `/${key}`);
    if (d) problems.push(`template ${key}: ${d}`);
  }
  return problems;
}

module.exports = {
  FIXTURES,
  SLS,
  stepFunctionsFixtures,
  slsPackage,
  compare,
  normalise,
  stable,
  diagnosticBlocks,
  diagnosticsInLog,
};
