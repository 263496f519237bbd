import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { componentSchema, OPENAPI_DOCUMENT } from './openapi.document';

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every `{schema: {$ref}, example}` pair in the document (media types and parameters), with where it is. */
function examples(value: unknown, at = '#'): Array<{ at: string; ref: string; example: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => examples(item, `${at}/${i}`));
  if (!isNode(value)) return [];
  const here =
    'example' in value && isNode(value.schema) && typeof value.schema.$ref === 'string'
      ? [{ at, ref: value.schema.$ref, example: value.example }]
      : [];
  return [...here, ...Object.entries(value).flatMap(([key, child]) => examples(child, `${at}/${key}`))];
}

describe('the examples of the OpenAPI document', () => {
  it('has every example valid for the schema it illustrates', () => {
    const found = examples(OPENAPI_DOCUMENT);
    assert.ok(found.length >= 15, `only ${found.length} examples`);
    for (const { at, ref, example } of found) {
      const schema = componentSchema(ref.replace('#/components/schemas/', ''));
      assert.ok(schema, `${at}: no zod schema for ${ref}`);
      const result = schema.safeParse(example);
      assert.ok(result.success, `${at}: ${JSON.stringify(result.error?.issues)}`);
    }
  });
});
