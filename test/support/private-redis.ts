import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';

/**
 * A redis-server of the test's own, on a free loopback port, that the test may stop and start
 * again (same port, empty: no persistence). Never the shared Redis. Skips when the binary is missing.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server (by its PID) and waits until the port refuses connections. */
  stop(): Promise<void>;
  /** Starts it (again, on the same port) unless it runs, and waits until it accepts connections. */
  start(): Promise<void>;
}

/** Starts a private redis-server; call stop() when done. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (child && child.exitCode === null) return;
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await waitForPort(port, true);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
      await waitForPort(port, false);
    },
  };
  await redis.start();
  return redis;
}

/** True when a redis-server binary is on the PATH. */
export async function hasRedisServer(): Promise<boolean> {
  const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
  const [code] = (await Promise.race([once(probe, 'exit'), once(probe, 'error').then(() => [1])])) as [number | null];
  return code === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForPort(port: number, open: boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted === open) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis port ${port} did not ${open ? 'open' : 'close'} within ${ms} ms`);
}
