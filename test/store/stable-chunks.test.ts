import { describe, expect, it } from 'vitest';
import { stableChunks, STATEMENT_ROWS } from '../../src/store/sql-dialect.js';

/** Multi-row statements come in five sizes only, so the driver's statement cache holds them all. */
describe('stableChunks', () => {
  it('cuts every batch size into the fixed statement sizes, in order, losing nothing', () => {
    const sizes = new Set<number>();
    for (let n = 0; n <= 1_200; n++) {
      const items = Array.from({ length: n }, (_, i) => i);
      const chunks = stableChunks(items);
      expect(chunks.flat()).toEqual(items);
      for (const chunk of chunks) sizes.add(chunk.length);
      // Greedy, largest first: at most 3 chunks of each smaller size.
      for (const size of STATEMENT_ROWS.slice(1)) expect(chunks.filter((c) => c.length === size).length).toBeLessThanOrEqual(3);
    }
    expect([...sizes].sort((a, b) => b - a)).toEqual([...STATEMENT_ROWS]);
  });
});
