'use strict';

// The platforms slsx ships a prebuilt binary for: one npm package each,
// `@slsx/cli-<os>-<cpu>[-musl]`, holding `bin/slsx` (`bin/slsx.exe` on Windows).
// `npm/scripts/generate-packages.mjs` writes those packages from this table, and
// `lib/binary.js` picks the one for the running Node.

const SCOPE = '@slsx';

const PLATFORMS = [
  { os: 'linux', cpu: 'x64', libc: 'glibc', target: 'x86_64-unknown-linux-gnu' },
  { os: 'linux', cpu: 'x64', libc: 'musl', target: 'x86_64-unknown-linux-musl' },
  { os: 'linux', cpu: 'arm64', libc: 'glibc', target: 'aarch64-unknown-linux-gnu' },
  { os: 'linux', cpu: 'arm64', libc: 'musl', target: 'aarch64-unknown-linux-musl' },
  { os: 'darwin', cpu: 'x64', libc: null, target: 'x86_64-apple-darwin' },
  { os: 'darwin', cpu: 'arm64', libc: null, target: 'aarch64-apple-darwin' },
  { os: 'win32', cpu: 'x64', libc: null, target: 'x86_64-pc-windows-msvc' },
  { os: 'win32', cpu: 'arm64', libc: null, target: 'aarch64-pc-windows-msvc' },
].map((p) => ({
  ...p,
  name: `${SCOPE}/cli-${p.os}-${p.cpu}${p.libc === 'musl' ? '-musl' : ''}`,
  binary: p.os === 'win32' ? 'bin/slsx.exe' : 'bin/slsx',
}));

module.exports = { SCOPE, PLATFORMS };
