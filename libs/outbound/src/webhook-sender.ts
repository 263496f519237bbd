import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { DeliveryResult } from '@hookpost/domain';
import { destinationAllowed, MAX_REASON_BYTES } from '@hookpost/domain';

type Policy = Parameters<typeof destinationAllowed>[1];

class DestinationRefused extends Error {
  readonly code = 'EDESTINATIONREFUSED';
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** DNS resolution that refuses private, loopback, link-local and metadata addresses (resolved once). */
function guardedLookup(policy: Policy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !destinationAllowed(a.address, policy));
      if (refused) {
        return callback(
          new DestinationRefused(`destination ${hostname} resolves to ${refused.address}, not allowed`),
          [],
        );
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface SendResult {
  result: DeliveryResult;
  durationMs: number;
}

/**
 * POSTs webhooks with undici: keep-alive pools per origin, one deadline from connect to last byte,
 * no redirects followed, at most 1 KiB of the response kept.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly timeoutMs: number,
    private readonly policy: Policy,
    connectionsPerOrigin: number,
  ) {
    this.agent = new Agent({
      connections: connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs, lookup: guardedLookup(policy) },
    });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<SendResult> {
    const started = performance.now();
    const done = (result: DeliveryResult) => ({ result, durationMs: performance.now() - started });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return done({ kind: 'error', errorClass: 'invalid_url', message: `invalid URL ${url}` });
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !destinationAllowed(host, this.policy)) {
      return done({
        kind: 'error',
        errorClass: 'destination_refused',
        message: `destination ${host} is not allowed`,
      });
    }
    try {
      const res = await request(target, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'hookpost/0.1', ...headers },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await readUpTo(res.body, MAX_REASON_BYTES);
      return done({ kind: 'response', status: res.statusCode, body: text });
    } catch (err) {
      return done({ kind: 'error', ...errorClassOf(err) });
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

async function readUpTo(body: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

type DeliveryError = Omit<Extract<DeliveryResult, { kind: 'error' }>, 'kind'>;

function errorClassOf(err: unknown): DeliveryError {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
  if (code === 'EDESTINATIONREFUSED' || e.cause instanceof DestinationRefused) {
    return { errorClass: 'destination_refused', message: e.message ?? message };
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/.test(code)) {
    return { errorClass: 'timeout', message };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { errorClass: 'dns', message };
  return { errorClass: 'connection', message: code ? `${code}: ${e.message}` : message };
}
