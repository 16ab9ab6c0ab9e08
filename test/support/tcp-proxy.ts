import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './redis-server.ts';

/**
 * A TCP proxy in front of a service (PostgreSQL or Redis in the fault tests) that a test can cut, restore or point elsewhere:
 * `cut()` drops every connection and refuses new ones, as if the service went away; `restore()` lets
 * connections through again on the same port. The service itself is never touched.
 */
export class TcpProxy {
  readonly port: number;
  #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;

  private constructor(port: number, target: { host: string; port: number }) {
    this.port = port;
    this.#target = target;
  }

  /** Starts a proxy on a free port forwarding to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  /** Lets connections through (again). */
  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = connect(this.#target.port, this.#target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }

  /** Drops every open connection and sends new ones to `target`: another server taking over the address (a failover). */
  async switchTo(target: { host: string; port: number }): Promise<void> {
    await this.cut();
    this.#target = target;
    await this.restore();
  }

  /** Drops every open connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
