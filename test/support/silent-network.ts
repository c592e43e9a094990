import { connect, createServer, type Server, Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** One direction of one connection: bytes forwarded at once, or held while the network is silent. */
interface Link {
  readonly to: Socket;
  readonly held: Buffer[];
}

/**
 * A network between a kafkajs client and its brokers that can stop carrying traffic without
 * closing anything: `silence()` stops delivering bytes both ways (connections stay open, new ones
 * are accepted and carry nothing), `heal()` delivers what was held, in order, and carries traffic
 * again, as TCP retransmits after a partition heals; nothing is cut or reordered. The broker runs
 * on meanwhile, so its group sessions time out as they would behind a real network.
 */
export class SilentNetwork {
  private silent = false;
  private readonly proxies = new Map<string, Promise<number>>();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<Link>();

  /** For kafkajs' `socketFactory`: every connection, to any broker, goes through this network. */
  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = new Socket();
    this.proxyFor(host, port).then(
      (proxyPort) => socket.connect({ host: '127.0.0.1', port: proxyPort }, onConnect),
      (error: unknown) => socket.destroy(error as Error),
    );
    return socket;
  };

  silence(): void {
    this.silent = true;
  }

  heal(): void {
    this.silent = false;
    for (const link of this.links) {
      for (const chunk of link.held.splice(0)) link.to.write(chunk);
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }

  private proxyFor(host: string, port: number): Promise<number> {
    const target = `${host}:${port}`;
    let listening = this.proxies.get(target);
    if (!listening) {
      listening = new Promise<number>((resolve, reject) => {
        const server = createServer((client) => this.carry(client, host, port));
        this.servers.push(server);
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : 0);
        });
      });
      this.proxies.set(target, listening);
    }
    return listening;
  }

  private carry(client: Socket, host: string, port: number): void {
    const broker = connect({ host, port });
    for (const [from, to] of [
      [client, broker],
      [broker, client],
    ] as const) {
      const link: Link = { to, held: [] };
      this.links.add(link);
      this.sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (this.silent || link.held.length > 0) link.held.push(chunk);
        else to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        this.sockets.delete(from);
        this.links.delete(link);
        to.destroy();
      });
    }
  }
}
