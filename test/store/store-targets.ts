import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import type { Logger } from '../../src/shared/logger.js';
import { openUsageStore, type UsageStore } from '../../src/store/open-store.js';
import { closedPort, TcpSwitch } from '../helpers/tcp-switch.js';

/** A store the outage tests can cut off and bring back while it is open. */
export interface SwitchableStore {
  store: UsageStore;
  down(): Promise<void>;
  up(): Promise<void>;
}

/** One dialect under test: a fresh empty database and the means to break it. */
export interface StoreTarget {
  dialect: 'sqlite' | 'mariadb';
  /** A fresh, empty database. */
  url: string;
  /** A store that cannot be opened (unopenable path, closed port). */
  unreachableUrl: string;
  openSwitchable(logger: Logger): Promise<SwitchableStore>;
  dispose(): Promise<void>;
}

export type StoreTargetFactory = () => Promise<StoreTarget>;

export const sqliteTarget: StoreTargetFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-lb-store-'));
  // A nested, not yet existing directory: opening must create it.
  const url = `sqlite:${join(dir, 'nested', 'usage.sqlite')}`;
  return {
    dialect: 'sqlite',
    url,
    // /dev/null is a file, so nothing can be created below it.
    unreachableUrl: 'sqlite:/dev/null/codex-lb/usage.sqlite',
    async openSwitchable(logger) {
      // Writes give up on a locked database after 50 ms instead of 5 s: outages in test time.
      const store = await openUsageStore(url, logger, { sqliteBusyTimeoutMs: 50 });
      let locker: Database.Database | null = null;
      return {
        store,
        // Another connection holding the write lock (a backup, `codex-lb migrate`, a stuck
        // process) makes every usage write fail with SQLITE_BUSY until it lets go.
        down: async () => {
          if (locker !== null) return;
          locker = new Database(url.slice('sqlite:'.length));
          locker.exec('BEGIN EXCLUSIVE');
        },
        up: async () => {
          if (locker === null) return;
          locker.exec('COMMIT');
          locker.close();
          locker = null;
        },
      };
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** MariaDB from CODEX_LB_TEST_MYSQL_URL, in a database of its own that is dropped afterwards. */
export function mariadbTarget(baseUrl: string): StoreTargetFactory {
  return async () => {
    const base = new URL(baseUrl);
    const database = `codex_lb_test_${randomBytes(5).toString('hex')}`;
    const admin = await createConnection({
      host: base.hostname,
      port: base.port === '' ? 3306 : Number(base.port),
      user: decodeURIComponent(base.username),
      password: decodeURIComponent(base.password),
    });
    await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
    const at = (host: string, port: number) => {
      const url = new URL(baseUrl);
      url.hostname = host;
      url.port = String(port);
      url.pathname = `/${database}`;
      return url.toString();
    };
    const realPort = base.port === '' ? 3306 : Number(base.port);
    const switches: TcpSwitch[] = [];
    return {
      dialect: 'mariadb',
      url: at(base.hostname, realPort),
      unreachableUrl: at('127.0.0.1', await closedPort()),
      async openSwitchable(logger) {
        const tcp = new TcpSwitch(base.hostname, realPort);
        switches.push(tcp);
        await tcp.on();
        const store = await openUsageStore(at('127.0.0.1', tcp.port), logger);
        return { store, down: () => tcp.off(), up: () => tcp.on() };
      },
      async dispose() {
        for (const tcp of switches) await tcp.dispose();
        await admin.query(`DROP DATABASE IF EXISTS ${database}`);
        await admin.end();
      },
    };
  };
}
