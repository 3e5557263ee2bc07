import { createConnection } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { MysqlLimiterBackend } from '../../src/limits/mysql-backend.js';
import { parseStorageUrl, type MariadbLocation } from '../../src/store/storage-url.js';
import { captureLogs } from '../helpers/log-capture.js';
import { describeLimiterBackend } from './backend-conformance.js';

/**
 * The SQL backend against a real MariaDB/MySQL: runs when CODEX_LB_TEST_MYSQL_URL is set (and
 * fails if it is unreachable), skipped with a visible reason when it is not.
 */
const url = process.env.CODEX_LB_TEST_MYSQL_URL;

if (url === undefined || url === '') {
  describe('limiter backend: mysql', () => {
    it.skip('CODEX_LB_TEST_MYSQL_URL is not set: the MySQL/MariaDB limiter suite is skipped', () => undefined);
  });
} else {
  const location = parseStorageUrl(url) as MariadbLocation;
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const tables: string[] = [];
  const open = async (suffix: string) => {
    const tableName = `codex_lb_limits_${run}_${suffix}`;
    tables.push(tableName);
    const logs = captureLogs();
    const backend = await MysqlLimiterBackend.open({ location, description: 'mysql-test', logger: logs.logger, tableName });
    // open() starts on the insurance when the database is down; a test database must be up.
    const down = logs.lines.find((l) => /unreachable/.test(l.msg));
    if (down !== undefined) {
      await backend.close();
      throw new Error(`CODEX_LB_TEST_MYSQL_URL (${url}) is unreachable: ${down.msg}`);
    }
    return backend;
  };

  afterAll(async () => {
    const conn = await createConnection({ host: location.host, port: location.port, user: location.username, password: location.password, database: location.database }).catch(() => null);
    if (conn === null) return; // unreachable: the suite itself already failed saying so
    for (const table of tables) await conn.query(`DROP TABLE IF EXISTS \`${table}\``);
    await conn.end();
  });

  describeLimiterBackend('mysql (mariadb, mysql2 pool)', () => open('conf'));

  describe('mysql limiter backend', () => {
    it('creates its table through rate-limiter-flexible and shares counters between instances', async () => {
      const one = await open('shared');
      const two = await MysqlLimiterBackend.open({ location, description: 'mysql-test', logger: captureLogs().logger, tableName: one.tableName });
      try {
        await one.counter('p:requests', 60).add('key:a', 2);
        await two.counter('p:requests', 60).add('key:a', 3);
        expect((await one.counter('p:requests', 60).peek('key:a')).used).toBe(5);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
}
