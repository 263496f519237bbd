import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import fc from 'fast-check';
import { WEBHOOK_EVENT_TYPES } from '@hookpost/contracts';
import { basicAuth } from '../support/api-client';
import { ROOT } from '../support/processes';
import { TestSystem } from '../support/system';

const REQUESTS = Number(process.env.API_FUZZ_REQUESTS ?? 1200);
const SEED = Number(process.env.API_FUZZ_SEED ?? 7);

interface Operation {
  method: string;
  path: string;
  query: string[];
  form: string[];
  json: boolean;
}

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
        requestBody?: {
          $ref?: string;
          content?: Record<string, { schema?: { $ref?: string; properties?: Record<string, unknown> } }>;
        };
      }
    >
  >;
  components: {
    parameters: Record<string, { name: string; in: string }>;
    requestBodies: Record<string, { content: Record<string, { schema: { $ref?: string } }> }>;
    schemas: Record<string, { properties?: Record<string, unknown> }>;
  };
};

/** Every operation of the served OpenAPI document, with its query parameters and body fields. */
function operationsOf(doc: Doc): Operation[] {
  const ref = (r: string) => r.split('/').pop() as string;
  const fieldsOf = (
    content: Record<string, { schema?: { $ref?: string; properties?: Record<string, unknown> } }>,
  ) => {
    const media =
      content['multipart/form-data'] ??
      content['application/x-www-form-urlencoded'] ??
      content['application/json'];
    const schema = media?.schema?.$ref ? doc.components.schemas[ref(media.schema.$ref)] : media?.schema;
    return Object.keys(schema?.properties ?? {});
  };
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!op.operationId) continue;
      const params = (op.parameters ?? []).map((p) => (p.$ref ? doc.components.parameters[ref(p.$ref)] : p));
      const body = op.requestBody?.$ref
        ? doc.components.requestBodies[ref(op.requestBody.$ref)]
        : op.requestBody;
      const content = body?.content ?? {};
      out.push({
        method: method.toUpperCase(),
        path,
        query: params.filter((p) => p?.in === 'query').map((p) => p!.name as string),
        form: fieldsOf(content),
        json: 'application/json' in content,
      });
    }
  }
  return out;
}

describe(`the REST API under ${REQUESTS} property-based requests from its OpenAPI document (seed ${SEED})`, () => {
  let system: TestSystem;
  const keys: string[] = [];
  let accountId = '';

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config'] });
    for (const name of ['F1', 'F2', 'F3']) {
      const account = await system.admin('/internal/v1/accounts', { name });
      keys.push(account.api_key);
      accountId ||= account.id;
      await system.admin('/internal/v1/domains', {
        name: `${name.toLowerCase()}.example.com`,
        account_id: account.id,
      });
    }
  });

  afterAll(async () => {
    if (system) await system.stop();
  });

  it('never answers 5xx, and every error is in Mailgun’s shape', async () => {
    const doc = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8')) as Doc;
    const operations = operationsOf(doc);
    assert.ok(operations.length >= 25);

    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('', ' ', '%', '..', 'null', '-1', '1e309', 'ü', '\u0000', 'a'.repeat(300)),
      fc.webUrl(),
      fc.constantFrom(
        ...WEBHOOK_EVENT_TYPES,
        'unsubscribe',
        'true',
        'false',
        '{"enabled": true}',
        'http://127.0.0.1:1/x',
      ),
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: text },
      { weight: 1, arbitrary: fc.array(text, { maxLength: 5 }) },
    );
    const request = fc.record({
      op: fc.nat({ max: operations.length - 1 }),
      pathValues: fc.array(fc.oneof(text, fc.constantFrom('f1.example.com', 'f2.example.com', accountId)), {
        minLength: 3,
        maxLength: 3,
      }),
      query: fc.dictionary(
        fc.constantFrom('url', 'webhook_ids', 'all', 'event', 'begin', 'end', 'limit', 'page', 'x'),
        text,
        { maxKeys: 4 },
      ),
      fields: fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 3 }),
      known: fc.array(value, { minLength: 6, maxLength: 6 }),
      auth: fc.constantFrom('key0', 'key1', 'key2', 'none', 'bad', 'admin'),
      encoding: fc.constantFrom('multipart', 'urlencoded', 'json'),
      onBehalfOf: fc.option(text, { freq: 5 }),
    });

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const r of fc.sample(request, { numRuns: REQUESTS, seed: SEED })) {
      const op = operations[r.op];
      let i = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.pathValues[i++ % 3] || 'x'));
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(r.query)) if (op.query.includes(k) || k === 'x') query.append(k, v);
      const fields: Record<string, string | string[]> = { ...r.fields };
      op.form.forEach((name, n) => (fields[name] = r.known[n % r.known.length]));
      const headers: Record<string, string> = {};
      if (r.auth.startsWith('key')) headers.authorization = basicAuth(keys[Number(r.auth.slice(3))]);
      if (r.auth === 'bad') headers.authorization = basicAuth('key-not-a-key');
      if (r.auth === 'admin' || op.path.startsWith('/internal'))
        headers.authorization = `Bearer ${system.env.ADMIN_TOKEN}`;
      if (r.onBehalfOf !== null)
        headers['x-mailgun-on-behalf-of'] = r.onBehalfOf.replace(/[^\x20-\x7e]/g, '');
      let body: string | URLSearchParams | FormData | undefined;
      if (op.method !== 'GET' && op.method !== 'DELETE') {
        if (op.json || r.encoding === 'json') {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(fields);
        } else if (r.encoding === 'urlencoded') {
          body = new URLSearchParams();
          for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
        } else {
          body = new FormData();
          for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
        }
      }
      const url = `${system.api}${path}${query.size ? `?${query}` : ''}`;
      const res = await fetch(url, { method: op.method, headers, body });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const answer = await res.text();
      if (res.status >= 500) failures.push(`${op.method} ${url} -> ${res.status} ${answer.slice(0, 200)}`);
      else if (res.status >= 400) {
        let parsed: { message?: unknown } | null;
        try {
          parsed = JSON.parse(answer) as { message?: unknown };
        } catch {
          parsed = null;
        }
        if (typeof parsed?.message !== 'string')
          failures.push(`${op.method} ${url} -> ${res.status} not Mailgun-shaped: ${answer.slice(0, 200)}`);
      }
    }
    assert.deepEqual(failures.slice(0, 10), [], `status counts ${JSON.stringify([...statuses])}`);
    // The requests reached past validation too, not only refusals.
    assert.ok(
      [...statuses].some(([status, n]) => status < 300 && n > 10),
      JSON.stringify([...statuses]),
    );
  });
});
