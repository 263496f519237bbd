import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { WEBHOOK_EVENT_TYPES } from '@hookpost/contracts';
import { parseWebhookName } from '@hookpost/domain';
import { REST_CONTROLLERS } from '../controllers';
import { OpenApiController } from './openapi.controller';
import { HTTP_METHODS, OPENAPI_DOCUMENT, type Operation, type PathItem } from './openapi.document';

/** The repository root, from dist/apps/config/src/openapi where the compiled test runs. */
const ROOT = resolve(__dirname, '../../../../..');
const DOC = OPENAPI_DOCUMENT;

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fails with `message` above Jest's own diff. */
function expectEqual(actual: unknown, expected: unknown, message: string): void {
  try {
    expect(actual).toEqual(expected);
  } catch (err) {
    (err as Error).message = `${message}\n${(err as Error).message}`;
    throw err;
  }
}

/** A local JSON pointer (`#/a/b`) into the document, or undefined when nothing is there. */
function pointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = DOC;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isNode(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Follows `$ref`s until an inline object. */
function deref(value: unknown): Node {
  let node = value;
  for (let hops = 0; isNode(node) && typeof node.$ref === 'string'; hops++) {
    if (hops > 10) throw new Error(`$ref loop at ${node.$ref}`);
    node = pointer(node.$ref);
  }
  if (!isNode(node)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return node;
}

/** Every `$ref` in the document, with where it is. */
function refsIn(value: unknown, at = '#'): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (!isNode(value)) return [];
  return Object.entries(value).flatMap(([key, child]): Array<[string, string]> => {
    if (key === '$ref') return [[at, String(child)]];
    return refsIn(child, `${at}/${key}`);
  });
}

/** Values JSON cannot carry (undefined, functions, NaN, class instances), with where they are. */
function notJson(value: unknown, at = '#'): string[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [at];
  if (Array.isArray(value)) return value.flatMap((item, i) => notJson(item, `${at}/${i}`));
  if (isNode(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([key, child]) => notJson(child, `${at}/${key}`));
  }
  return [at];
}

interface Op {
  method: string;
  path: string;
  item: PathItem;
  op: Operation;
}

const OPERATIONS: Op[] = Object.entries(DOC.paths).flatMap(([path, item]) =>
  HTTP_METHODS.flatMap((method) => {
    const op = item[method];
    return op ? [{ method: method.toUpperCase(), path, item, op }] : [];
  }),
);
const label = ({ method, path }: Op) => `${method} ${path}`;
const isMailgun = ({ path }: Op) => /^\/v[0-9]+\//.test(path);
const isInternal = ({ path }: Op) => path.startsWith('/internal/');

/** Path-item and operation parameters, resolved (an operation's own win on the same name and place). */
function parametersOf({ item, op }: Op): Node[] {
  const byKey = new Map<string, Node>();
  for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref)) {
    byKey.set(`${String(p.in)}:${String(p.name)}`, p);
  }
  return [...byKey.values()];
}

/** The JSON schema of an answer, resolved one level (the `$ref` it points at, if any). */
function responseSchemaRef(op: Operation, status: string): unknown {
  const content = deref(op.responses[status]).content;
  return isNode(content) && isNode(content['application/json'])
    ? (content['application/json'].schema as Node | undefined)?.$ref
    : undefined;
}

/** `/v3/domains/{d}/webhooks` and `/v3/domains/{domain}/webhooks` are the same endpoint. */
const endpoint = (method: string, path: string) => `${method} ${path.replace(/\{[^}]+\}/g, '{}')}`;

describe('docs/openapi.json', () => {
  it('is the document the service serves', () => {
    const file = resolve(ROOT, 'docs', 'openapi.json');
    expect(existsSync(resolve(ROOT, 'package.json'))).toBe(true);
    const stale =
      'docs/openapi.json differs from OPENAPI_DOCUMENT: run `npm run openapi:write` and commit it';
    expect(existsSync(file) ? null : `${file} is missing: run \`npm run openapi:write\``).toBeNull();
    expectEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(DOC)), stale);
  });

  it('holds only what JSON can carry, so the file and the served answer say the same', () => {
    expect(notJson(DOC)).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1.0 with a title and a version', () => {
    expect(DOC.openapi).toBe('3.1.0');
    expect(DOC.info.title).toBeTruthy();
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(DOC.info.version).toBe(pkg.version);
  });

  it('has every $ref resolve to something in the document', () => {
    const refs = refsIn(DOC);
    expect(refs.length).toBeGreaterThan(50);
    const dangling = refs
      .filter(([, ref]) => pointer(ref) === undefined)
      .map(([at, ref]) => `${at} -> ${ref}`);
    expect(dangling).toEqual([]);
  });

  it('uses every component it defines', () => {
    const used = new Set(refsIn(DOC).map(([, ref]) => ref));
    const unused = Object.entries(DOC.components)
      .filter(([kind]) => kind !== 'securitySchemes')
      .flatMap(([kind, entries]) => Object.keys(entries).map((name) => `#/components/${kind}/${name}`))
      .filter((ref) => !used.has(ref));
    expect(unused).toEqual([]);
  });

  it('gives every operation a unique operationId, a one-line summary, known tags and responses', () => {
    const ids = OPERATIONS.map(({ op }) => op.operationId);
    expect(ids.every((id) => /^[A-Za-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(DOC.tags.map((t) => t.name));
    for (const o of OPERATIONS) {
      expect([label(o), /^[^\n]{10,120}$/.test(o.op.summary)]).toEqual([label(o), true]);
      expect([label(o), o.op.tags.every((t) => tags.has(t))]).toEqual([label(o), true]);
      const statuses = Object.keys(o.op.responses);
      expect([label(o), statuses.some((s) => /^2\d\d$/.test(s))]).toEqual([label(o), true]);
      for (const status of statuses) {
        expect([label(o), status, /^[1-5]\d\d$/.test(status)]).toEqual([label(o), status, true]);
        expect([label(o), status, typeof deref(o.op.responses[status]).description]).toEqual([
          label(o),
          status,
          'string',
        ]);
      }
    }
  });

  it('declares every path parameter of every path template, and no other', () => {
    for (const o of OPERATIONS) {
      const inTemplate = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const params = parametersOf(o);
      const declared = params.filter((p) => p.in === 'path');
      expect([label(o), declared.map((p) => p.name).sort()]).toEqual([label(o), inTemplate]);
      expect([label(o), declared.every((p) => p.required === true)]).toEqual([label(o), true]);
      const all = [...(o.item.parameters ?? []), ...(o.op.parameters ?? [])].map(deref);
      expect([label(o), all.length]).toEqual([label(o), params.length]);
    }
  });

  it('secures the Mailgun API with basic auth and the internal API with the bearer token', () => {
    expect(Object.keys(DOC.components.securitySchemes).sort()).toEqual(['basicAuth', 'bearerAuth']);
    for (const o of OPERATIONS) {
      const expected = isMailgun(o) ? [{ basicAuth: [] }] : isInternal(o) ? [{ bearerAuth: [] }] : [];
      expectEqual(o.op.security, expected, label(o));
      if (!isMailgun(o) && !isInternal(o)) expect(o.path).toBe('/openapi.json');
    }
  });

  it('takes X-Mailgun-On-Behalf-Of on every Mailgun API operation, and only there', () => {
    for (const o of OPERATIONS) {
      const header = parametersOf(o).find((p) => p.in === 'header' && p.name === 'X-Mailgun-On-Behalf-Of');
      expect([label(o), header !== undefined]).toEqual([label(o), isMailgun(o)]);
    }
  });

  it("answers Mailgun's error shape: 400, 401, 403, 404 and 409 are Error, 429 is RateLimited", () => {
    for (const o of OPERATIONS) {
      const statuses = Object.keys(o.op.responses);
      if (o.path !== '/openapi.json') {
        expect([label(o), statuses.includes('401'), statuses.includes('503')]).toEqual([
          label(o),
          true,
          true,
        ]);
      }
      if (isMailgun(o)) expect([label(o), statuses.includes('403')]).toEqual([label(o), true]);
      for (const status of ['400', '401', '403', '404', '409', '413', '503']) {
        if (!statuses.includes(status)) continue;
        expectEqual(responseSchemaRef(o.op, status), '#/components/schemas/Error', `${label(o)} ${status}`);
      }
      // The rate limit covers every route of the Mailgun API (settings included), not the internal API.
      const rateLimited = isMailgun(o);
      expect([label(o), statuses.includes('429')]).toEqual([label(o), rateLimited]);
      if (rateLimited) {
        expectEqual(responseSchemaRef(o.op, '429'), '#/components/schemas/RateLimited', `${label(o)} 429`);
      }
      const takesBody = o.op.requestBody !== undefined;
      expect([label(o), statuses.includes('413')]).toEqual([label(o), takesBody]);
    }
  });

  it('takes Mailgun API bodies as multipart and urlencoded forms, repeated fields exploded; internal as JSON', () => {
    const forms = ['application/x-www-form-urlencoded', 'multipart/form-data'];
    for (const o of OPERATIONS.filter((op) => op.op.requestBody !== undefined)) {
      const content = deref(o.op.requestBody).content as Record<string, Node>;
      expect([label(o), Object.keys(content).sort()]).toEqual([
        label(o),
        isMailgun(o) ? forms : ['application/json'],
      ]);
      if (!isMailgun(o)) continue;
      for (const media of forms) {
        const properties = deref(content[media].schema).properties as Record<string, unknown>;
        const arrays = Object.keys(properties).filter((name) => deref(properties[name]).type === 'array');
        const encoding = (content[media].encoding ?? {}) as Record<string, unknown>;
        expectEqual(
          Object.keys(encoding).sort(),
          arrays.sort(),
          `${label(o)} ${media}: encoding for the repeated fields`,
        );
        for (const name of arrays) {
          expectEqual(encoding[name], { style: 'form', explode: true }, `${label(o)} ${media} ${name}`);
        }
      }
    }
  });

  it('limits URL lists to 3 URLs, each a URI', () => {
    const schemas = DOC.components.schemas;
    expect(schemas.WebhookUrl).toMatchObject({ type: 'string', format: 'uri' });
    for (const list of [
      schemas.WebhookUrls.properties?.urls,
      schemas.DomainWebhookCreateForm.properties?.url,
      schemas.DomainWebhookUrlsForm.properties?.url,
    ]) {
      expect(list).toMatchObject({
        type: 'array',
        minItems: 1,
        maxItems: 3,
        items: { $ref: '#/components/schemas/WebhookUrl' },
      });
    }
  });

  it('names the eight event types, and webhook names the service accepts', () => {
    const { EventType, WebhookName, DomainWebhooks } = DOC.components.schemas;
    expect([...(EventType.enum ?? [])].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expect(WEBHOOK_EVENT_TYPES).toHaveLength(8);
    expect(Object.keys(DomainWebhooks.properties ?? {}).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expect(WebhookName.enum).toContain('unsubscribe');
    for (const name of WebhookName.enum ?? [])
      expect([name, parseWebhookName(name).ok]).toEqual([name, true]);
  });

  it("documents exactly the endpoints of docs/api.md's table", () => {
    const table = readFileSync(resolve(ROOT, 'docs', 'api.md'), 'utf8')
      .split('\n')
      .map((line) => /^\| `(GET|POST|PUT|DELETE|PATCH) ([^`?]+)(\?[^`]*)?`/.exec(line))
      .flatMap((m) => (m ? [endpoint(m[1], m[2])] : []));
    expect(table.length).toBeGreaterThan(20);
    expect(OPERATIONS.map((o) => endpoint(o.method, o.path)).sort()).toEqual([...new Set(table)].sort());
  });

  it("documents every route of the config service's controllers", () => {
    const controllers: Array<Type<unknown>> = REST_CONTROLLERS;
    const documented = new Set(OPERATIONS.map((o) => endpoint(o.method, o.path)));
    const routes = controllers.flatMap((controller) => {
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      return Object.getOwnPropertyNames(proto).flatMap((name) => {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') return [];
        const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (typeof path !== 'string') return [];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const segments = [base, path].map((p) => p.replace(/^\/|\/$/g, '')).filter(Boolean);
        const full = `/${segments.join('/')}`;
        return [endpoint(method, full.replace(/:(\w+)/g, '{$1}'))];
      });
    });
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((route) => !documented.has(route))).toEqual([]);
  });
});

describe('OpenApiController', () => {
  it('serves the document at GET /openapi.json without a guard', () => {
    expect(new OpenApiController().document()).toBe(OPENAPI_DOCUMENT);
    const handler = OpenApiController.prototype.document;
    expect(Reflect.getMetadata(PATH_METADATA, handler)).toBe('openapi.json');
    expect(Reflect.getMetadata(METHOD_METADATA, handler)).toBe(RequestMethod.GET);
    expect(Reflect.getMetadata(GUARDS_METADATA, OpenApiController)).toBeUndefined();
    expect(Reflect.getMetadata(GUARDS_METADATA, handler)).toBeUndefined();
  });
});
