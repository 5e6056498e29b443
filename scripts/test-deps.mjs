#!/usr/bin/env node
// Installs what the end-to-end tests drive besides Node, all from Debian: the AWS CLI, curl,
// openssl (which wraps imported key material as AWS's import guide does), boto3, s3cmd, rclone, and Chromium (the browser the CORS test drives; no browser is ever downloaded).
// The tests use Debian's `aws` at /usr/bin/aws and boto3 under /usr/bin/python3, never
// whatever else is first on PATH.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  { path: '/usr/bin/aws', pkg: 'awscli' },
  { path: '/usr/bin/curl', pkg: 'curl' },
  { path: '/usr/bin/openssl', pkg: 'openssl' },
  { path: '/usr/lib/python3/dist-packages/boto3/__init__.py', pkg: 'python3-boto3' },
  { path: '/usr/bin/s3cmd', pkg: 's3cmd' },
  { path: '/usr/bin/rclone', pkg: 'rclone' },
  { path: '/usr/bin/chromium', pkg: 'chromium' },
];
const missing = needed.filter((n) => !existsSync(n.path)).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = (args) => execFileSync(isRoot ? 'apt-get' : 'sudo', isRoot ? args : ['apt-get', ...args], {
  stdio: 'inherit',
  env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});
try {
  console.log(`test-deps: installing ${missing.join(', ')} from Debian`);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
} catch (err) {
  console.error(`test-deps: could not install ${missing.join(', ')} (${err.message}). Install them with apt-get and run again.`);
  process.exit(1);
}
