/** The subset of OpenAPI 3.1 the config service's document uses (its schemas are JSON Schema 2020-12). */

export interface Reference {
  $ref: string;
  description?: string;
}

/** JSON Schema 2020-12, as far as this document needs it. */
export interface Schema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | Array<string>;
  title?: string;
  description?: string;
  format?: string;
  enum?: Array<string | number | boolean | null>;
  const?: string | number | boolean | null;
  examples?: unknown[];
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  contentMediaType?: string;
  contentSchema?: Schema;
  pattern?: string;
  propertyNames?: Schema;
}

export interface Header {
  description?: string;
  schema: Schema;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  description?: string;
  required?: boolean;
  style?: 'simple' | 'form';
  explode?: boolean;
  schema: Schema;
  example?: unknown;
}

export interface Encoding {
  contentType?: string;
  style?: 'form';
  explode?: boolean;
}

export interface MediaType {
  schema: Schema;
  example?: unknown;
  encoding?: Record<string, Encoding>;
}

export interface RequestBody {
  description?: string;
  required?: boolean;
  content: Record<string, MediaType>;
}

export interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters?: Array<Parameter | Reference>;
  requestBody?: RequestBody | Reference;
  responses: Record<string, Response | Reference>;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type PathItem = { summary?: string; parameters?: Array<Parameter | Reference> } & Partial<
  Record<HttpMethod, Operation>
>;

export interface SecurityScheme {
  type: 'http';
  scheme: 'basic' | 'bearer';
  description?: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    requestBodies: Record<string, RequestBody>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}
