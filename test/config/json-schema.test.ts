import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gatewayJsonSchema, JSON_SCHEMA_ID, renderJsonSchema } from '../../src/config/json-schema.js';

const COMMITTED = fileURLToPath(new URL('../../gateway.schema.json', import.meta.url));

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; anyOf?: Schema[]; oneOf?: Schema[]; items?: Schema };

function at(schema: Schema, ...path: string[]): Schema {
  let node = schema;
  for (const part of path) {
    const next = part === 'items' ? node.items : node.properties?.[part];
    if (!next) throw new Error(`no schema at ${path.join('.')}`);
    node = next;
  }
  return node;
}

describe('gateway.schema.json', () => {
  it('is the schema generated from src/config/schema.ts', () => {
    expect(readFileSync(COMMITTED, 'utf8'), 'gateway.schema.json is out of date: run `npm run build && npm run schema` and commit it').toBe(
      renderJsonSchema(),
    );
  });

  it('identifies itself for editors', () => {
    const schema = gatewayJsonSchema();
    expect(schema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', $id: JSON_SCHEMA_ID, title: 'codex-lb gateway.yaml' });
  });

  it('is strict: unknown keys are flagged in every section', () => {
    const schema = gatewayJsonSchema() as Schema;
    expect(schema.additionalProperties).toBe(false);
    for (const section of ['server', 'admin', 'storage', 'limits', 'auth', 'routing']) expect(at(schema, section).additionalProperties).toBe(false);
    for (const account of at(schema, 'accounts', 'items').oneOf ?? []) expect(account.additionalProperties).toBe(false);
  });

  it('accepts a ${VAR} reference where a number, boolean or patterned string is expected', () => {
    const schema = gatewayJsonSchema() as Schema;
    for (const path of [['server', 'port'], ['auth', 'enabled'], ['routing', 'strategy'], ['routing', 'sticky', 'ttl']]) {
      const refs = (at(schema, ...path).anyOf ?? []).map((branch) => branch.$ref);
      expect(refs, path.join('.')).toContainEqual(expect.stringMatching(/^#\/definitions\/env(Reference|Interpolated)$/));
    }
    const definitions = schema.definitions as Record<string, { pattern: string }>;
    const whole = new RegExp(definitions.envReference!.pattern);
    expect(['${PORT}', '${PORT:-2455}'].every((text) => whole.test(text))).toBe(true);
    expect(['2455', '${PORT}x', '$${PORT}'].some((text) => whole.test(text))).toBe(false);
  });

  it('keeps descriptions and defaults where editors show them', () => {
    const port = at(gatewayJsonSchema() as Schema, 'server', 'port');
    expect(port).toMatchObject({ default: 2455, description: expect.stringContaining('TCP port') });
  });

  it('states the exactly-one-of rules the zod refinements check', () => {
    const schema = gatewayJsonSchema() as Schema;
    const chatgpt = (at(schema, 'accounts', 'items').oneOf ?? []).find((s) => at(s, 'kind').const === 'chatgpt');
    expect(chatgpt?.oneOf).toEqual([{ required: ['authFile'] }, { required: ['tokens'] }]);
    expect(at(schema, 'keys', 'items').oneOf).toEqual([{ required: ['key'] }, { required: ['keyHash'] }]);
    expect(at(schema, 'policies', 'items').anyOf).toContainEqual({ required: ['concurrency'] });
  });
});
