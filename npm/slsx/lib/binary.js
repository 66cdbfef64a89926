'use strict';

// Finding the native slsx binary, shared by the `slsx` launcher and the Serverless plugin:
//
// 1. `SLSX_BINARY` (a path) wins when set;
// 2. else the platform package `@slsx/cli-<os>-<cpu>[-musl]` that npm installed from
//    `optionalDependencies`, found with `require.resolve`;
// 3. else a clear error naming the missing package and the usual cause (optional
//    dependencies left out, or node_modules copied from another OS/CPU).
//
// The binary's `--version` must equal this package's version (the packages are published
// together, pinned to the same version); `SLSX_SKIP_VERSION_CHECK=1` turns the check off.

const fs = require('fs');
const { spawnSync } = require('child_process');
const { PLATFORMS } = require('./platforms');

const PACKAGE_VERSION = require('../package.json').version;

class SlsxBinaryError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SlsxBinaryError';
    this.code = code;
  }
}

let libcCache;

/** `glibc`, `musl`, or null when not on Linux. The process report is slow (milliseconds),
 * so the answer for this process is kept. */
function detectLibc(report) {
  if (process.platform !== 'linux') return null;
  if (!report && libcCache !== undefined) return libcCache;
  let libc;
  try {
    const header = (report ? report() : process.report.getReport()).header || {};
    libc = header.glibcVersionRuntime ? 'glibc' : 'musl';
  } catch {
    libc = 'glibc';
  }
  if (!report) libcCache = libc;
  return libc;
}

/** The platform entry for an os/cpu/libc, or null. */
function platformFor({ platform, arch, libc }) {
  return (
    PLATFORMS.find(
      (p) =>
        p.os === platform &&
        p.cpu === arch &&
        (p.libc === null || p.libc === (libc || 'glibc')),
    ) || null
  );
}

function describe({ platform, arch, libc }) {
  return `${platform} ${arch}${platform === 'linux' ? ` (${libc || 'glibc'})` : ''}`;
}

function tryResolve(resolve, request) {
  try {
    return resolve(request);
  } catch {
    return null;
  }
}

/**
 * The path of the binary to run. Throws a SlsxBinaryError with a message meant for users.
 * Everything it reads can be passed in (tests).
 */
function resolveBinary(opts = {}) {
  const env = opts.env || process.env;
  const platform = opts.platform || process.platform;
  const arch = opts.arch || process.arch;
  const resolve = opts.resolve || require.resolve;
  const exists = opts.exists || ((p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true);

  if (env.SLSX_BINARY) {
    if (!exists(env.SLSX_BINARY)) {
      throw new SlsxBinaryError(
        `SLSX_BINARY is set to "${env.SLSX_BINARY}", but there is no file there.\n` +
          'Point it at a slsx binary (e.g. target/release/slsx of a cargo build) or unset it ' +
          'to use the binary of the installed platform package.',
        'SLSX_BINARY_NOT_FOUND',
      );
    }
    return env.SLSX_BINARY;
  }

  const libc = opts.libc !== undefined ? opts.libc : detectLibc();
  const here = { platform, arch, libc };
  const entry = platformFor(here);
  if (!entry) {
    throw new SlsxBinaryError(
      `slsx has no prebuilt binary for ${describe(here)}.\n` +
        `Prebuilt binaries exist for: ${PLATFORMS.map((p) => p.name.replace('@slsx/cli-', '')).join(', ')}.\n` +
        'Build it from source (`cargo install --path .` in the slsx repository) and set ' +
        'SLSX_BINARY to the binary.',
      'SLSX_UNSUPPORTED_PLATFORM',
    );
  }
  const found = tryResolve(resolve, `${entry.name}/${entry.binary}`);
  if (found) return found;

  const others = PLATFORMS.filter((p) => p !== entry && tryResolve(resolve, `${p.name}/package.json`));
  const copied = others.length
    ? `\nInstalled instead: ${others.map((p) => p.name).join(', ')} — node_modules was ` +
      'probably installed on another OS or CPU and copied here; install again on this machine.'
    : '';
  throw new SlsxBinaryError(
    `The slsx binary for ${describe(here)} comes in the npm package "${entry.name}", ` +
      'which is not installed.\n' +
      'It is an optional dependency of "slsx", so it is left out when installing with ' +
      '`npm install --omit=optional`, `--no-optional` (older npm, yarn), `--ignore-optional`, ' +
      'or with NODE_ENV/npm config that omits optional dependencies.' +
      copied +
      `\nFix: reinstall without that option (\`npm install slsx\`), or add "${entry.name}" ` +
      'yourself, or set SLSX_BINARY to a slsx binary.',
    'SLSX_PLATFORM_PACKAGE_MISSING',
  );
}

/** `slsx --version` → "0.1.0". */
function binaryVersion(binary, run = spawnSync) {
  const r = run(binary, ['--version'], { encoding: 'utf8', shell: false, windowsHide: true });
  if (r.error) {
    throw new SlsxBinaryError(
      `cannot run the slsx binary at "${binary}": ${r.error.message}`,
      'SLSX_BINARY_NOT_RUNNABLE',
    );
  }
  const m = /^slsx (\S+)\s*$/.exec(String(r.stdout || ''));
  if (r.status !== 0 || !m) {
    throw new SlsxBinaryError(
      `"${binary}" is not a slsx binary: \`--version\` exited ${r.status} and printed ` +
        `${JSON.stringify(String(r.stdout || '').trim())}`,
      'SLSX_BINARY_NOT_RUNNABLE',
    );
  }
  return m[1];
}

/** The error for a binary of version `actual` where `expected` is needed. */
function versionMismatch(binary, actual, expected = PACKAGE_VERSION) {
  return new SlsxBinaryError(
    `version mismatch: the slsx binary at "${binary}" is ${actual}, but the npm package ` +
      `slsx is ${expected}.\n` +
      'The package and its platform package are released together and must have the same ' +
      'version: reinstall slsx (delete node_modules and the lock entry if needed), or point ' +
      'SLSX_BINARY at a slsx binary of version ' +
      `${expected} (SLSX_SKIP_VERSION_CHECK=1 skips this check).`,
    'SLSX_VERSION_MISMATCH',
  );
}

/** Throws unless the binary's version is `expected`. */
function checkVersion(binary, expected = PACKAGE_VERSION, run = spawnSync) {
  const actual = binaryVersion(binary, run);
  if (actual !== expected) throw versionMismatch(binary, actual, expected);
  return actual;
}

const checked = new Map();

/** Resolves the binary and checks its version once per process. */
function findBinary(opts = {}) {
  const env = opts.env || process.env;
  const binary = resolveBinary(opts);
  if (env.SLSX_SKIP_VERSION_CHECK === '1') return binary;
  const expected = opts.expectedVersion || PACKAGE_VERSION;
  const key = `${binary}\0${expected}`;
  if (!checked.has(key)) {
    checkVersion(binary, expected, opts.run);
    checked.set(key, true);
  }
  return binary;
}

module.exports = {
  PACKAGE_VERSION,
  SlsxBinaryError,
  binaryVersion,
  checkVersion,
  detectLibc,
  findBinary,
  platformFor,
  resolveBinary,
  versionMismatch,
};
