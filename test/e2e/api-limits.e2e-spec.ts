import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ApiClient, basicAuth, type ApiAnswer } from '../support/api-client';
import { freePort, ServiceProcess } from '../support/processes';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

interface Account {
  id: string;
  api_key: string;
  signing_key: string;
}

const KIB = 1024;
const RATE_LIMIT = 20;

function expectMessage(answer: ApiAnswer, status: number, pattern: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.message, 'string', JSON.stringify(answer.body));
  assert.match(answer.body.message as string, pattern);
}

/** A multipart/form-data body of `total` bytes: fields of 48 KiB each, every one under the per-field limit. */
function multipartBody(boundary: string, total: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = 0; size < total; i++) {
    const part = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="filler${i}"\r\n\r\n${'x'.repeat(48 * KIB)}\r\n`,
    );
    parts.push(part);
    size += part.length;
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

interface EarlyAnswer {
  status: number;
  body: string;
  /** Bytes of the body written when the answer came. */
  written: number;
}

/**
 * Sends `body` chunked (no Content-Length), `first` bytes at once and the rest only after `waitMs` without
 * an answer; resolves with the answer and how much had been written when it came.
 */
function sendChunked(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  first: number,
  waitMs: number,
): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = httpRequest(`${url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res: IncomingMessage) => {
      clearTimeout(rest);
      const at = written;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), written: at });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (!req.destroyed || written < body.length) reject(err);
    });
    for (let offset = 0; offset < first; offset += 16 * KIB) {
      req.write(body.subarray(offset, Math.min(first, offset + 16 * KIB)));
    }
    written = first;
    const rest = setTimeout(() => {
      if (req.destroyed) return;
      written = body.length;
      req.end(body.subarray(first));
    }, waitMs);
  });
}

describe('API limits: streamed bodies, URL length, the rate limit on every route, the internal port', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let api: ApiClient;

  const account = async (name: string) =>
    (await system.admin('/internal/v1/accounts', { name })) as unknown as Account;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start({
      services: ['config'],
      env: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) },
    });
    api = new ApiClient(system.api);
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  });

  describe('a chunked body (no Content-Length) is counted as it streams in', () => {
    it('a 1 MiB multipart body gets 413 in Mailgun shape once 64 KiB have arrived, before the rest is sent', async () => {
      const a = await account('Chunked multipart');
      await system.admin('/internal/v1/domains', { name: 'chunked.example.com', account_id: a.id });
      const boundary = `----hookpost${randomBytes(8).toString('hex')}`;
      const body = multipartBody(boundary, 1024 * KIB);
      const answer = await sendChunked(
        system.api,
        '/v3/domains/chunked.example.com/webhooks',
        {
          authorization: basicAuth(a.api_key),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body,
        128 * KIB,
        15_000,
      );
      assert.equal(answer.status, 413, answer.body);
      assert.match(JSON.parse(answer.body).message, /too large/);
      assert.equal(answer.written, 128 * KIB, 'answered while only 128 KiB of 1 MiB had been sent');
      // The service is well and the request changed nothing.
      const after = await api.as(a.api_key).call('GET', '/v3/domains/chunked.example.com/webhooks');
      assert.equal(after.status, 200, JSON.stringify(after.body));
      assert.deepEqual(after.body, { webhooks: {} });
      // Refused cleanly: no error logged for the reader that saw the request close.
      assert.doesNotMatch(system.service('config').output.join(''), /unexpected API error|HEADERS_SENT/);
    });

    it('a 1 MiB urlencoded body gets 413 too before the rest is sent, and a small chunked form still works', async () => {
      const a = await account('Chunked urlencoded');
      await system.admin('/internal/v1/domains', { name: 'chunked-form.example.com', account_id: a.id });
      const headers = {
        authorization: basicAuth(a.api_key),
        'content-type': 'application/x-www-form-urlencoded',
      };
      const big = Buffer.from(`id=delivered&description=${'x'.repeat(1024 * KIB)}`);
      const refused = await sendChunked(
        system.api,
        '/v3/domains/chunked-form.example.com/webhooks',
        headers,
        big,
        128 * KIB,
        15_000,
      );
      assert.equal(refused.status, 413, refused.body);
      assert.match(JSON.parse(refused.body).message, /too large/);
      assert.equal(refused.written, 128 * KIB, 'answered while only 128 KiB of 1 MiB had been sent');

      const small = Buffer.from(`id=delivered&url=${encodeURIComponent(receiver.url('/small'))}`);
      const accepted = await sendChunked(
        system.api,
        '/v3/domains/chunked-form.example.com/webhooks',
        headers,
        small,
        small.length,
        0,
      );
      assert.equal(accepted.status, 200, accepted.body);
    });
  });

  describe('URL length', () => {
    const urlOf = (length: number) => {
      const base = receiver.url('/');
      return base + 'u'.repeat(length - base.length);
    };

    it('a URL of 2,049 characters is 400 with a message on every form that takes one; 2,048 is accepted', async () => {
      const a = await account('Long URLs');
      await system.admin('/internal/v1/domains', { name: 'long.example.com', account_id: a.id });
      const as = api.as(a.api_key);
      for (const length of [2049, 4000]) {
        expectMessage(
          await as.call('POST', '/v3/domains/long.example.com/webhooks', {
            form: { id: 'delivered', url: urlOf(length) },
          }),
          400,
          /URL must be at most 2048 characters/,
        );
        expectMessage(
          await as.call('POST', '/v4/domains/long.example.com/webhooks', {
            form: { url: urlOf(length), event_types: 'opened' },
          }),
          400,
          /at most 2048/,
        );
        expectMessage(
          await as.call('POST', '/v1/webhooks', { form: { url: urlOf(length), event_types: 'clicked' } }),
          400,
          /at most 2048/,
        );
      }
      const created = await as.call('POST', '/v3/domains/long.example.com/webhooks', {
        form: { id: 'delivered', url: urlOf(2048) },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.deepEqual(created.body.webhook, { urls: [urlOf(2048)] });
      const account_level = await as.call('POST', '/v1/webhooks', {
        form: { url: urlOf(2048), event_types: 'clicked' },
      });
      assert.equal(account_level.status, 200, JSON.stringify(account_level.body));
    });
  });

  describe('rate limit on every route of the Mailgun API', () => {
    it(`settings routes count: the ${RATE_LIMIT + 1}st request to PUT /v5/accounts/features is 429, and then every route is`, async () => {
      const a = await account('Settings flood');
      await system.admin('/internal/v1/domains', { name: 'flood.example.com', account_id: a.id });
      const as = api.as(a.api_key);
      const statuses: number[] = [];
      for (let i = 0; i < RATE_LIMIT; i++) {
        const res = await as.call('PUT', '/v5/accounts/features', {
          form: { standard_webhooks: `{"enabled": ${i % 2 === 0}}` },
        });
        statuses.push(res.status);
      }
      assert.deepEqual(new Set(statuses), new Set([200]));
      const limited = await as.call('PUT', '/v5/accounts/features', {
        form: { standard_webhooks: '{"enabled": true}' },
      });
      expectMessage(limited, 429, /Too many requests/);
      assert.equal(limited.body['retry-seconds'], 60);
      for (const [method, path] of [
        ['GET', '/v5/accounts/features'],
        ['GET', '/v5/accounts/http_signing_key'],
        ['POST', '/v5/accounts/http_signing_key'],
        ['GET', '/v4/domains/flood.example.com'],
        ['GET', '/v3/domains/flood.example.com/webhooks'],
      ]) {
        expectMessage(await as.call(method, path), 429, /Too many requests/);
      }
      // Another account is not limited.
      const b = await account('Quiet');
      assert.equal((await api.as(b.api_key).call('GET', '/v5/accounts/features')).status, 200);
    });

    it('GET /v4/domains/{d} alone reaches the limit too', async () => {
      const a = await account('Domain reads');
      await system.admin('/internal/v1/domains', { name: 'reads.example.com', account_id: a.id });
      const as = api.as(a.api_key);
      for (let i = 0; i < RATE_LIMIT; i++) {
        assert.equal((await as.call('GET', '/v4/domains/reads.example.com')).status, 200);
      }
      expectMessage(await as.call('GET', '/v4/domains/reads.example.com'), 429, /Too many requests/);
    });
  });

  describe('INTERNAL_HTTP_PORT', () => {
    it('serves /internal/* only on its own port (404 on the public one), and the Mailgun API only on the public port', async () => {
      const internalPort = await freePort();
      const env = {
        ...system.env,
        GRPC_PORT: String(await freePort()),
        INTERNAL_HTTP_PORT: String(internalPort),
      };
      const split = ServiceProcess.spawn('config', env, await freePort());
      try {
        await split.waitReady();
        const internal = `http://127.0.0.1:${internalPort}`;
        const admin = (base: string) =>
          fetch(`${base}/internal/v1/accounts`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${system.env.ADMIN_TOKEN}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ name: 'Split' }),
          });

        const onPublic = await admin(split.url);
        assert.equal(onPublic.status, 404);
        assert.equal(typeof ((await onPublic.json()) as { message?: unknown }).message, 'string');

        const onInternal = await admin(internal);
        assert.equal(onInternal.status, 201);
        const created = (await onInternal.json()) as Account;

        const publicApi = new ApiClient(split.url, created.api_key);
        assert.equal((await publicApi.call('GET', '/v1/webhooks')).status, 200);
        expectMessage(
          await new ApiClient(internal, created.api_key).call('GET', '/v1/webhooks'),
          404,
          /Cannot GET/,
        );
        assert.equal((await fetch(`${internal}/openapi.json`)).status, 404);
        // The web console is the public port's only.
        assert.equal((await fetch(`${internal}/`)).status, 404);
        assert.equal((await fetch(`${split.url}/`)).status, 200);
        // The probes answer on both.
        assert.equal((await fetch(`${internal}/readyz`)).status, 200);
        assert.equal((await fetch(`${split.url}/readyz`)).status, 200);
      } finally {
        await split.stop();
      }
    });

    it('unset, the internal API stays on HTTP_PORT (as before); an invalid value stops the service naming it', async () => {
      assert.equal(
        (await system.admin('/internal/v1/accounts', { name: 'Shared port' })).name,
        'Shared port',
      );
      const bad = ServiceProcess.spawn(
        'config',
        { ...system.env, GRPC_PORT: String(await freePort()), INTERNAL_HTTP_PORT: 'eighty' },
        await freePort(),
      );
      try {
        const code = await Promise.race([
          bad.exited(),
          new Promise<string>((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000)),
        ]);
        assert.equal(code, 78);
        assert.match(bad.output.join(''), /INTERNAL_HTTP_PORT/);
      } finally {
        await bad.kill();
      }
    });
  });
});
