import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { after, before } from 'node:test';
import { startNode, type TestNode } from './harness.ts';
import { waitFor } from './wait-for.ts';

/** True when a `redis-server` binary is on the PATH (fault tests that need their own Redis skip otherwise). */
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** A free TCP port on 127.0.0.1 (the OS picks it; nothing holds it afterwards). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A Redis server of a test's own, on a free port, without persistence: a restart comes back empty.
 * Fault tests kill and restart this one, never the machine's shared Redis; only its own PID is signalled.
 */
export class TestRedisServer {
  readonly port: number;
  readonly url: string;
  #process: ChildProcess | null = null;

  private constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Starts a server and resolves once it answers PING. */
  static async start(): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort());
    await server.restart();
    return server;
  }

  get running(): boolean {
    return this.#process !== null;
  }

  /** Starts the server again on the same port (empty: nothing was saved). */
  async restart(): Promise<void> {
    if (this.#process) throw new Error('redis-server is already running');
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.#process = child;
    child.once('exit', () => {
      if (this.#process === child) this.#process = null;
    });
    await waitFor(() => this.#answers(), `redis-server on port ${this.port} to answer`, 5000);
  }

  /** Kills the server at once (SIGKILL, as a crash) and resolves when it has exited. */
  async kill(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.#process = null;
  }

  /** Sends one command (inline protocol) and resolves with the raw reply. */
  async command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let reply = '';
      socket.setTimeout(2000, () => socket.destroy(new Error(`no reply to ${line}`)));
      socket.once('error', reject);
      socket.on('data', (chunk) => {
        reply += chunk.toString();
        if (reply.endsWith('\r\n')) {
          socket.end();
          resolve(reply);
        }
      });
      socket.connect(this.port, '127.0.0.1', () => socket.write(line + '\r\n'));
    });
  }

  async #answers(): Promise<boolean> {
    try {
      return (await this.command('PING')).startsWith('+PONG');
    } catch {
      return false;
    }
  }
}

/** A suite's test node and the redis-server of its own that the node uses. */
export interface NodeOnOwnRedis {
  readonly redis: TestRedisServer;
  readonly node: TestNode;
}

/**
 * One test node on a redis-server of its own for the calling suite: both started before its tests,
 * and stopped after them (the node first, then that Redis, by its PID). `config` adds node settings.
 */
export function nodeOnOwnRedis(config: Record<string, unknown> = {}): NodeOnOwnRedis {
  const suite = {} as { redis: TestRedisServer; node: TestNode };
  before(async () => {
    suite.redis = await TestRedisServer.start();
    suite.node = await startNode({ config: { ...config, redisUrl: suite.redis.url } });
  });
  after(async () => {
    await suite.node?.stop();
    await suite.redis?.kill();
  });
  return suite;
}
