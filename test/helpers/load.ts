/**
 * Runs `count` tasks with at most `concurrency` at a time and returns their results in index
 * order: the load generator of the outage and fault suites.
 */
export async function runPool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/**
 * Keeps `concurrency` tasks running until `keepGoing()` turns false, then waits for the ones
 * in flight. `results` fills as tasks finish, so a test can act on progress while it runs.
 */
export function runWhile<T>(keepGoing: () => boolean, concurrency: number, task: (index: number) => Promise<T>): { results: T[]; done: Promise<T[]> } {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (keepGoing()) {
      const index = next;
      next += 1;
      results.push(await task(index));
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => results);
  return { results, done };
}
