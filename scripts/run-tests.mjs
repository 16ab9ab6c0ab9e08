#!/usr/bin/env node
// Runs every test file with node's test runner (TypeScript through tsx). Arguments narrow the set:
// `npm test -- test/unit` or `npm test -- verifier`.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [relative(process.cwd(), path)] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// A focused test would silently hide the rest of the suite.
const focused = files.filter((file) => /\b(it|test|describe)\.only\(/.test(readFileSync(file, 'utf8')));
if (focused.length > 0) {
  console.error(`focused tests (.only) in: ${focused.join(', ')}`);
  process.exit(1);
}
// The CLI and start-up tests run the real bin/keygate.js, which runs the compiled dist/: build it
// first (about a second when nothing changed), so `npm test` works from a fresh clone.
const runsCompiledCli = files.some((file) => /run-cli\.ts|demo-server\.ts|bin\/keygate\.js/.test(readFileSync(file, 'utf8')));
if (runsCompiledCli) {
  const build = spawnSync(process.execPath, [join(import.meta.dirname, 'build-server.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('the server does not compile (npm run build:server), so the CLI tests cannot run');
    process.exit(build.status ?? 1);
  }
}
const concurrency = process.env.KEYGATE_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, KEYGATE_LOG_LEVEL: process.env.KEYGATE_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
