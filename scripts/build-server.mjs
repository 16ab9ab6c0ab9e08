#!/usr/bin/env node
// Compiles src/ to dist/ with tsc in build mode, which returns in about a second when nothing
// changed (the test runner calls it before every run). Build mode never deletes outputs, so files
// whose source was moved or deleted are pruned here: a stale dist/ must not keep old code runnable.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}
// Build mode trusts its .tsbuildinfo; if outputs were deleted by hand, it must not say "up to date".
const outputOf = (source) => join(root, 'dist', relative(join(root, 'src'), source)).replace(/\.ts$/, '.js');
if (sources(join(root, 'src')).some((source) => !existsSync(outputOf(source)))) rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '--build', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (name.endsWith('.js')) {
      const source = join(root, 'src', relative(join(root, 'dist'), path)).replace(/\.js$/, '.ts');
      if (!existsSync(source)) rmSync(path);
    }
  }
}
prune(join(root, 'dist'));
