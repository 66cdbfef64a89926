'use strict';

// Shared by the tests: scratch directories, fake binaries, the repository layout.

const fs = require('fs');
const os = require('os');
const path = require('path');

const NPM_DIR = path.resolve(__dirname, '..');
const REPO = path.resolve(NPM_DIR, '..');
const PKG_DIR = path.join(NPM_DIR, 'slsx');
const PKG_VERSION = require(path.join(PKG_DIR, 'package.json')).version;

/** The freshly built binary npm/test.sh exports, else target/debug/slsx. */
function testBinary() {
  const bin =
    process.env.SLSX_TEST_BINARY ||
    path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, 'target'), 'debug', 'slsx');
  if (!fs.existsSync(bin)) throw new Error(`no slsx binary at ${bin}: run npm/test.sh`);
  return bin;
}

function scratch(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `slsx-${name}-`));
}

/** A shell script standing in for the binary: prints `slsx <version>` for --version and
 * runs `body` otherwise. */
function fakeBinary(dir, { version = PKG_VERSION, body = 'exit 0' } = {}) {
  const file = path.join(dir, `fake-slsx-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(
    file,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "slsx ${version}"; exit 0; fi\n${body}\n`,
  );
  fs.chmodSync(file, 0o755);
  return file;
}

module.exports = { NPM_DIR, REPO, PKG_DIR, PKG_VERSION, testBinary, scratch, fakeBinary };
