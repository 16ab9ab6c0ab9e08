// The benches measure what ships: the compiled build in dist/ that bin/keygate.js runs, never src/
// through tsx. tsx compiles TypeScript with esbuild's keepNames, which wraps every named closure in a
// call that redefines the closure's `name` with Object.defineProperty each time the closure is made.
// On a path that makes one per request (the forward-auth fast path's `clientIp`), that alone cost
// 2.5–4.5 µs of a 21 µs check, so a bench of src/ measured a Keygate no one runs. The bench files
// stay TypeScript; only Keygate's own modules come from dist/, typed as their sources.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);

/** Compiles src/ to dist/ (tsc build mode: about a second when nothing changed); throws if it fails. */
export function buildServer(): void {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('scripts/build-server.mjs', root))], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build:server failed: the benches measure the compiled build, so they cannot run without it');
}

/**
 * Loads one of Keygate's modules from the compiled build: `source` is its path under src/ without the
 * extension (`runtime/keygate`), and `Module` its source's type (`typeof import('../src/runtime/keygate.ts')`).
 */
export async function compiled<Module>(source: string): Promise<Module> {
  const file = new URL(`dist/${source}.js`, root);
  if (!existsSync(file)) throw new Error(`${fileURLToPath(file)} is missing: run npm run build:server (npm run bench does it first)`);
  return (await import(file.href)) as Module;
}
