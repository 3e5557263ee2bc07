/** The keys of `npm run bench:limits`: the gateway configures them, the load generator sends them. */
export const BENCH_KEYS = 10_000;
export const benchKey = (i: number): string => `sk-clb-bench-${String(i).padStart(6, '0')}-${'x'.repeat(24)}`;
