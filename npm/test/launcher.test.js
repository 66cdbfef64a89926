'use strict';

// bin/slsx.js: arguments, streams, exit status and signals pass through; setup problems are
// clear errors (exit 2).

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { PKG_DIR, REPO, scratch, fakeBinary, testBinary } = require('./helpers');

const LAUNCHER = path.join(PKG_DIR, 'bin', 'slsx.js');

function launch(args, env, opts = {}) {
  const base = { ...process.env };
  delete base.SLSX_BINARY;
  delete base.SLSX_SKIP_VERSION_CHECK;
  return spawnSync(process.execPath, [LAUNCHER, ...args], {
    encoding: 'utf8',
    env: { ...base, ...env },
    ...opts,
  });
}

test('arguments, stdout, stderr and the exit status pass through', () => {
  const dir = scratch('launcher');
  const bin = fakeBinary(dir, { body: 'echo "out:$1:$2"; echo "err" >&2; exit 3' });
  const r = launch(['expand', 'a b'], { SLSX_BINARY: bin });
  assert.strictEqual(r.status, 3);
  assert.strictEqual(r.stdout, 'out:expand:a b\n');
  assert.strictEqual(r.stderr, 'err\n');
});

test('stdin reaches the binary', () => {
  const dir = scratch('launcher-stdin');
  const bin = fakeBinary(dir, { body: 'cat' });
  const r = launch([], { SLSX_BINARY: bin }, { input: 'hello' });
  assert.strictEqual(r.status, 0);
  assert.strictEqual(r.stdout, 'hello');
});

test('a signal that ends the binary ends the launcher the same way', () => {
  const dir = scratch('launcher-signal');
  const bin = fakeBinary(dir, { body: 'kill -TERM $$' });
  const r = launch([], { SLSX_BINARY: bin });
  assert.strictEqual(r.signal, 'SIGTERM');
});

test('a missing binary is exit 2 with the reason', () => {
  const r = launch(['--version'], { SLSX_BINARY: '/nonexistent/slsx' });
  assert.strictEqual(r.status, 2);
  assert.match(r.stderr, /^slsx: SLSX_BINARY is set to "\/nonexistent\/slsx"/);
  assert.strictEqual(r.stdout, '');
});

test('a binary of another version is refused', () => {
  const dir = scratch('launcher-version');
  const bin = fakeBinary(dir, { version: '9.9.9' });
  const r = launch(['expand'], { SLSX_BINARY: bin });
  assert.strictEqual(r.status, 2);
  assert.match(r.stderr, /version mismatch: the slsx binary at ".*" is 9\.9\.9/);
});

test('the real binary runs through the launcher', () => {
  const bin = testBinary();
  const r = launch(['--version'], { SLSX_BINARY: bin });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /^slsx \d+\.\d+\.\d+/);
  const bad = launch(['expand', path.join(REPO, 'fixtures/yaml-err-duplicate-key')], {
    SLSX_BINARY: bin,
    NO_COLOR: '1',
  });
  assert.strictEqual(bad.status, 1);
  assert.match(bad.stderr, /duplicated mapping key/);
});
