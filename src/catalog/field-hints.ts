import type { OpenAPIObject } from '@nestjs/swagger';

type Json = Record<string, unknown>;

/** A parameter or field as the catalog describes it, read from the OpenAPI schemas. */
export interface FieldHint {
  name: string;
  in?: string;
  type: string;
  required: boolean;
  constraints?: Json;
  example?: unknown;
  description?: string;
}

export interface BodyHint {
  contentType: string;
  fields: FieldHint[];
  example: Json;
}

export interface ResponseHint {
  status: number;
  fields: FieldHint[];
  example: unknown;
}

function resolve(doc: OpenAPIObject, schema: Json | undefined): Json {
  let s = schema ?? {};
  while (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    s = ((doc.components?.schemas ?? {}) as Record<string, Json>)[name] ?? {};
  }
  return s;
}

const CONSTRAINT_KEYS = [
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
  'format',
  'pattern',
  'minItems',
  'maxItems',
  'default',
];

function constraintsOf(schema: Json): Json | undefined {
  const items = schema.items as Json | undefined;
  const picked = Object.fromEntries(
    CONSTRAINT_KEYS.flatMap((k) =>
      schema[k] !== undefined
        ? [[k, schema[k]]]
        : items?.[k] !== undefined
          ? [[`items.${k}`, items[k]]]
          : [],
    ),
  );
  return Object.keys(picked).length ? picked : undefined;
}

function typeOf(doc: OpenAPIObject, schema: Json): string {
  const s = resolve(doc, schema);
  if (s.type === 'array') return `array<${typeOf(doc, (s.items as Json | undefined) ?? {})}>`;
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.join('|');
  // A described nested DTO: @nestjs/swagger wraps its $ref as `allOf: [$ref]` beside the description.
  if (Array.isArray(s.allOf) && s.allOf.length === 1) return typeOf(doc, s.allOf[0] as Json);
  return s.properties ? 'object' : 'any';
}

/** One path or query parameter of an operation. */
export function paramHint(doc: OpenAPIObject, p: Json): FieldHint {
  const schema = resolve(doc, p.schema as Json | undefined);
  return {
    name: p.name as string,
    in: p.in as string,
    type: typeOf(doc, schema),
    required: Boolean(p.required),
    constraints: constraintsOf(schema),
    example: p.example ?? schema.example,
    description: p.description as string | undefined,
  };
}

function fieldsOf(doc: OpenAPIObject, schema: Json): FieldHint[] {
  const s = resolve(doc, schema);
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries((s.properties as Record<string, Json> | undefined) ?? {}).map(
    ([name, prop]) => {
      const resolved = resolve(doc, prop);
      return {
        name,
        type: typeOf(doc, prop),
        required: required.has(name),
        constraints: constraintsOf(resolved),
        example: resolved.example,
        description: resolved.description as string | undefined,
      };
    },
  );
}

function exampleOf(fields: FieldHint[]): Json {
  return Object.fromEntries(
    fields.filter((f) => f.example !== undefined).map((f) => [f.name, f.example]),
  );
}

/** The operation's request body (its first media type), or null when it takes none. */
export function requestBodyHint(doc: OpenAPIObject, op: Json): BodyHint | null {
  const content = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  if (!content) return null;
  // Every media type the route takes (raw uploads take several), as a comma-separated list.
  const contentType = Object.keys(content).join(', ');
  const media = Object.values(content)[0];
  const fields = fieldsOf(doc, media.schema as Json);
  return { contentType, fields, example: exampleOf(fields) };
}

/**
 * The operation's first 2xx response, else its first 3xx (a redirecting route, e.g. a short
 * link), or null when it documents neither.
 */
export function responseHint(doc: OpenAPIObject, op: Json): ResponseHint | null {
  const responses = Object.entries((op.responses as Record<string, Json> | undefined) ?? {});
  const entry =
    responses.find(([status]) => /^2\d\d$/.test(status)) ??
    responses.find(([status]) => /^3\d\d$/.test(status));
  if (!entry) return null;
  const [status, response] = entry;
  const schema = ((response.content as Record<string, Json> | undefined)?.['application/json']
    ?.schema ?? undefined) as Json | undefined;
  if (!schema) return { status: Number(status), fields: [], example: null };
  const fields = fieldsOf(doc, schema);
  return {
    status: Number(status),
    fields,
    example: resolve(doc, schema).example ?? exampleOf(fields),
  };
}
