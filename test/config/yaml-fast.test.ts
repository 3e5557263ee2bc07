import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { largeConfig, largeKeyHashes, smallConfig } from '../../bench/bench-config.js';
import type { ConfigPath } from '../../src/config/issues.js';
import { fastYamlSource } from '../../src/config/yaml-fast-source.js';
import { readYamlDocumentSource, type YamlSource } from '../../src/config/yaml-source.js';
import { FIXTURE_ENV } from '../fixtures/config/env.js';

/**
 * The fast reader (js-yaml) is only an accelerator for the `yaml` package: whenever both accept an
 * input they give the same data, the same interpolated paths, and the same line:column for every
 * node (and for paths that do not exist); where js-yaml is more lenient than the `yaml` package
 * (it accepts a few malformed constructs the package rejects) the difference is syntax only.
 * Checked on every config fixture, the bench's 10,000-key file, edge cases, and thousands of
 * seeded mutations of the fixtures, with the size threshold off (it is what keeps small,
 * hand-edited files on the strict reading).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/config');

function fixtureTexts(): Array<{ name: string; text: string }> {
  const out = [{ name: 'gateway.yaml', text: readFileSync(join(ROOT, 'gateway.yaml'), 'utf8') }];
  for (const kind of ['valid', 'invalid']) {
    for (const name of readdirSync(join(FIXTURES, kind)).filter((n) => n.endsWith('.yaml')).sort()) {
      out.push({ name: `${kind}/${name}`, text: readFileSync(join(FIXTURES, kind, name), 'utf8') });
    }
  }
  return out;
}

/** Every path of a value, plus a missing child of each container (locate falls back to the parent). */
function paths(value: unknown, prefix: ConfigPath = []): ConfigPath[] {
  const out: ConfigPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
    out.push([...prefix, value.length], [...prefix, 'missing']);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
    out.push([...prefix, 'missing', 0], [...prefix, 0]);
  } else {
    out.push([...prefix, 'deeper']);
  }
  return out;
}

let lenient = 0;

/**
 * Null when the fast reader declined; otherwise asserts it agrees with the `yaml` package. A file
 * the package rejects for its syntax alone may be one js-yaml reads (counted in `lenient`).
 */
function agree(text: string, env: NodeJS.ProcessEnv = FIXTURE_ENV, everyPath = true): YamlSource | null {
  const fast = fastYamlSource(text, 'gateway.yaml', env, 0);
  if (fast === null) return null;
  const full = readYamlDocumentSource(text, 'gateway.yaml', env);
  if (full.issues.some((issue) => issue.severity === 'error')) {
    expect(full.issues.map((issue) => issue.code), `only syntax may differ:\n${text}`).toEqual(full.issues.map(() => 'yaml_syntax'));
    lenient += 1;
    return fast;
  }
  expect(full.issues, `the fast reader accepted a file the yaml package warns about:\n${text}`).toEqual([]);
  expect(fast.data).toStrictEqual(full.data);
  expect([...fast.interpolatedPaths].sort()).toEqual([...full.interpolatedPaths].sort());
  if (everyPath) {
    for (const path of paths(full.data)) {
      for (const at of ['key', 'value'] as const) expect(fast.locate(path, at), `${JSON.stringify(path)} (${at})`).toEqual(full.locate(path, at));
    }
  }
  return fast;
}

describe('fast YAML reader', () => {
  it('agrees with the yaml package on every config fixture and reads the valid ones itself', () => {
    const read = fixtureTexts().filter(({ text }) => agree(text) !== null).map(({ name }) => name);
    for (const name of ['valid/cluster-unshared.yaml', 'valid/expired-key.yaml', 'valid/warnings.yaml']) expect(read).toContain(name);
    // ${VAR} needs to know how a scalar was quoted, which js-yaml does not say: the yaml package reads those files.
    for (const name of ['gateway.yaml', 'valid/full.yaml']) expect(read).not.toContain(name);
  });

  it("reads the bench's files (10,000 keys, 1,000 accounts) and agrees", () => {
    expect(agree(smallConfig('http://127.0.0.1:1'))).not.toBeNull();
    const large = largeConfig('http://127.0.0.1:1', 1, largeKeyHashes(10_000));
    const fast = agree(large, {}, false);
    expect(fast).not.toBeNull();
    const full = readYamlDocumentSource(large, 'gateway.yaml', {});
    for (const path of [['keys', 9_999, 'name'], ['accounts', 999, 'apiKey'], ['keys', 10_000], ['policies', 0, 'requests', 'per']] as ConfigPath[]) {
      expect(fast?.locate(path, 'value')).toEqual(full.locate(path, 'value'));
      expect(fast?.locate(path, 'key')).toEqual(full.locate(path, 'key'));
    }
  });

  const CASES: Record<string, string> = {
    scalars: 'a: 1m\nb: 30s\nc: 50mb\nd: -5\ne: 1.25\nf: true\ng: false\nh: null\ni: text with spaces\nj: 127.0.0.1\nk: http://h:1/v1\nl: sk-abc_123\n',
    'core-schema spellings': 'a: 0x1F\nb: 0o17\nc: 1e3\nd: .5\ne: +1\nf: 007\ng: ~\nh: Null\ni: True\nj: .inf\nk: -.inf\nl: .nan\nm: 1.\n',
    quoting: 'a: "x \\"y\\" \\\\ \\n \\t \\u00e9 \\/"\nb: \'it\'\'s\'\nc: "# not a comment"\nd: \'a: b\'\ne: ""\nf: "\\x41"\n',
    comments: '# head\na: 1 # one\nb: # nothing\nc: "q" # after quote\n\n  # indented comment\nd: x#y\n',
    'empty values': 'a:\nb:\n  c:\nd: 1\n',
    sequences: 'a:\n- x\n- y\nb:\n  - 1\n  -   c: 2\n      d: [3, 4]\n  - { e: f, g: [h] }\nc: []\nd: {}\n',
    nesting: 'server:\n  host: 127.0.0.1\n  sub:\n    deep:\n      x: 1\n  after: 2\ntop: 3\n',
    'flow edge cases': 'a: { b: 1, }\nb: [1, , 2]\nc: {a:1}\nd: { e: http://x }\ne: [a b, c]\nf: { "q": 1 }\n',
    interpolation: 'port: ${PORT:-2455}\nq: "${PORT}"\nk: ${OPENAI_API_KEY}\nmix: a${PORT}\nlit: $${x}\nflow: { p: ${PORT}, s: "${PORT}" }\nseq: [${PORT}]\n',
    'missing variable': 'k: ${NOT_SET_ANYWHERE}\n',
    'windows line endings': 'a: 1\r\nb:\r\n  - x\r\nc:\r\nd: 2 \r\n',
    'trailing spaces': 'a: 1   \nb:   \nc: "x"  \n',
    'not in the subset': 'a: &x 1\nb: *x\nc: !!str 1\nd: |\n  block\ne: >\n  folded\n',
    'multi-line scalars': 'a: first\n  second\nb: "open\n  close"\n',
    'duplicate keys': 'a: 1\na: 2\n',
    tabs: 'a:\t1\n',
    documents: '---\na: 1\n...\n',
    'odd keys': '__proto__: 1\n"quoted": 2\nkey with space: 3\n1: x\ntrue: y\nx.y-z/w: 4\n',
    'bad indentation': 'a:\n  b: 1\n   c: 2\n',
    'compact map oddities': '- a: 1\nb: 2\n',
    unicode: 'a: héllo wörld ✓\nb: "日本"\n',
    'colon forms': 'a: b: c\nb: x:y\nc: y:\n',
    'indicators first': 'a: -x\nb: ?x\nc: :x\nd: ,x\ne: @x\nf: `x\ng: %x\n',
  };
  for (const [name, text] of Object.entries(CASES)) {
    it(`agrees or declines: ${name}`, () => {
      agree(text);
    });
  }

  it('declines what it must leave to the yaml package, and small files', () => {
    for (const name of ['interpolation', 'missing variable', 'duplicate keys', 'bad indentation']) {
      expect(fastYamlSource(CASES[name], 'gateway.yaml', FIXTURE_ENV, 0), name).toBeNull();
    }
    expect(fastYamlSource(CASES.scalars, 'gateway.yaml', FIXTURE_ENV)).toBeNull();
    expect(fastYamlSource(CASES.scalars, 'gateway.yaml', FIXTURE_ENV, 0)).not.toBeNull();
  });

  it('agrees or declines on 3,000 seeded mutations of the fixtures', () => {
    let seed = 0x2f6e2b1;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed % n;
    };
    const pieces = [' ', '  ', '\n', ':', ': ', '- ', '#', '"', "'", '{', '}', '[', ']', ',', '${PORT}', '1', 'x', '\\', '-1', '.5'];
    const texts = fixtureTexts().map((f) => f.text);
    let accepted = 0;
    for (let i = 0; i < 3_000; i++) {
      let text = texts[random(texts.length)];
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length);
        const op = random(3);
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1 + random(4));
        else if (op === 1) text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
        else text = text.slice(0, at) + text.slice(at, at + 1 + random(8)) + text.slice(at);
      }
      if (agree(text) !== null) accepted++;
    }
    // Many mutants stay valid YAML: the comparison is not vacuous; leniency stays the exception.
    expect(accepted).toBeGreaterThan(300);
    expect(lenient).toBeLessThan(accepted / 10);
  });
});
