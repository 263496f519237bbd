import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { NoFilesInterceptor } from '@nestjs/platform-express';

/** Request bodies of the config API are small forms; anything larger is refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export const TOO_LARGE = { message: `Request body is too large (at most ${MAX_BODY_BYTES} bytes)` };

/** Multipart and urlencoded forms (Mailgun's clients send both); no files, bounded fields. */
export const FormBody = () =>
  NoFilesInterceptor({ limits: { fieldSize: MAX_BODY_BYTES, fields: 200, parts: 200 } });

/** The internal API's path prefix (provisioning, admin token). */
export const INTERNAL_PREFIX = '/internal/';

/** Paths both ports serve: the probes. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Where the internal API is served: with the rest on HTTP_PORT (no internal sockets), or only on the
 * connections of the internal server (INTERNAL_HTTP_PORT), which then serves nothing else but the probes.
 */
export interface InternalApiPorts {
  /** The sockets of the internal server; undefined when the internal API shares the public port. */
  internalSockets?: WeakSet<Socket>;
}

/**
 * A declared body up to this size is read to its end (and dropped) after the 413, on a connection left
 * open: closing it while the client still writes made the client fail with EPIPE before it read the
 * answer (a form a few KiB over the limit is a mistake to explain, not an attack). Larger ones close it.
 */
const DRAINED_BODY_BYTES = 1024 * 1024;

function tooLarge(res: Response, declaredBytes?: number): void {
  if (res.headersSent) return;
  if (declaredBytes === undefined || declaredBytes > DRAINED_BODY_BYTES) res.setHeader('Connection', 'close');
  res.status(413).json(TOO_LARGE);
}

/**
 * Counts the body bytes Node's HTTP parser hands to the request (it calls `push` for each piece of the
 * body, whatever reads it later: body-parser, multer or nothing). A body without Content-Length
 * (chunked) is answered 413 as soon as it passes the limit, and the rest is read and dropped, never
 * buffered; whatever was reading it sees the request close. A body with Content-Length needs no count:
 * the parser delivers at most that many bytes, and a Content-Length over the limit is refused up front.
 */
function countStreamedBody(req: Request, res: Response): void {
  const stream = req as IncomingMessage & { push: (chunk: unknown, encoding?: BufferEncoding) => boolean };
  const push = stream.push.bind(stream);
  let seen = 0;
  let over = false;
  stream.push = (chunk, encoding) => {
    if (chunk === null) return over ? false : push(chunk, encoding);
    if (over) return true; // read and dropped, until the connection closes
    seen += Buffer.isBuffer(chunk) ? chunk.length : Buffer.byteLength(String(chunk));
    if (seen <= MAX_BODY_BYTES) return push(chunk, encoding);
    over = true;
    tooLarge(res);
    return true;
  };
}

/** Body parsers with the size limit (declared or streamed), and the public/internal port split. */
export function configureHttp(app: INestApplication, ports: InternalApiPorts = {}): void {
  const express = app as NestExpressApplication;
  express.use((req: Request, res: Response, next: NextFunction) => {
    if (ports.internalSockets) {
      const internalPath = req.path.startsWith(INTERNAL_PREFIX) || req.path === '/internal';
      const onInternalPort = ports.internalSockets.has(req.socket);
      if (!PROBES.has(req.path) && internalPath !== onInternalPort) {
        res.status(404).json({ message: `Cannot ${req.method} ${req.path}` });
        return;
      }
    }
    const declared = req.headers['content-length'];
    if (declared === undefined) {
      countStreamedBody(req, res);
    } else if (Number(declared) > MAX_BODY_BYTES) {
      tooLarge(res, Number(declared));
      req.resume();
      return;
    }
    next();
  });
  express.useBodyParser('json', { limit: MAX_BODY_BYTES });
  express.useBodyParser('urlencoded', { limit: MAX_BODY_BYTES, extended: true, parameterLimit: 200 });
  express.disable('x-powered-by');
}

/**
 * Serves the same application on a second server for the internal API (INTERNAL_HTTP_PORT), recording
 * its sockets so configureHttp can tell the two apart. Closes with the application's own server.
 */
export async function listenInternal(
  app: INestApplication,
  ports: InternalApiPorts,
  host: string,
  port: number,
): Promise<Server> {
  const internalSockets = ports.internalSockets;
  if (!internalSockets) throw new Error('listenInternal needs the internal sockets of configureHttp');
  const server = createServer(app.getHttpAdapter().getInstance());
  server.on('connection', (socket) => internalSockets.add(socket));
  const main = app.getHttpServer() as Server;
  main.once('close', () => {
    server.closeAllConnections();
    server.close();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
