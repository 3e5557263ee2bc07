import type { Snapshot } from './snapshot.js';

/**
 * Holds the current snapshot. Reading is a field access, so every request can capture it at no
 * cost; swapping is atomic for JavaScript's single thread, and requests already holding the old
 * snapshot keep it until they end.
 */
export class SnapshotHolder {
  private snapshot: Snapshot;

  constructor(initial: Snapshot) {
    this.snapshot = initial;
  }

  current(): Snapshot {
    return this.snapshot;
  }

  swap(next: Snapshot): Snapshot {
    const previous = this.snapshot;
    this.snapshot = next;
    return previous;
  }
}
