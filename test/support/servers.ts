import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `count` HTTP servers on loopback, each its own origin (so its own connection pool and per-endpoint cap
 * in Hookpost); `handle(i, req, body, res)` gets server i's requests with their whole body.
 */
export async function startEndpoints(
  count: number,
  handle: (i: number, req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<Server[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(i, req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return servers;
}

export function endpointUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** Closes the servers and every connection they hold. */
export async function stopEndpoints(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
}
