/**
 * A value now or later. Hot-path steps that are synchronous in the common case (in-memory
 * counters, an account without policies) answer with the value itself: a promise would cost an
 * allocation and a turn of the microtask queue on every request.
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}
