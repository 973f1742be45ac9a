// Completes package-lock.json with the platform packages a registry mirror does not serve.
//
// Rollup names one native package per platform in its optionalDependencies. A registry that
// serves only this machine's platform (linux-x64) makes `npm install` leave the others out of
// the lock file, and npm 11's `npm ci` then refuses the lock as out of sync. Each entry added
// here carries the package's os, cpu and libc, so `npm ci` skips it on any other machine and
// never fetches it. Run after every `npm install` that changes the lock file:
//   node scripts/lock-optional.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));

// "@rollup/rollup-linux-arm-musleabihf" -> os linux, cpu arm, libc musl
function platform(name) {
  const [os, cpu, abi] = name.replace(/^@rollup\/rollup-/, '').split('-');
  const p = { os: [os === 'win32' ? 'win32' : os], cpu: [cpu] };
  if (os === 'linux') p.libc = [abi && abi.startsWith('musl') ? 'musl' : 'glibc'];
  return p;
}

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  if (!/(^|\/)node_modules\/rollup$/.test(path)) continue;
  for (const [name, version] of Object.entries(pkg.optionalDependencies || {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    lock.packages[key] = { version, ...platform(name), dev: pkg.dev || undefined, license: 'MIT', optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-optional: ${added} platform entries added`);
