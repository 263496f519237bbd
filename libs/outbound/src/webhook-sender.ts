import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import type { DeliveryResult } from '@hookpost/domain';
import { destinationAllowed, MAX_REASON_BYTES } from '@hookpost/domain';
import { CachingResolver, DnsError, type DnsOptions } from './dns-resolver';

type Policy = Parameters<typeof destinationAllowed>[1];

class DestinationRefused extends Error {
  readonly code = 'EDESTINATIONREFUSED';
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * DNS resolution (asynchronous, budgeted, cached: CachingResolver) that refuses private, loopback,
 * link-local and metadata addresses; the refusal names the host, never the address it resolved to.
 */
function guardedLookup(policy: Policy, resolver: CachingResolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    resolver.resolve(hostname).then(
      (all) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const addresses = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (addresses.length === 0) {
          return callback(new DnsError('ENOTFOUND', `DNS: ${hostname} has no IPv${family} address`), []);
        }
        if (addresses.some((a) => !destinationAllowed(a.address, policy))) {
          return callback(
            new DestinationRefused(
              `destination ${hostname} resolves to a private or reserved address, not allowed`,
            ),
            [],
          );
        }
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      },
      (err: Error) => callback(err, []),
    );
  };
}

export interface SendResult {
  result: DeliveryResult;
  durationMs: number;
}

/** Called once the whole request (headers and body) has been handed to the connection. */
export type OnRequestWritten = () => void;

class DeadlineExceeded extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * POSTs webhooks with undici: keep-alive pools per origin, one deadline from queueing to last byte,
 * no redirects followed, at most 1 KiB of the response kept.
 *
 * It speaks undici's dispatcher handler protocol directly (no response stream per request) so that it can
 * report the moment the request was written: the dispatch journal records a POST as made from then on.
 */
export class WebhookSender {
  private readonly agent: Agent;

  /**
   * `connectionsPerOrigin`: null for no bound per origin (the dispatcher bounds deliveries per URL and
   * per account, and several URLs on one origin share its pool: a bound there would queue one URL's
   * requests behind another's). `dns`: the resolver's servers and time budget (default: the system's
   * servers, 5 s or the deadline if shorter).
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly policy: Policy,
    connectionsPerOrigin: number | null,
    dns: DnsOptions = { budgetMs: Math.min(5000, timeoutMs) },
  ) {
    this.agent = new Agent({
      connections: connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs, lookup: guardedLookup(policy, new CachingResolver(dns)) },
      // HTTP/1.1 only (undici 8 negotiates HTTP/2 by default): a connection per request in flight, so
      // the per-URL and per-account slots of the dispatcher are what limits deliveries at once.
      allowH2: false,
    });
  }

  post(
    url: string,
    body: string | Buffer,
    headers: Record<string, string>,
    onWritten?: OnRequestWritten,
  ): Promise<SendResult> {
    const started = performance.now();
    const done = (result: DeliveryResult) => ({ result, durationMs: performance.now() - started });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve(
        done({ kind: 'error', errorClass: 'invalid_url', message: `invalid URL ${url}` }),
      );
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !destinationAllowed(host, this.policy)) {
      return Promise.resolve(
        done({
          kind: 'error',
          errorClass: 'destination_refused',
          message: `destination ${host} is not allowed`,
        }),
      );
    }
    return new Promise<SendResult>((resolve) => {
      const exchange = new Exchange(
        (result) => resolve(done(result)),
        onWritten,
        this.timeoutMs,
        isIP(host) ? null : host,
      );
      try {
        this.agent.dispatch(
          {
            origin: target.origin,
            path: `${target.pathname}${target.search}`,
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', 'user-agent': 'hookpost/0.1', ...headers },
          },
          exchange,
        );
      } catch (err) {
        exchange.failed(err as Error);
      }
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * One request's handler (undici's dispatch handler API, v2): keeps the status and the first 1 KiB of the
 * body, settles exactly once, and aborts the request when it settles early (deadline, body long enough).
 */
class Exchange implements Dispatcher.DispatchHandler {
  private readonly deadline: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | null = null;
  private settled = false;
  private status = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly settle: (result: DeliveryResult) => void,
    private readonly written: OnRequestWritten | undefined,
    timeoutMs: number,
    /** The URL's host when it is a name: the addresses it resolved to stay out of the reason. */
    private readonly hostname: string | null,
  ) {
    this.deadline = setTimeout(
      () => this.fail(new DeadlineExceeded(`no complete response within ${timeoutMs} ms`)),
      timeoutMs,
    );
  }

  private fail(err: Error): void {
    this.finish({ kind: 'error', ...errorClassOf(err, this.hostname) });
    this.controller?.abort(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Settled before a connection was free (the deadline): the request is dropped, never written.
    if (this.settled) controller.abort(new DeadlineExceeded('deadline passed before the request was sent'));
  }

  onRequestSent(): void {
    this.written?.();
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number): void {
    // 1xx are interim (100 Continue, 103 Early Hints): the final status follows.
    if (status >= 200) this.status = status;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= MAX_REASON_BYTES) {
      // Enough to explain the status: stop reading (the connection is closed, not drained).
      this.finish(this.response());
      controller.abort(new Error('response body beyond what is kept'));
    }
  }

  onResponseEnd(): void {
    this.finish(this.response());
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.failed(err);
  }

  onRequestUpgrade(): void {
    this.finish({ kind: 'error', errorClass: 'connection', message: 'unexpected protocol upgrade' });
  }

  /** The request failed (or could not be dispatched at all). */
  failed(err: Error): void {
    this.finish({ kind: 'error', ...errorClassOf(err, this.hostname) });
  }

  private response(): DeliveryResult {
    const body = Buffer.concat(this.chunks).subarray(0, MAX_REASON_BYTES).toString('utf8');
    return { kind: 'response', status: this.status, body };
  }

  private finish(result: DeliveryResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    this.settle(result);
  }
}

type DeliveryError = Omit<Extract<DeliveryResult, { kind: 'error' }>, 'kind'>;

/**
 * The class and reason of a failed request. For a URL with a host name, the reason never carries the
 * addresses the name resolved to (a customer must not learn the private addresses our DNS sees): they
 * are replaced by the name.
 */
export function errorClassOf(err: unknown, hostname: string | null = null): DeliveryError {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
  if (code === 'EDESTINATIONREFUSED' || e.cause instanceof DestinationRefused) {
    return { errorClass: 'destination_refused', message: e.message ?? message };
  }
  if (err instanceof DnsError || e.cause instanceof DnsError) {
    return { errorClass: 'dns', message: (err instanceof DnsError ? err : (e.cause as DnsError)).message };
  }
  const scrub = (text: string) => (hostname === null ? text : withoutAddresses(text, hostname));
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/.test(code)) {
    return { errorClass: 'timeout', message: scrub(message) };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { errorClass: 'dns', message: scrub(message) };
  return { errorClass: 'connection', message: scrub(code ? `${code}: ${e.message}` : message) };
}

/** `text` with every IPv4 or IPv6 address (with its port, if any) replaced by `hostname`. */
export function withoutAddresses(text: string, hostname: string): string {
  return text.replace(/[0-9a-f:.[\]]*[:.][0-9a-f:.[\]]*/gi, (token) =>
    isAddress(token) ? `${hostname}${/\.*$/.exec(token)?.[0] ?? ''}` : token,
  );
}

function isAddress(token: string): boolean {
  const bare = token.replace(/\.+$/, '');
  const unbracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare)?.[1];
  if (unbracketed !== undefined) return isIP(unbracketed) !== 0;
  return isIP(bare) !== 0 || isIP(bare.replace(/:\d+$/, '')) !== 0;
}
