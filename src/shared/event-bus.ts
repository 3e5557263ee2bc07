import { EventEmitter } from 'node:events';

/**
 * A typed in-process event bus. Events are a map from name to payload type; listeners that
 * throw are isolated so one bad subscriber cannot break the publisher (a reload, a request).
 */
export class EventBus<Events extends { [K in keyof Events]: unknown }> {
  private readonly emitter = new EventEmitter();
  private readonly onListenerError: (error: unknown, event: string) => void;

  constructor(onListenerError: (error: unknown, event: string) => void = () => {}) {
    this.emitter.setMaxListeners(0);
    this.onListenerError = onListenerError;
  }

  publish<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: Events[K]) => void)(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  /** Subscribes and returns the unsubscribe function. */
  subscribe<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => {
      this.emitter.off(event, listener);
    };
  }

  listenerCount(event: keyof Events & string): number {
    return this.emitter.listenerCount(event);
  }
}
