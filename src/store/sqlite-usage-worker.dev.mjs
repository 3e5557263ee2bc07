// The usage writer's thread when the gateway runs from its TypeScript sources (the test suite,
// the bench scripts): a worker does not inherit the loader its parent runs under, so this
// registers tsx's before loading the worker's .ts. Built, sqlite-usage-thread.js starts
// sqlite-usage-worker.js directly and this file is not used.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-usage-worker.ts');
