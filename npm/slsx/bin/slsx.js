#!/usr/bin/env node
'use strict';

// `slsx` / `npx slsx`: runs the native binary with the same arguments, streams and exit
// status. No work happens here besides finding the binary (lib/binary.js).

const { spawnSync } = require('child_process');
const { findBinary, SlsxBinaryError } = require('../lib/binary');

function main() {
  let binary;
  try {
    binary = findBinary();
  } catch (e) {
    if (!(e instanceof SlsxBinaryError)) throw e;
    process.stderr.write(`slsx: ${e.message}\n`);
    return 2;
  }
  const r = spawnSync(binary, process.argv.slice(2), {
    stdio: 'inherit',
    shell: false,
    windowsHide: true,
  });
  if (r.error) {
    process.stderr.write(`slsx: cannot run "${binary}": ${r.error.message}\n`);
    return 2;
  }
  if (r.signal) {
    // End the same way the binary did, so a shell sees 128+N.
    process.kill(process.pid, r.signal);
    return 1;
  }
  return r.status === null ? 1 : r.status;
}

process.exitCode = main();
