import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { UNBOUNDED_POINTS } from './limiter-backend.js';

type Options = { [key: string]: unknown };

/**
 * The in-memory limiter rate-limiter-flexible falls back to when its store fails
 * (`insuranceLimiter`). It tells the backend each time it is used, which is how an outage of a
 * store without connection events (SQL) is noticed.
 */
export class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    name: string,
    windowSec: number,
    private readonly used: () => void,
  ) {
    super({ keyPrefix: name, points: UNBOUNDED_POINTS, duration: windowSec });
  }

  override consume(key: string | number, points?: number, options?: Options): Promise<RateLimiterRes> {
    this.used();
    return super.consume(key, points, options);
  }

  override get(key: string | number, options?: Options): Promise<RateLimiterRes | null> {
    this.used();
    return super.get(key, options);
  }

  override reward(key: string | number, points?: number, options?: Options): Promise<RateLimiterRes> {
    this.used();
    return super.reward(key, points, options);
  }

  override penalty(key: string | number, points?: number, options?: Options): Promise<RateLimiterRes> {
    this.used();
    return super.penalty(key, points, options);
  }
}
