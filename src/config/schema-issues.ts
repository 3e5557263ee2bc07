import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { formatPath, type ConfigIssue, type ConfigPath } from './issues.js';
import { gatewayConfigSchema } from './schema.js';
import { schemaMessage } from './schema-messages.js';
import type { YamlSource } from './yaml-source.js';

/** Turns zod's findings into ConfigIssues with line:col and messages written for people. */
export function schemaIssues(error: z.ZodError, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(path, source.data);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        issues.push(located(source, keyPath, 'key', 'unknown_key', `unknown key '${key}'${didYouMean(key, known)}`));
      }
      continue;
    }
    const value = valueAt(source.data, path);
    const present = value !== undefined;
    if (issue.code === 'invalid_type' && !present) {
      const field = path[path.length - 1];
      issues.push(located(source, path, 'value', 'missing_field', `missing required field '${String(field)}'`));
      continue;
    }
    if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.map((o) => `'${String(o)}'`).join(', ') : '';
      const message = present ? `must be one of ${options}` : `missing required field '${String(issue.discriminator)}' (one of ${options})`;
      issues.push(located(source, path, 'value', 'invalid_value', message));
      continue;
    }
    const examples = examplesOf(schemaAt(path, source.data));
    issues.push(located(source, path, 'value', 'invalid_value', schemaMessage(issue, { value, root: path.length === 0, examples })));
  }
  return issues;
}

function located(source: YamlSource, path: ConfigPath, at: 'key' | 'value', code: string, message: string): ConfigIssue {
  const pos = source.locate(path, at);
  return {
    severity: 'error',
    code,
    file: source.file,
    line: pos?.line ?? null,
    column: pos?.column ?? null,
    path: formatPath(path),
    message,
  };
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let node = data;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** The keys the schema allows at `path`, for did-you-mean hints on unknown keys. */
function knownKeysAt(path: ConfigPath, data: unknown): string[] {
  const def = schemaAt(path, data)?._zod.def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** The schema that applies at `path` (wrappers removed), or undefined when there is none. */
function schemaAt(path: ConfigPath, data: unknown): ZodLike | undefined {
  let schema: ZodLike | undefined = gatewayConfigSchema as unknown as ZodLike;
  for (let i = 0; schema; i += 1) {
    schema = unwrap(schema, valueAt(data, path.slice(0, i)));
    if (!schema || i === path.length) break;
    const def: ZodDef = schema._zod.def;
    const part = String(path[i]);
    if (def.type === 'object') schema = def.shape?.[part];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else return undefined;
  }
  return schema;
}

/** `examples` from the schema's metadata (durations carry them), as strings. */
function examplesOf(schema: ZodLike | undefined): string[] {
  if (!schema) return [];
  const meta = z.globalRegistry.get(schema as unknown as z.ZodType);
  return Array.isArray(meta?.examples) ? meta.examples.map(String) : [];
}

/** The little of zod's internal definition tree that walking it needs. */
interface ZodDef {
  type: string;
  shape?: Record<string, ZodLike>;
  element?: ZodLike;
  valueType?: ZodLike;
  innerType?: ZodLike;
  options?: ZodLike[];
  values?: unknown[];
}
interface ZodLike {
  _zod: { def: ZodDef };
}

/** Looks through optional/default wrappers, and picks a union member by the value's `kind`. */
function unwrap(node: ZodLike | undefined, value: unknown): ZodLike | undefined {
  let current = node;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const def = current._zod.def;
    if (def.innerType) {
      current = def.innerType;
    } else if (def.type === 'union' && def.options) {
      const kind = value && typeof value === 'object' ? (value as Record<string, unknown>).kind : undefined;
      current = def.options.find((o) => o._zod.def.shape?.kind?._zod.def.values?.[0] === kind) ?? def.options[0];
    } else {
      return current;
    }
  }
  return current;
}
