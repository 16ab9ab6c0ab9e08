// Start-up cost of the compiled CLI (bin/keygate.js → dist/) against the same sources run through
// tsx (`node --import tsx src/runtime/main.ts`, what bin/keygate.js did before the build), alternating
// in the same run: `keygate --help` wall time, and `keygate serve` time until it listens and its
// RSS at that moment (SQLite, an already migrated data folder, port 0). Medians of ROUNDS rounds.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printFigures } from './report.ts';

const ROUNDS = Number(process.env.KEYGATE_BENCH_ROUNDS ?? 10);
const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = [join(root, 'bin', 'keygate.js')];
const throughTsx = ['--import', 'tsx', join(root, 'src', 'runtime', 'main.ts')];

/** Wall time of one run to exit, in ms. */
function timeToExit(entry: string[], args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...entry, ...args], { env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${entry.join(' ')} ${args.join(' ')} exited with ${result.status}`);
  return performance.now() - started;
}

/** Starts `serve`, waits for the banner's first line, reads the process's RSS, stops it. */
function serveUntilListening(entry: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...entry, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const early = (code: number | null) => reject(new Error(`serve exited with ${code} before listening:\n${output}`));
    child.once('exit', early);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!/Keygate is running on/.test(output)) return;
      const ms = performance.now() - started;
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
      child.stdout.removeAllListeners('data');
      child.off('exit', early);
      child.once('exit', () => resolve({ ms, rssMb: rssKb / 1024 }));
      child.kill('SIGTERM');
    });
  });
}

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-server.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-startup-'));
const env: NodeJS.ProcessEnv = { ...process.env, KEYGATE_DATA_DIR: dataDir, KEYGATE_LOG_LEVEL: 'silent' };
delete env.DATABASE_URL;
delete env.REDIS_URL;
try {
  timeToExit(compiled, ['migrate'], env);
  const samples = { helpCompiled: [] as number[], helpTsx: [] as number[], serveCompiled: [] as number[], serveTsx: [] as number[], rssCompiled: [] as number[], rssTsx: [] as number[] };
  // One unmeasured round of each warms the file system cache.
  timeToExit(throughTsx, ['--help'], env);
  await serveUntilListening(throughTsx, env);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so a burst of load elsewhere falls on both alike.
    const sides = round % 2 === 0 ? (['Compiled', 'Tsx'] as const) : (['Tsx', 'Compiled'] as const);
    for (const side of sides) {
      const entry = side === 'Compiled' ? compiled : throughTsx;
      samples[`help${side}`].push(timeToExit(entry, ['--help'], env));
      const serve = await serveUntilListening(entry, env);
      samples[`serve${side}`].push(serve.ms);
      samples[`rss${side}`].push(serve.rssMb);
    }
  }
  printFigures(`start-up, compiled vs tsx (median of ${ROUNDS} rounds)`, [
    { name: 'keygate --help', value: median(samples.helpCompiled), unit: 'ms', baseline: median(samples.helpTsx), lowerIsBetter: true },
    { name: 'keygate serve, until listening', value: median(samples.serveCompiled), unit: 'ms', baseline: median(samples.serveTsx), lowerIsBetter: true },
    { name: 'keygate serve, RSS when listening', value: median(samples.rssCompiled), unit: 'MB', baseline: median(samples.rssTsx), lowerIsBetter: true },
  ]);
  const range = (values: number[]) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
  console.log(`  ranges: --help ${range(samples.helpCompiled)} ms vs ${range(samples.helpTsx)} ms; serve ${range(samples.serveCompiled)} ms vs ${range(samples.serveTsx)} ms; RSS ${range(samples.rssCompiled)} MB vs ${range(samples.rssTsx)} MB`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
