import { defineStoreSuite } from './store-suite.js';
import { sqliteTarget } from './store-targets.js';

defineStoreSuite('SQLite (better-sqlite3)', sqliteTarget);
