// Runs every benchmark file (bench/*.bench.ts) one after another, each in its own process so one
// benchmark's garbage and open sockets never skew the next. `npm run bench -- auth` narrows by name.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer } from './compiled-build.ts';

const here = new URL('.', import.meta.url).pathname;
const filters = process.argv.slice(2);
const all = readdirSync(here).filter((name) => name.endsWith('.bench.ts'));
// A filter that names a benchmark exactly runs that one (`realtime` is not also `realtime-cluster`);
// otherwise it matches every benchmark whose name contains it.
const matches = (name: string, filter: string) => (all.includes(`${filter}.bench.ts`) ? name === `${filter}.bench.ts` : name.includes(filter));
const files = all.filter((name) => filters.length === 0 || filters.some((f) => matches(name, f))).sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')}`);
  process.exit(1);
}
// Every bench loads Keygate from dist/ (compiled-build.ts): build it from the current source first.
buildServer();
let failed = false;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, file)], { stdio: 'inherit', env: { ...process.env, KEYGATE_LOG_LEVEL: 'silent' } });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
