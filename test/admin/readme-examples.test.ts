import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAdminSchema } from '../../src/admin/admin-schema.js';

/** The README's GraphQL examples are meant to be pasted into GraphiQL: they must stay valid. */
describe('README admin API examples', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Admin API (GraphQL)'));
  const blocks = [...section.slice(0, section.indexOf('\n## ', 10)).matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const inline = [...section.matchAll(/`((?:usage|pauseAccount|resumeAccount|clearCooldown|usageUpdated)\([^`]*\))`/g)].map((m) => m[1]!);
  const schema = buildAdminSchema();

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((b) => [b.split('\n')[0]!, b]))('%s', (_name, block) => {
    expect(validate(schema, parse(block)).map((e) => e.message)).toEqual([]);
  });

  it('inline field examples are valid arguments', () => {
    for (const call of inline) {
      const field = call.slice(0, call.indexOf('('));
      const operation = field === 'usageUpdated' ? 'subscription' : ['pauseAccount', 'resumeAccount', 'clearCooldown'].includes(field) ? 'mutation' : 'query';
      const selection = field === 'usage' || field === 'usageUpdated' ? '{ totals { requests } }' : '{ id }';
      const text = `${operation} { ${call.replace(/…/g, '"x"')} ${selection} }`;
      expect(validate(schema, parse(text)).map((e) => e.message), text).toEqual([]);
    }
  });
});
