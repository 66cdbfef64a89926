'use strict';

// lib/binary.js: where the binary comes from, and the errors when it cannot be found.

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { execFileSync } = require('child_process');
const { scratch, fakeBinary, PKG_VERSION, NPM_DIR } = require('./helpers');
const binary = require('../slsx/lib/binary');
const { PLATFORMS } = require('../slsx/lib/platforms');

const linux = { platform: 'linux', arch: 'x64', libc: 'glibc' };

function resolverFor(installed) {
  return (request) => {
    for (const [pkg, dir] of Object.entries(installed)) {
      if (request.startsWith(`${pkg}/`)) return path.join(dir, request.slice(pkg.length + 1));
    }
    const e = new Error(`Cannot find module '${request}'`);
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  };
}

test('SLSX_BINARY comes first', () => {
  const bin = binary.resolveBinary({
    ...linux,
    env: { SLSX_BINARY: '/opt/slsx' },
    exists: (p) => p === '/opt/slsx',
    resolve: () => assert.fail('the platform package must not be looked up'),
  });
  assert.strictEqual(bin, '/opt/slsx');
});

test('SLSX_BINARY pointing nowhere is an error, not a silent fallback', () => {
  assert.throws(
    () =>
      binary.resolveBinary({
        ...linux,
        env: { SLSX_BINARY: '/nope/slsx' },
        exists: () => false,
        resolve: resolverFor({ '@slsx/cli-linux-x64': '/m/x64' }),
      }),
    (e) => e.code === 'SLSX_BINARY_NOT_FOUND' && /\/nope\/slsx/.test(e.message),
  );
});

test('the platform package is resolved with require.resolve', () => {
  const bin = binary.resolveBinary({
    ...linux,
    env: {},
    resolve: resolverFor({ '@slsx/cli-linux-x64': '/m/x64' }),
  });
  assert.strictEqual(bin, '/m/x64/bin/slsx');
});

test('each platform maps to its own package', () => {
  const cases = [
    [{ platform: 'linux', arch: 'x64', libc: 'musl' }, '@slsx/cli-linux-x64-musl', 'bin/slsx'],
    [{ platform: 'linux', arch: 'arm64', libc: 'glibc' }, '@slsx/cli-linux-arm64', 'bin/slsx'],
    [{ platform: 'darwin', arch: 'arm64', libc: null }, '@slsx/cli-darwin-arm64', 'bin/slsx'],
    [{ platform: 'win32', arch: 'x64', libc: null }, '@slsx/cli-win32-x64', 'bin/slsx.exe'],
  ];
  for (const [where, pkg, sub] of cases) {
    const bin = binary.resolveBinary({ ...where, env: {}, resolve: resolverFor({ [pkg]: '/m' }) });
    assert.strictEqual(bin, path.join('/m', sub), pkg);
  }
  assert.strictEqual(PLATFORMS.length, 8);
  assert.strictEqual(new Set(PLATFORMS.map((p) => p.name)).size, 8);
});

test('a missing platform package names it and the optional-dependencies pitfall', () => {
  assert.throws(
    () => binary.resolveBinary({ ...linux, env: {}, resolve: resolverFor({}) }),
    (e) =>
      e.code === 'SLSX_PLATFORM_PACKAGE_MISSING' &&
      e.message.includes('"@slsx/cli-linux-x64"') &&
      e.message.includes('--omit=optional') &&
      e.message.includes('--no-optional') &&
      e.message.includes('SLSX_BINARY'),
  );
});

test('node_modules from another platform is pointed out', () => {
  assert.throws(
    () =>
      binary.resolveBinary({
        ...linux,
        env: {},
        resolve: resolverFor({ '@slsx/cli-darwin-arm64': '/m/darwin' }),
      }),
    (e) => e.message.includes('Installed instead: @slsx/cli-darwin-arm64'),
  );
});

test('an unsupported platform says what is supported', () => {
  assert.throws(
    () => binary.resolveBinary({ platform: 'freebsd', arch: 'x64', libc: null, env: {} }),
    (e) =>
      e.code === 'SLSX_UNSUPPORTED_PLATFORM' &&
      e.message.includes('freebsd x64') &&
      e.message.includes('linux-x64-musl'),
  );
});

test('libc is detected from the process report', () => {
  if (process.platform !== 'linux') return;
  assert.strictEqual(binary.detectLibc(() => ({ header: { glibcVersionRuntime: '2.36' } })), 'glibc');
  assert.strictEqual(binary.detectLibc(() => ({ header: {} })), 'musl');
});

test('the version check accepts the package version and refuses another', () => {
  const dir = scratch('version');
  const good = fakeBinary(dir);
  assert.strictEqual(binary.checkVersion(good), PKG_VERSION);
  const old = fakeBinary(dir, { version: '0.0.1' });
  assert.throws(
    () => binary.checkVersion(old),
    (e) =>
      e.code === 'SLSX_VERSION_MISMATCH' &&
      e.message.includes('is 0.0.1') &&
      e.message.includes(`slsx is ${PKG_VERSION}`),
  );
  // findBinary runs the check; SLSX_SKIP_VERSION_CHECK=1 turns it off
  assert.throws(() => binary.findBinary({ env: { SLSX_BINARY: old } }), /version mismatch/);
  assert.strictEqual(binary.findBinary({ env: { SLSX_BINARY: old, SLSX_SKIP_VERSION_CHECK: '1' } }), old);
});

test('something that is not slsx is refused', () => {
  const dir = scratch('notslsx');
  const fs = require('fs');
  const other = path.join(dir, 'other');
  fs.writeFileSync(other, '#!/bin/sh\necho "other 1.0"\n');
  fs.chmodSync(other, 0o755);
  assert.throws(() => binary.binaryVersion(other), (e) => e.code === 'SLSX_BINARY_NOT_RUNNABLE');
  assert.throws(
    () => binary.binaryVersion(path.join(dir, 'missing')),
    (e) => e.code === 'SLSX_BINARY_NOT_RUNNABLE',
  );
});

test('the package version is the Cargo.toml version (generate-packages --check)', () => {
  const out = execFileSync('node', [path.join(NPM_DIR, 'scripts/generate-packages.mjs'), '--check'], {
    encoding: 'utf8',
  });
  assert.match(out, new RegExp(`versions agree: ${PKG_VERSION.replace(/\./g, '\\.')}`));
});
