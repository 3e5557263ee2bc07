import { z } from 'zod';
import { apiKeySchema, chatgptAccountSchema, gatewayConfigSchema, policySchema } from './schema.js';

/**
 * The editors' JSON Schema (gateway.schema.json), generated from the zod schema so the two can
 * never disagree. A config points at it with `# yaml-language-server: $schema=./gateway.schema.json`.
 *
 * Two things zod cannot express by itself are added here:
 * - `${VAR}` references: the file is validated after interpolation, but an editor sees the raw
 *   text. Wherever a number, boolean, enum or patterned string is expected, an env reference is
 *   accepted as well, so `port: ${PORT:-2455}` or `ttl: ${TTL}` is not flagged. (The literal
 *   `kind` discriminators are the exception: they select the account shape and must be written out.)
 * - the cross-field rules zod checks in refinements (exactly one of key/keyHash, of
 *   authFile/tokens; a policy needs a limit), as `oneOf`/`anyOf` of `required`.
 */
export const JSON_SCHEMA_ID = 'urn:codex-lb:gateway.schema.json';

type JsonSchema = Record<string, unknown>;

/** Matches a value that is exactly one reference: it may become a number or boolean once read. */
const WHOLE_REFERENCE = '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$';

const DEFINITIONS: Record<string, JsonSchema> = {
  envReference: {
    type: 'string',
    pattern: WHOLE_REFERENCE,
    description: 'An environment reference, ${VAR} or ${VAR:-default}, replaced when the file is read',
  },
  envInterpolated: {
    type: 'string',
    pattern: '\\$\\{',
    description: 'Text containing ${VAR} or ${VAR:-default}, checked after the environment is substituted',
  },
};

export function gatewayJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(gatewayConfigSchema, {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const target = jsonSchema as JsonSchema;
      if (zodSchema === chatgptAccountSchema) target.oneOf = [{ required: ['authFile'] }, { required: ['tokens'] }];
      if (zodSchema === apiKeySchema) target.oneOf = [{ required: ['key'] }, { required: ['keyHash'] }];
      if (zodSchema === policySchema) {
        target.anyOf = ['requests', 'tokens', 'inputTokens', 'outputTokens', 'costUsd', 'concurrency'].map((limit) => ({
          required: [limit],
        }));
      }
    },
  }) as JsonSchema;
  const { $schema, ...rest } = generated;
  const body = acceptEnvReferences(rest) as JsonSchema;
  const definitions = { ...((body.definitions as JsonSchema | undefined) ?? {}), ...DEFINITIONS };
  return { $schema, $id: JSON_SCHEMA_ID, title: 'codex-lb gateway.yaml', ...body, definitions };
}

/** The file's exact text: `npm run schema` writes it and a test compares the committed copy. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(gatewayJsonSchema(), null, 2)}\n`;
}

const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf'] as const;
const SUBSCHEMA_MAPS = ['properties', 'definitions'] as const;

function acceptEnvReferences(node: unknown): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const schema: JsonSchema = { ...(node as JsonSchema) };
  for (const key of SUBSCHEMA_MAPS) {
    const map = schema[key];
    if (isObject(map)) schema[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, acceptEnvReferences(v)]));
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    if (isObject(schema[key])) schema[key] = acceptEnvReferences(schema[key]);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = schema[key];
    // A union that already takes any string (trustProxy) takes references as they are.
    if (Array.isArray(list) && !list.some(isAnyString)) schema[key] = list.map(acceptEnvReferences);
  }
  const reference = referenceFor(schema);
  if (reference === null) return schema;
  // Annotations stay outside the anyOf so editors still show them on hover and completion.
  const { description, default: fallback, examples, ...constraint } = schema;
  return dropUndefined({ description, default: fallback, examples, anyOf: [constraint, { $ref: `#/definitions/${reference}` }] });
}

function referenceFor(schema: JsonSchema): string | null {
  if (schema.type === 'number' || schema.type === 'integer' || schema.type === 'boolean') return 'envReference';
  if (schema.type === 'string' && (schema.pattern !== undefined || schema.enum !== undefined)) return 'envInterpolated';
  return null;
}

function isAnyString(schema: unknown): boolean {
  return isObject(schema) && schema.type === 'string' && Object.keys(schema).length === 1;
}

function isObject(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dropUndefined(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined));
}
