import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * The first schema of the usage store, written with the QueryRunner/Table API so this one file
 * builds the same tables on SQLite and MariaDB (CLI-generated migrations are dialect-specific).
 * Frozen: later changes go in new migrations; never import entities here (they move on).
 *
 * The few dialect differences, on purpose:
 * - auto-increment ids are INTEGER on SQLite (AUTOINCREMENT requires it) and BIGINT on MariaDB;
 * - string columns on MariaDB are utf8mb4 with a binary collation, so ids compare and sort
 *   byte-wise exactly as SQLite's default BINARY collation does (a case-insensitive collation
 *   would merge rollup rows for `Key` and `key` on one dialect only);
 * - JSON text columns are MEDIUMTEXT on MariaDB (TEXT stops at 64 KB; SQLite has no limit).
 */
export class InitialUsageStore1767225600000 implements MigrationInterface {
  name = 'InitialUsageStore1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'usage_request_log',
        engine: c.engine,
        columns: [
          c.id('id'),
          c.str('request_id', 128),
          c.bigint('started_at'),
          c.str('key_id', 128),
          c.str('account_id', 128, true),
          c.str('model', 128),
          c.str('upstream_model', 128, true),
          c.str('endpoint', 32),
          { name: 'stream', type: 'boolean', isNullable: false },
          c.int('status'),
          c.str('error_code', 64, true),
          c.int('attempts'),
          c.int('input_tokens', true),
          c.int('cached_input_tokens', true),
          c.int('output_tokens', true),
          c.int('reasoning_tokens', true),
          c.bigint('cost_micro_usd', true),
          c.int('latency_ms'),
          c.int('ttft_ms', true),
          c.str('user_agent', 512, true),
        ],
        uniques: [{ name: 'uq_usage_request_log_request_id', columnNames: ['request_id'] }],
        indices: [
          // Time range scans, newest-first pagination (started_at, id) and retention purges.
          { name: 'ix_usage_request_log_started', columnNames: ['started_at', 'id'] },
          { name: 'ix_usage_request_log_key', columnNames: ['key_id', 'started_at'] },
          { name: 'ix_usage_request_log_account', columnNames: ['account_id', 'started_at'] },
          { name: 'ix_usage_request_log_model', columnNames: ['model', 'started_at'] },
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'usage_hourly_rollup',
        engine: c.engine,
        columns: [
          { ...c.bigint('hour_start'), isPrimary: true },
          { ...c.str('key_id', 128), isPrimary: true },
          // '' when no account was tried: NULLs never conflict in a unique key.
          { ...c.str('account_id', 128), isPrimary: true },
          { ...c.str('model', 128), isPrimary: true },
          ...['requests', 'errors', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_tokens',
            'cost_micro_usd', 'unpriced_requests', 'latency_ms_sum'].map((name) => ({ ...c.bigint(name), default: '0' })),
        ],
        indices: [
          { name: 'ix_usage_hourly_rollup_key', columnNames: ['key_id', 'hour_start'] },
          { name: 'ix_usage_hourly_rollup_account', columnNames: ['account_id', 'hour_start'] },
          { name: 'ix_usage_hourly_rollup_model', columnNames: ['model', 'hour_start'] },
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'account_runtime_state',
        engine: c.engine,
        columns: [
          { ...c.str('account_id', 128), isPrimary: true },
          c.bigint('cooldown_until', true),
          c.json('quota_json', true),
          { name: 'paused', type: 'boolean', isNullable: false, default: '0' },
          c.bigint('updated_at'),
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'config_revision',
        engine: c.engine,
        columns: [
          c.id('id'),
          c.int('version'),
          c.str('hash', 100),
          c.str('status', 16),
          c.json('changes_json'),
          c.json('issues_json'),
          c.str('trigger_source', 32),
          c.bigint('created_at'),
        ],
        indices: [
          { name: 'ix_config_revision_created', columnNames: ['created_at'] },
          { name: 'ix_config_revision_version', columnNames: ['version'] },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['config_revision', 'account_runtime_state', 'usage_hourly_rollup', 'usage_request_log']) {
      await queryRunner.dropTable(table, true);
    }
  }
}

function columnKit(queryRunner: QueryRunner) {
  const sqlite = queryRunner.connection.driver.options.type === 'better-sqlite3';
  const text = sqlite ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
  return {
    engine: sqlite ? undefined : 'InnoDB',
    id: (name: string): TableColumnOptions => ({
      name,
      type: sqlite ? 'integer' : 'bigint',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
    str: (name: string, length: number, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...text,
    }),
    int: (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable }),
    bigint: (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable }),
    json: (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: sqlite ? 'text' : 'mediumtext',
      isNullable,
      ...text,
    }),
  };
}
