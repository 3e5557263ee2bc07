import { describe } from 'vitest';
import { defineStoreSuite } from './store-suite.js';
import { mariadbTarget } from './store-targets.js';

const url = process.env.CODEX_LB_TEST_MYSQL_URL;

if (!url) {
  console.log(
    '[test/store] CODEX_LB_TEST_MYSQL_URL is not set: skipping the MariaDB/MySQL store suite ' +
      '(run with CODEX_LB_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test)',
  );
}

// Set but unreachable fails loudly: the target's CREATE DATABASE throws in beforeAll.
describe.skipIf(!url)('MariaDB/MySQL (CODEX_LB_TEST_MYSQL_URL)', () => {
  defineStoreSuite(url ? new URL(url).host : 'unset', mariadbTarget(url ?? 'mysql://unset/unset'));
});
