// rate-limiter-flexible's in-process store, the one RateLimiterMemory counts in. The package
// exports it without types; these are the methods the memory counter uses (pinned version).
declare module 'rate-limiter-flexible/lib/component/MemoryStorage/index.js' {
  export default class MemoryStorage {
    /** Adds `value` to the key's count, starting a window of `durationSec` when there is none. */
    incrby(key: string, value: number, durationSec: number): import('rate-limiter-flexible').RateLimiterRes;
    /** The key's count and time left, or null; an ended window reads until its timer removes it. */
    get(key: string): import('rate-limiter-flexible').RateLimiterRes | null;
  }
}
