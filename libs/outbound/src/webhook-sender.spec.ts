import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestDnsServer } from '../../../test/support/dns-server';
import { WebhookSender, withoutAddresses } from './webhook-sender';

/** A real HTTP server on loopback; each path answers in its own way. */
type Route = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

const ROUTES: Record<string, Route> = {
  '/ok': (_req, body, res) => res.writeHead(200).end(`got ${body.length}`),
  '/big': (_req, _body, res) => res.writeHead(500).end('x'.repeat(64 * 1024)),
  '/redirect': (_req, _body, res) => res.writeHead(302, { location: '/ok' }).end(),
  '/hang': () => undefined,
  '/headers': (req, _body, res) =>
    res.writeHead(200).end(JSON.stringify({ type: req.headers['content-type'], sig: req.headers['x-sig'] })),
};

describe('WebhookSender, against a real HTTP server', () => {
  let server: Server;
  let base: string;
  let closedPort: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(req.url ?? '');
        (ROUTES[req.url ?? ''] ?? ((_q, _b, r: ServerResponse) => r.writeHead(404).end()))(
          req,
          Buffer.concat(chunks),
          res,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = (timeoutMs = 2000, connections: number | null = 4) =>
    new WebhookSender(timeoutMs, { allowPrivate: true, allowCidrs: [] }, connections);

  it('given a 200, then the status and body come back, and the request was reported written once, before the result', async () => {
    const sender = open();
    const events: string[] = [];
    const sent = await sender.post(`${base}/ok`, '{"a":1}', {}, () => events.push('written'));
    events.push('settled');
    await sender.close();
    assert.deepEqual(sent.result, { kind: 'response', status: 200, body: 'got 7' });
    assert.deepEqual(events, ['written', 'settled']);
    assert.ok(sent.durationMs > 0);
  });

  it('given extra headers, then they are sent beside the JSON content type', async () => {
    const sender = open();
    const sent = await sender.post(`${base}/headers`, '{}', { 'x-sig': 'abc' });
    await sender.close();
    assert.deepEqual(sent.result, {
      kind: 'response',
      status: 200,
      body: JSON.stringify({ type: 'application/json', sig: 'abc' }),
    });
  });

  it('given a 64 KiB error body, then only its first 1 KiB is kept', async () => {
    const sender = open();
    const sent = await sender.post(`${base}/big`, '{}', {});
    await sender.close();
    assert.equal(sent.result.kind, 'response');
    assert.equal(sent.result.kind === 'response' && sent.result.status, 500);
    assert.equal(sent.result.kind === 'response' && sent.result.body, 'x'.repeat(1024));
  });

  it('given a 302, then it is the result and the redirect is not followed', async () => {
    const sender = open();
    const before = received.filter((u) => u === '/ok').length;
    const sent = await sender.post(`${base}/redirect`, '{}', {});
    await sender.close();
    assert.deepEqual(sent.result, { kind: 'response', status: 302, body: '' });
    assert.equal(received.filter((u) => u === '/ok').length, before);
  });

  it('given an endpoint that never answers, then a timeout at the deadline; the request was written', async () => {
    const sender = open(300);
    let written = 0;
    const sent = await sender.post(`${base}/hang`, '{}', {}, () => written++);
    await sender.close();
    assert.equal(sent.result.kind, 'error');
    assert.equal(sent.result.kind === 'error' && sent.result.errorClass, 'timeout');
    assert.ok(sent.durationMs >= 290 && sent.durationMs < 2000, `${sent.durationMs} ms`);
    assert.equal(written, 1);
  });

  it('given a request still queued for a connection at its deadline, then a timeout, and it is never written', async () => {
    const sender = open(300, 1);
    const writes: string[] = [];
    const [first, second] = await Promise.all([
      sender.post(`${base}/hang`, '{}', {}, () => writes.push('first')),
      sender.post(`${base}/ok`, '{}', {}, () => writes.push('second')),
    ]);
    // Whatever undici does with the queue after the deadline, the second must not be written late.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sender.close();
    assert.equal(first.result.kind === 'error' && first.result.errorClass, 'timeout');
    assert.equal(second.result.kind === 'error' && second.result.errorClass, 'timeout');
    assert.deepEqual(writes, ['first']);
  });

  it('given a closed port, then a connection error and nothing written', async () => {
    const sender = open();
    let written = 0;
    const sent = await sender.post(`http://127.0.0.1:${closedPort}/x`, '{}', {}, () => written++);
    await sender.close();
    assert.equal(sent.result.kind === 'error' && sent.result.errorClass, 'connection');
    assert.match(sent.result.kind === 'error' ? sent.result.message : '', /ECONNREFUSED/);
    assert.equal(written, 0);
  });

  it('given a private address while private destinations are refused, then destination_refused and no connection', async () => {
    const sender = new WebhookSender(2000, { allowPrivate: false, allowCidrs: [] }, 1);
    const before = received.length;
    let written = 0;
    const literal = await sender.post(`${base}/ok`, '{}', {}, () => written++);
    const named = await sender.post(
      `${base.replace('127.0.0.1', 'localhost')}/ok`,
      '{}',
      {},
      () => written++,
    );
    await sender.close();
    assert.equal(literal.result.kind === 'error' && literal.result.errorClass, 'destination_refused');
    assert.equal(named.result.kind === 'error' && named.result.errorClass, 'destination_refused');
    assert.equal(received.length, before);
    assert.equal(written, 0);
  });

  it('given a URL that does not parse, then invalid_url', async () => {
    const sender = open();
    const sent = await sender.post('not a url', '{}', {});
    await sender.close();
    assert.equal(sent.result.kind === 'error' && sent.result.errorClass, 'invalid_url');
  });

  describe('with host names resolved by its own resolver (a DNS server on UDP loopback)', () => {
    let dns: TestDnsServer;
    beforeAll(async () => {
      dns = await new TestDnsServer((name) =>
        name.startsWith('hang') ? 'hang' : { addresses: ['127.0.0.1'], ttl: 60 },
      ).start();
    });
    afterAll(() => dns.stop());
    const named = (host: string) => base.replace('127.0.0.1', host);
    const withDns = (allowPrivate: boolean, budgetMs = 300) =>
      new WebhookSender(2000, { allowPrivate, allowCidrs: [] }, null, { servers: [dns.address], budgetMs });

    it('given a name that resolves to a private address while those are refused, then destination_refused, and the reason names the host, not the address', async () => {
      const sender = withDns(false);
      const before = received.length;
      const sent = await sender.post(`${named('inside.test')}/ok`, '{}', {});
      await sender.close();
      assert.equal(sent.result.kind, 'error');
      const message = sent.result.kind === 'error' ? sent.result.message : '';
      assert.equal(sent.result.kind === 'error' && sent.result.errorClass, 'destination_refused');
      assert.match(message, /inside\.test resolves to a private or reserved address/);
      assert.doesNotMatch(message, /127\.0\.0\.1/);
      assert.equal(received.length, before);
    });

    it('given a name whose lookup never gets an answer, then a dns failure at the budget, while another name is delivered meanwhile', async () => {
      const sender = withDns(true, 400);
      const started = Date.now();
      const hanging = sender.post(`${named('hang.test')}/ok`, '{}', {});
      const fine = await sender.post(`${named('fine.test')}/ok`, '{}', {});
      const fineMs = Date.now() - started;
      const hung = await hanging;
      await sender.close();
      assert.equal(fine.result.kind === 'response' && fine.result.status, 200);
      assert.ok(fineMs < 350, `the other name was delivered in ${fineMs} ms`);
      assert.equal(hung.result.kind === 'error' && hung.result.errorClass, 'dns');
      assert.match(
        hung.result.kind === 'error' ? hung.result.message : '',
        /hang\.test got no answer within 400 ms/,
      );
    });

    it('given a closed port behind a name, then the connection error names the host, not its address', async () => {
      const sender = withDns(true);
      const sent = await sender.post(`http://closed.test:${closedPort}/x`, '{}', {});
      await sender.close();
      const message = sent.result.kind === 'error' ? sent.result.message : '';
      assert.equal(sent.result.kind === 'error' && sent.result.errorClass, 'connection');
      assert.match(message, /ECONNREFUSED/);
      assert.match(message, /closed\.test/);
      assert.doesNotMatch(message, /127\.0\.0\.1/);
    });
  });

  it('given no bound per origin, then a request to a second path of a host is not queued behind hanging ones to the first', async () => {
    const sender = open(1500, null);
    const hanging = Array.from({ length: 6 }, () => sender.post(`${base}/hang`, '{}', {}));
    const started = Date.now();
    const ok = await sender.post(`${base}/ok`, '{}', {});
    const okMs = Date.now() - started;
    await Promise.all(hanging);
    await sender.close();
    assert.equal(ok.result.kind === 'response' && ok.result.status, 200);
    assert.ok(okMs < 1000, `answered in ${okMs} ms`);
  });
});

describe('withoutAddresses', () => {
  it('given IPv4 and IPv6 addresses with and without ports, then each becomes the host name; other text stays', () => {
    assert.equal(
      withoutAddresses('ECONNREFUSED: connect ECONNREFUSED 10.1.2.3:443', 'h.example'),
      'ECONNREFUSED: connect ECONNREFUSED h.example',
    );
    assert.equal(withoutAddresses('connect ECONNREFUSED ::1:443', 'h'), 'connect ECONNREFUSED h');
    assert.equal(withoutAddresses('to [fd00::5]:80, 2001:db8::1 and 192.168.0.1.', 'h'), 'to h, h and h.');
    assert.equal(
      withoutAddresses('TimeoutError: no complete response within 6000 ms', 'h'),
      'TimeoutError: no complete response within 6000 ms',
    );
  });
});
