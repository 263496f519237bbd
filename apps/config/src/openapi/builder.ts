import type { z } from 'zod';
import { errorAnswer } from '../answers';
import { jsonSchemaOf } from './json-schema';
import type {
  MediaType,
  Parameter,
  PathItem,
  Reference,
  RequestBody,
  Response,
  SecurityRequirement,
} from './types';

/**
 * Building blocks of the route registrations (./routes): operations name the zod schemas of their
 * forms, parameters and answers, and these turn them into OpenAPI objects.
 */

/** What each area of the API adds to the document. */
export interface ApiArea {
  paths: Record<string, PathItem>;
  parameters?: Record<string, Parameter>;
  requestBodies?: Record<string, RequestBody>;
}

export const MAILGUN: SecurityRequirement[] = [{ basicAuth: [] }];
export const INTERNAL: SecurityRequirement[] = [{ bearerAuth: [] }];
export const PUBLIC: SecurityRequirement[] = [];

export const parameter = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
export const body = (name: string): Reference => ({ $ref: `#/components/requestBodies/${name}` });
export const response = (name: string): Reference => ({ $ref: `#/components/responses/${name}` });

/** A JSON answer. An example must be one of the schema's (the document's unit test parses each with it). */
export function json(description: string, schema: z.ZodType, example?: unknown): Response {
  const media: MediaType = { schema: jsonSchemaOf(schema) };
  if (example !== undefined) media.example = example;
  return { description, content: { 'application/json': media } };
}

/** An error answer in Mailgun's shape `{"message": ...}`, described for the operation it belongs to. */
export const error = (description: string): Response => json(description, errorAnswer);

/**
 * A Mailgun API form, accepted as multipart/form-data and as application/x-www-form-urlencoded; its
 * list fields are sent as the field repeated.
 */
export function form(schema: z.ZodObject, description: string, required = true): RequestBody {
  const media: MediaType = { schema: jsonSchemaOf(schema) };
  const repeated = Object.entries(schema.shape)
    .filter(([, field]) => jsonSchemaOf(field as z.ZodType).type === 'array')
    .map(([name]) => name);
  if (repeated.length > 0) {
    media.encoding = Object.fromEntries(repeated.map((field) => [field, { style: 'form', explode: true }]));
  }
  return {
    description,
    required,
    content: { 'multipart/form-data': media, 'application/x-www-form-urlencoded': media },
  };
}

/** A JSON body of the internal API. */
export function jsonBody(schema: z.ZodType, required: boolean): RequestBody {
  return { required, content: { 'application/json': { schema: jsonSchemaOf(schema) } } };
}

type ParameterOptions = Pick<Parameter, 'description' | 'required' | 'style' | 'explode' | 'example'>;

/** A parameter; one in the path is always required. */
export function param(
  name: string,
  where: Parameter['in'],
  schema: z.ZodType,
  options: ParameterOptions,
): Parameter {
  const { description, style, explode, example } = options;
  return {
    name,
    in: where,
    required: where === 'path' ? true : (options.required ?? false),
    ...(description !== undefined && { description }),
    ...(style !== undefined && { style }),
    ...(explode !== undefined && { explode }),
    schema: jsonSchemaOf(schema),
    ...(example !== undefined && { example }),
  };
}
