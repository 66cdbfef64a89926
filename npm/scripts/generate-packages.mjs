#!/usr/bin/env node
// npm/scripts/generate-packages.mjs [--build] [--out DIR] [--binary TARGET=PATH ...] [--check]
//
// Writes the platform packages @slsx/cli-<os>-<cpu>[-musl] from built binaries, and keeps the
// version of npm/slsx/package.json (and its pinned optionalDependencies) equal to the root
// Cargo.toml version.
//
//   --build            first build the binary this machine can build (`cargo build --release`,
//                      the host target) into $CARGO_TARGET_DIR (default: target/)
//   --out DIR          where the packages go (default: npm/dist); each is DIR/@slsx/cli-...
//   --binary T=PATH    the binary for Rust target T (e.g. x86_64-unknown-linux-musl=./slsx);
//                      otherwise $CARGO_TARGET_DIR/T/release/slsx, and for the host target
//                      also $CARGO_TARGET_DIR/release/slsx
//   --check            only check that the versions agree (exit 1 if not); writes nothing
//
// Prints one line per platform: written, or missing with the cargo command that builds it
// (release CI builds every target and passes them with --binary).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { PLATFORMS } = require('../slsx/lib/platforms.js');
const { detectLibc } = require('../slsx/lib/binary.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const mainDir = path.join(repo, 'npm/slsx');

function usage(code) {
  const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  process.stderr.write(`${text.slice(1, 19).map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
let build = false;
let check = false;
let out = path.join(repo, 'npm/dist');
const binaries = new Map();
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--build') build = true;
  else if (a === '--check') check = true;
  else if (a === '--out') out = path.resolve(args[++i] || usage(2));
  else if (a === '--binary') {
    const spec = args[++i] || usage(2);
    const eq = spec.indexOf('=');
    if (eq < 1) usage(2);
    binaries.set(spec.slice(0, eq), path.resolve(spec.slice(eq + 1)));
  } else if (a === '-h' || a === '--help') usage(0);
  else usage(2);
}

/** `version` of the root Cargo.toml's [package]. */
export function cargoVersion(text) {
  const pkg = /^\[package\]([\s\S]*?)(^\[|(?![\s\S]))/m.exec(text);
  const m = pkg && /^version\s*=\s*"([^"]+)"/m.exec(pkg[1]);
  if (!m) throw new Error('no [package] version in Cargo.toml');
  return m[1];
}

const version = cargoVersion(fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8'));

// 1. the main package's version and pins
const mainPkgPath = path.join(mainDir, 'package.json');
const mainPkg = JSON.parse(fs.readFileSync(mainPkgPath, 'utf8'));
const wantOptional = Object.fromEntries(PLATFORMS.map((p) => [p.name, version]));
const inSync =
  mainPkg.version === version &&
  JSON.stringify(mainPkg.optionalDependencies) === JSON.stringify(wantOptional);
if (check) {
  if (!inSync) {
    process.stderr.write(
      `npm/slsx/package.json is out of sync with Cargo.toml (${version}): ` +
        'run npm/scripts/generate-packages.mjs\n',
    );
    process.exit(1);
  }
  process.stdout.write(`versions agree: ${version}\n`);
  process.exit(0);
}
if (!inSync) {
  mainPkg.version = version;
  mainPkg.optionalDependencies = wantOptional;
  fs.writeFileSync(mainPkgPath, `${JSON.stringify(mainPkg, null, 2)}\n`);
  process.stdout.write(`updated npm/slsx/package.json to ${version}\n`);
}

// 2. the host binary
const targetDir = path.resolve(repo, process.env.CARGO_TARGET_DIR || 'target');
const host = PLATFORMS.find(
  (p) =>
    p.os === process.platform &&
    p.cpu === process.arch &&
    (p.libc === null || p.libc === detectLibc()),
);
if (build) {
  execFileSync('cargo', ['build', '--release', '--quiet'], { cwd: repo, stdio: 'inherit' });
}

// 3. one package per platform
let written = 0;
for (const p of PLATFORMS) {
  const exe = p.os === 'win32' ? 'slsx.exe' : 'slsx';
  const candidates = [
    binaries.get(p.target),
    path.join(targetDir, p.target, 'release', exe),
    p === host ? path.join(targetDir, 'release', exe) : undefined,
  ].filter(Boolean);
  const bin = candidates.find((c) => fs.existsSync(c));
  if (!bin) {
    process.stdout.write(
      `missing  ${p.name}  (cargo build --release --target ${p.target}, or --binary ${p.target}=PATH)\n`,
    );
    continue;
  }
  const dir = path.join(out, p.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const manifest = {
    name: p.name,
    version,
    description: `The slsx binary for ${p.os} ${p.cpu}${p.libc ? ` (${p.libc})` : ''}; installed by the slsx package`,
    license: mainPkg.license,
    os: [p.os],
    cpu: [p.cpu],
    ...(p.libc ? { libc: [p.libc] } : {}),
    files: [p.binary],
    preferUnplugged: true,
    publishConfig: { access: 'public', provenance: true },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    `# ${p.name}\n\nThe \`slsx\` binary for ${p.os} ${p.cpu}${p.libc ? ` (${p.libc})` : ''} ` +
      `(Rust target \`${p.target}\`). Do not install it yourself: the \`slsx\` package pulls ` +
      'in the one for your platform through `optionalDependencies`.\n',
  );
  const dest = path.join(dir, p.binary);
  fs.copyFileSync(bin, dest);
  fs.chmodSync(dest, 0o755);
  written++;
  process.stdout.write(`written  ${p.name}  ${path.relative(process.cwd(), dir) || '.'}  (from ${bin})\n`);
}
process.stdout.write(`${written} of ${PLATFORMS.length} platform packages written (version ${version})\n`);
