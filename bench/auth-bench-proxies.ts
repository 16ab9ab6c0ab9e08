// The native-code peers of bench/auth.bench.ts, each in its own process: HAProxy checking a key by
// the SHA-256 of the bearer token looked up in a map (one thread), and nginx in front of the bare
// route, once alone and once with the README's `auth_request` snippet pointing at Keygate.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A peer process the bench started, and how to stop it (by its own PID only). */
export interface ProxyProcess {
  readonly url: string;
  /** CPU time the proxy process has used, in µs (null where /proc cannot be read). */
  cpuMicros(): number | null;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The first of `candidates` that runs with `versionFlag`, or null. */
function findBinary(candidates: string[], versionFlag: string): string | null {
  for (const candidate of candidates) if (spawnSync(candidate, [versionFlag], { stdio: 'ignore' }).status === 0) return candidate;
  return null;
}

/**
 * HAProxy's binary, installed with apt-get when missing (the issue asks for Debian's package);
 * a string saying why not when that fails, so the bench prints it and goes on without HAProxy.
 */
export function haproxyBinary(): { path: string } | { skipped: string } {
  const candidates = ['haproxy', '/usr/sbin/haproxy', '/usr/local/sbin/haproxy'];
  let found = findBinary(candidates, '-v');
  if (found) return { path: found };
  const install = spawnSync('apt-get', ['install', '-y', 'haproxy'], { stdio: 'ignore', timeout: 120_000 });
  found = findBinary(candidates, '-v');
  return found ? { path: found } : { skipped: `haproxy is not installed and apt-get install -y haproxy failed (exit ${install.status ?? install.error?.message})` };
}

/** nginx's binary, or null. */
export function nginxBinary(): string | null {
  return findBinary(['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'], '-v');
}

/** HAProxy's configuration: one thread, 200 "ok" when sha2(256) of the bearer token is in the map, else 401. */
export function haproxyConfig(port: number, mapFile: string): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout connect 5s',
    'frontend auth',
    `  bind 127.0.0.1:${port}`,
    '  http-request set-var(txn.key) req.hdr(authorization),word(2,\' \'),sha2(256),hex,lower',
    `  http-request return status 200 content-type text/plain string ok if { var(txn.key),map(${mapFile}) -m found }`,
    '  http-request return status 401 content-type text/plain string unauthorized',
    '',
  ].join('\n');
}

/** Starts HAProxy with a map holding the SHA-256 of `key`. */
export async function startHaproxy(binary: string, dir: string, key: string): Promise<ProxyProcess> {
  const port = await freePort();
  const mapFile = join(dir, 'keys.map');
  writeFileSync(mapFile, `${createHash('sha256').update(key).digest('hex')} bench\n`);
  const configFile = join(dir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(port, mapFile));
  // -db: stay in the foreground, so the process the bench holds is HAProxy itself.
  return started(spawn(binary, ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] }), `http://127.0.0.1:${port}`, 'haproxy');
}

/** The nginx snippet exactly as README.md shows it: the ```nginx block after `<!-- nginx-forward-auth -->`. */
export function readmeNginxSnippet(readmePath: string): string {
  const match = /<!-- nginx-forward-auth -->\s*```nginx\n([\s\S]*?)```/.exec(readFileSync(readmePath, 'utf8'));
  if (!match) throw new Error('README.md has no ```nginx block after <!-- nginx-forward-auth -->');
  return match[1];
}

/** An upstream block for the API with keep-alive, and the lines a location needs to use it. */
const apiUpstream = (api: string) => `upstream api {\n    server ${api};\n    keepalive 32;\n}\n`;
const API_PASS = 'proxy_pass http://api;\n        proxy_http_version 1.1;\n        proxy_set_header Connection "";';

/**
 * One nginx worker with two servers: `alonePort` proxies to the API (keep-alive), `authPort` runs the
 * README snippet (Keygate on keep-alive, as the snippet says) with its API pass switched to the same
 * keep-alive upstream, so the two differ only by the auth_request.
 */
export function nginxConfig(prefix: string, snippet: string, ports: { alone: number; auth: number }, keygate: string, api: string): string {
  const withAuth = snippet
    .replaceAll('127.0.0.1:8080', keygate)
    .replace('proxy_pass http://127.0.0.1:3000;', API_PASS)
    .replace(/listen 80;/, `listen 127.0.0.1:${ports.auth};`);
  if (!withAuth.includes(API_PASS) || !withAuth.includes(`listen 127.0.0.1:${ports.auth};`)) throw new Error('the README nginx snippet no longer has `listen 80;` and `proxy_pass http://127.0.0.1:3000;` to point at the bench servers');
  const temp = (name: string) => `  ${name}_temp_path ${join(prefix, name)};`;
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${join(prefix, 'nginx.pid')};`,
    `error_log ${join(prefix, 'error.log')} error;`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    temp('client_body'),
    temp('proxy'),
    temp('fastcgi'),
    temp('uwsgi'),
    temp('scgi'),
    apiUpstream(api),
    `server {\n    listen 127.0.0.1:${ports.alone};\n    location /api/ {\n        ${API_PASS}\n    }\n}`,
    withAuth,
    '}',
    '',
  ].join('\n');
}

/** Starts nginx (one worker, no master) serving both setups. */
export async function startNginx(binary: string, prefix: string, readmePath: string, keygate: string, api: string): Promise<{ alone: string; auth: string; cpuMicros(): number | null; stop(): Promise<void> }> {
  const ports = { alone: await freePort(), auth: await freePort() };
  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir), { recursive: true });
  const configFile = join(prefix, 'nginx.conf');
  writeFileSync(configFile, nginxConfig(prefix, readmeNginxSnippet(readmePath), ports, keygate, api));
  const proxy = await started(spawn(binary, ['-p', prefix, '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] }), `http://127.0.0.1:${ports.alone}`, 'nginx');
  return { alone: `http://127.0.0.1:${ports.alone}`, auth: `http://127.0.0.1:${ports.auth}`, cpuMicros: proxy.cpuMicros, stop: proxy.stop };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time (user + system) a process has used, in µs, read from /proc; null where it cannot be read. */
function processCpuMicros(pid: number): number | null {
  try {
    // Fields after the command name's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / TICKS_PER_SECOND);
  } catch {
    return null;
  }
}

/** Waits until a spawned proxy answers HTTP (neither announces readiness); fails at once if it exited. */
async function started(child: ChildProcess, url: string, name: string): Promise<ProxyProcess> {
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}: ${stderr}`);
    if (await fetch(url).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} did not answer within 10 s: ${stderr}`);
    await sleep(20);
  }
  return {
    url,
    cpuMicros: () => processCpuMicros(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
