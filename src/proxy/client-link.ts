import type { Response } from 'express';
import { AttemptAbort } from '../providers/attempt-abort.js';

/**
 * Ties the upstream call to the client connection: when the client goes away before the answer
 * is complete, the current upstream attempt is aborted so the upstream stops generating (and
 * billing) for nobody. One listener per request instead of one per attempt.
 */
export class ClientLink {
  gone = false;
  private controller: AttemptAbort | null = null;

  /** A controller for the next upstream attempt, aborted if the client leaves. */
  attempt(): AttemptAbort {
    const controller = new AttemptAbort();
    this.controller = controller;
    if (this.gone) controller.abort();
    return controller;
  }

  /** From the response's `close` event. */
  closed(res: Response): void {
    if (res.writableFinished) return;
    this.gone = true;
    this.controller?.abort();
  }
}
