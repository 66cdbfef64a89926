'use strict';

// The package as users get it: `npm pack` of npm/slsx and of the generated platform package
// (linux-x64 glibc, holding the freshly built binary), installed offline into an empty
// project; then `npx slsx expand fixtures/seed-s3-trigger` must print exactly what the
// binary prints, with the binary found through the platform package (no SLSX_BINARY).

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { NPM_DIR, PKG_DIR, REPO, PKG_VERSION, scratch, testBinary } = require('./helpers');
const { detectLibc } = require('../slsx/lib/binary');

const host = process.platform === 'linux' && process.arch === 'x64' && detectLibc() === 'glibc';
const skip = host ? false : 'the platform package is generated for linux-x64 glibc only here';

function cleanEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.SLSX_BINARY;
  delete env.SLSX_SKIP_VERSION_CHECK;
  return env;
}

test('npx slsx expand from a packed install = the binary', { skip }, () => {
  const work = scratch('npx');
  const dist = path.join(work, 'dist');
  const gen = execFileSync(
    process.execPath,
    [path.join(NPM_DIR, 'scripts/generate-packages.mjs'), '--out', dist, '--binary', `x86_64-unknown-linux-gnu=${testBinary()}`],
    { encoding: 'utf8' },
  );
  assert.match(gen, /written {2}@slsx\/cli-linux-x64 /);
  const platformDir = path.join(dist, '@slsx', 'cli-linux-x64');
  const manifest = JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8'));
  assert.deepStrictEqual(
    [manifest.version, manifest.os, manifest.cpu, manifest.libc],
    [PKG_VERSION, ['linux'], ['x64'], ['glibc']],
  );
  assert.strictEqual(fs.statSync(path.join(platformDir, 'bin/slsx')).mode & 0o777, 0o755);

  const npm = (args, cwd) =>
    execFileSync('npm', args, { cwd, encoding: 'utf8', env: cleanEnv({ npm_config_loglevel: 'error' }) });
  const tgz = path.join(work, 'tgz');
  fs.mkdirSync(tgz);
  npm(['pack', '--pack-destination', tgz, '--silent'], PKG_DIR);
  npm(['pack', '--pack-destination', tgz, '--silent'], platformDir);
  const packed = fs.readdirSync(tgz).sort();
  assert.deepStrictEqual(packed, [`slsx-${PKG_VERSION}.tgz`, `slsx-cli-linux-x64-${PKG_VERSION}.tgz`]);
  // what the main package ships: no tests, no postinstall
  const listing = execFileSync('tar', ['-tzf', path.join(tgz, packed[0])], { encoding: 'utf8' });
  assert.doesNotMatch(listing, /test|\.rs/);
  assert.match(listing, /package\/bin\/slsx\.js/);
  assert.match(listing, /package\/CONTRACT\.md/);
  const pkg = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8'));
  assert.strictEqual((pkg.scripts || {}).postinstall, undefined);

  const proj = path.join(work, 'proj');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), '{"name":"proj","private":true}\n');
  npm(['install', '--offline', '--no-audit', '--no-fund', ...packed.map((p) => path.join(tgz, p))], proj);

  // the plugin and the launcher find the platform package's binary
  const found = execFileSync(process.execPath, ['-e', "process.stdout.write(require('slsx/lib/binary').findBinary())"], {
    cwd: proj,
    encoding: 'utf8',
    env: cleanEnv(),
  });
  assert.strictEqual(found, fs.realpathSync(path.join(proj, 'node_modules/@slsx/cli-linux-x64/bin/slsx')));

  const fixture = path.join(REPO, 'fixtures/seed-s3-trigger');
  const viaNpx = spawnSync('npx', ['--no-install', 'slsx', 'expand', fixture], { cwd: proj, encoding: 'utf8', env: cleanEnv() });
  const direct = spawnSync(testBinary(), ['expand', fixture], { cwd: proj, encoding: 'utf8', env: cleanEnv() });
  assert.strictEqual(viaNpx.status, direct.status, viaNpx.stderr);
  assert.strictEqual(viaNpx.stdout, direct.stdout);
  assert.strictEqual(viaNpx.stderr, direct.stderr);
  assert.ok(direct.stdout.length > 0 || direct.stderr.length > 0);
  fs.rmSync(work, { recursive: true, force: true });
});
