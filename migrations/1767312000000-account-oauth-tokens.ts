import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * ChatGPT accounts' OAuth state on the account runtime state row: the refreshed tokens, sealed
 * with AES-256-GCM by the gateway before they get here (never in clear), and why the account
 * needs a new sign-in (`reauth_required`), if it does. Frozen, like every migration.
 */
export class AccountOauthTokens1767312000000 implements MigrationInterface {
  name = 'AccountOauthTokens1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.driver.options.type === 'better-sqlite3';
    const text = sqlite ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
    await queryRunner.addColumns('account_runtime_state', [
      new TableColumn({ name: 'oauth_tokens', type: sqlite ? 'text' : 'mediumtext', isNullable: true, ...text }),
      new TableColumn({ name: 'reauth_reason', type: 'varchar', length: '512', isNullable: true, ...text }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('account_runtime_state', 'reauth_reason');
    await queryRunner.dropColumn('account_runtime_state', 'oauth_tokens');
  }
}
