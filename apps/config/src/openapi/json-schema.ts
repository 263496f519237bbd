import { z } from 'zod';
import type { Schema } from './types';

/**
 * Zod schemas as the JSON Schema 2020-12 of OpenAPI 3.1, by zod's own `z.toJSONSchema`. A schema with an
 * `id` in its metadata (`.meta({ id })`, zod's global registry) is a component of the document
 * (`#/components/schemas/<id>`) and is referred to by `$ref` wherever it is used. Requests are shown as
 * they come in (`io: 'input'`: a field's shape before its checks and transforms).
 */

export const schemaRef = (id: string): string => `#/components/schemas/${id}`;

type Json = Record<string, unknown>;

/** Drops what only restates the type: zod's safe-integer bounds on integers, its regex on date-times. */
function tidy({ jsonSchema }: { jsonSchema: Json }): void {
  if (jsonSchema.type === 'integer') {
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  }
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
}

const OPTIONS = { target: 'draft-2020-12', io: 'input', override: tidy } as const;

/** The component a schema is, if it is one. */
export function componentId(schema: z.ZodType): string | undefined {
  const id: unknown = z.globalRegistry.get(schema)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** A schema as JSON Schema: a component as its `$ref`, any other inline (the components in it as `$ref`s). */
export function jsonSchemaOf(schema: z.ZodType): Schema {
  const id = componentId(schema);
  if (id !== undefined) return { $ref: schemaRef(id) };
  const json = z.toJSONSchema(schema, OPTIONS) as Json;
  const defs = (json.$defs ?? {}) as Json;
  delete json.$schema;
  delete json.$defs;
  const unnamed = Object.keys(defs).filter((name) => !z.globalRegistry._idmap.has(name));
  if (unnamed.length > 0) throw new Error(`schema parts without a component id: ${unnamed.join(', ')}`);
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', `"${schemaRef('')}`)) as Schema;
}

/** Every component schema (every zod schema with an `id`), by id. */
export function componentSchemas(): Record<string, Schema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { ...OPTIONS, uri: schemaRef });
  const out: Record<string, Schema> = {};
  for (const [id, json] of Object.entries(schemas as Record<string, Json>)) {
    if (id === '__shared') throw new Error('a schema part is shared without a component id');
    delete json.$schema;
    delete json.$id;
    out[id] = json as Schema;
  }
  return out;
}
