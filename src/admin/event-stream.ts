/**
 * A push-based async iterator for subscriptions: producers `push`, graphql-js pulls. When a
 * client reads slower than events arrive, the oldest buffered events are dropped (a live feed
 * must not grow memory without bound); `return()` (client unsubscribed or socket closed) runs
 * the cleanup exactly once.
 */
export interface EventStream<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  /** Ends the stream after the buffered values; further pushes are ignored. */
  end(): void;
}

export function eventStream<T>(onClose: () => void, bufferLimit = 1000): EventStream<T> {
  const buffer: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let ended = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    ended = true;
    onClose();
  };
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });

  const stream: EventStream<T> = {
    push(value) {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value, done: false });
        return;
      }
      buffer.push(value);
      if (buffer.length > bufferLimit) buffer.shift();
    },
    end() {
      ended = true;
      if (waiting && buffer.length === 0) {
        const resolve = waiting;
        waiting = null;
        close();
        resolve(done());
      }
    },
    next() {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (ended) {
        close();
        return Promise.resolve(done());
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      buffer.length = 0;
      close();
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve(done());
      }
      return Promise.resolve(done());
    },
    throw(error?: unknown) {
      stream.return?.();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
