import { componentSchema, OPENAPI_DOCUMENT } from '../../apps/config/src/openapi/openapi.document';
import type { Operation, PathItem } from '../../apps/config/src/openapi/types';
import type { ApiAnswer } from './api-client';

type Node = Record<string, unknown>;

/** The document's node a local `$ref` points at. */
function deref(value: unknown): Node {
  let node = value as Node;
  while (typeof node?.$ref === 'string') {
    node = (node.$ref as string)
      .slice(2)
      .split('/')
      .reduce<Node>((at, key) => at[key] as Node, OPENAPI_DOCUMENT as unknown as Node);
  }
  return node;
}

/** The operation of the document that a request (`GET /v1/webhooks/abc?x=1`) is. */
function operationOf(method: string, url: string): Operation | undefined {
  const path = url.split('?')[0];
  for (const [template, item] of Object.entries(OPENAPI_DOCUMENT.paths) as Array<[string, PathItem]>) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) return item[method.toLowerCase() as keyof PathItem] as Operation | undefined;
  }
  return undefined;
}

/**
 * How an answer strays from the OpenAPI document (null when it does not): its operation must be
 * documented, list the answer's status, and the body must be valid for that status' schema (parsed
 * with the zod schema the document was generated from).
 */
export function strayFromDocument(method: string, url: string, answer: ApiAnswer): string | null {
  const at = `${method} ${url} -> ${answer.status}`;
  const operation = operationOf(method, url);
  if (!operation) return `${at}: no such operation in the document`;
  const response = operation.responses[String(answer.status)];
  if (!response) return `${at}: status not documented (${Object.keys(operation.responses).join(', ')})`;
  const content = deref(response).content as Record<string, { schema?: { $ref?: string } }> | undefined;
  const ref = content?.['application/json']?.schema?.$ref;
  if (!ref) return `${at}: no JSON schema for the answer`;
  const schema = componentSchema(ref.replace('#/components/schemas/', ''));
  if (!schema) return `${at}: no zod schema for ${ref}`;
  const parsed = schema.safeParse(answer.body);
  return parsed.success
    ? null
    : `${at}: ${JSON.stringify(parsed.error.issues)} in ${JSON.stringify(answer.body)}`;
}
