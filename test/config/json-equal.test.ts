import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../../src/config/json-equal.js';

/** jsonEqual is a faster isDeepStrictEqual for config data: it must give the same answer on such data. */
describe('jsonEqual', () => {
  const values: unknown[] = [
    null, undefined, 0, -0, 1, NaN, '', 'a', true, false, [], [1], [1, 2], [2, 1], [[1]], {}, { a: 1 }, { a: 1, b: 2 }, { b: 2, a: 1 },
    { a: undefined }, { b: undefined }, { a: null }, { a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] }, { a: { b: { c: [] } } }, { a: { b: { c: [0] } } },
    { id: 'k', policies: ['p'], models: undefined }, { id: 'k', policies: ['p'] }, Object.freeze({ id: 'k', policies: Object.freeze(['p']) }),
  ];
  it('agrees with util.isDeepStrictEqual on every pair of sample values', () => {
    let pairs = 0;
    for (const a of values) {
      for (const b of values) {
        expect(jsonEqual(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(isDeepStrictEqual(a, b));
        expect(jsonEqual(structuredClone(a), b)).toBe(isDeepStrictEqual(structuredClone(a), b));
        pairs++;
      }
    }
    expect(pairs).toBe(values.length ** 2);
  });
});
