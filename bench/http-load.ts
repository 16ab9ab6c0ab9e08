// HTTP load for the benchmarks, always in its own process: wrk (one thread) when installed, else
// autocannon's command line. The generator never shares an event loop with a server under test.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What one load run measured. */
export interface LoadRun {
  readonly rps: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Answers outside 2xx/3xx. */
  readonly non2xx: number;
  /** Connect/read/write errors and timeouts. */
  readonly errors: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly seconds: number;
}

const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

/** The load generator used: wrk unless BENCH_LOAD=autocannon or wrk is missing. */
export function loadGenerator(): 'wrk' | 'autocannon' {
  if (process.env.BENCH_LOAD === 'autocannon') return 'autocannon';
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error ? 'autocannon' : 'wrk';
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}: ${err}${out}`))));
  });
}

const WRK_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Reads wrk's text report (run with --latency). */
export function parseWrk(report: string): LoadRun {
  const number = (pattern: RegExp) => Number(pattern.exec(report)?.[1] ?? 0);
  const p99 = /^\s*99%\s+([0-9.]+)(us|ms|s|m)\s*$/m.exec(report);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  return {
    rps: number(/Requests\/sec:\s+([0-9.]+)/),
    p99Ms: p99 ? Number(p99[1]) * WRK_UNITS[p99[2]] : NaN,
    requests: number(/(\d+) requests in/),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** Drives `url` for `seconds` with `connections` keep-alive connections. */
export async function load(options: LoadOptions): Promise<LoadRun> {
  const headerArgs = (flag: string) => Object.entries(options.headers).flatMap(([name, value]) => [flag, `${name}: ${value}`]);
  if (loadGenerator() === 'wrk') {
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', ...headerArgs('-H'), options.url];
    return parseWrk(await run('wrk', args));
  }
  const args = ['-c', String(options.connections), '-d', String(options.seconds), '-j', ...headerArgs('-H'), options.url];
  const result = JSON.parse(await run(process.execPath, [AUTOCANNON, ...args]));
  return { rps: result.requests.average, p99Ms: result.latency.p99, requests: result.requests.total, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}
