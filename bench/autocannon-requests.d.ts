// autocannon's `requests` option (a list cycled through per connection), used by bench:limits.
declare module 'autocannon' {
  export interface Options {
    requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string }>;
  }
}
