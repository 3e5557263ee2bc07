import { isDeepStrictEqual } from 'node:util';
import { jsonEqual } from './json-equal.js';
import type { GatewayConfig } from './schema.js';

/**
 * What changed between two configs: entries created, updated (with the fields that changed) and
 * deleted per section, and the settings sections that changed. Field names only, never values,
 * so a change summary can be logged and published without leaking secrets.
 */
export const ENTRY_SECTIONS = ['accounts', 'models', 'keys', 'policies'] as const;
export const SETTINGS_SECTIONS = ['server', 'admin', 'storage', 'limits', 'cluster', 'auth', 'routing'] as const;

export type EntrySection = (typeof ENTRY_SECTIONS)[number];

export interface EntryUpdate {
  id: string;
  fields: string[];
}

export interface SectionChanges {
  created: string[];
  updated: EntryUpdate[];
  deleted: string[];
}

export interface ConfigChanges {
  accounts: SectionChanges;
  models: SectionChanges;
  keys: SectionChanges;
  policies: SectionChanges;
  /** Settings sections whose content changed, e.g. `routing`. */
  settings: string[];
}

export function diffConfigs(previous: GatewayConfig | null, next: GatewayConfig): ConfigChanges {
  const changes = {
    settings: SETTINGS_SECTIONS.filter((section) => !isDeepStrictEqual(previous?.[section], next[section])),
  } as ConfigChanges;
  for (const section of ENTRY_SECTIONS) changes[section] = diffEntries(previous?.[section] ?? [], next[section]);
  return changes;
}

export function isEmptyChange(changes: ConfigChanges): boolean {
  return (
    changes.settings.length === 0 &&
    ENTRY_SECTIONS.every((s) => changes[s].created.length + changes[s].updated.length + changes[s].deleted.length === 0)
  );
}

/** One line per change, e.g. `accounts: +openai-2 ~codex-pro-1(weight) -old`. */
export function summarizeChanges(changes: ConfigChanges): string {
  const parts: string[] = [];
  for (const section of ENTRY_SECTIONS) {
    const { created, updated, deleted } = changes[section];
    const items = [
      ...created.map((id) => `+${id}`),
      ...updated.map((u) => `~${u.id}(${u.fields.join(',')})`),
      ...deleted.map((id) => `-${id}`),
    ];
    if (items.length > 0) parts.push(`${section}: ${items.join(' ')}`);
  }
  if (changes.settings.length > 0) parts.push(`settings: ${changes.settings.join(', ')}`);
  return parts.length === 0 ? 'no changes' : parts.join('; ');
}

interface Identified {
  id: string;
}

function diffEntries(before: readonly Identified[], after: readonly Identified[]): SectionChanges {
  const old = new Map(before.map((entry) => [entry.id, entry]));
  const now = new Map(after.map((entry) => [entry.id, entry]));
  const result: SectionChanges = { created: [], updated: [], deleted: [] };
  for (const [id, entry] of now) {
    const previous = old.get(id);
    if (previous === undefined) result.created.push(id);
    else if (!jsonEqual(previous, entry)) {
      const fields = changedFields(previous, entry);
      if (fields.length > 0) result.updated.push({ id, fields });
    }
  }
  for (const id of old.keys()) if (!now.has(id)) result.deleted.push(id);
  return result;
}

function changedFields(a: object, b: object): string[] {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].filter((key) => !isDeepStrictEqual(left[key], right[key])).sort();
}
