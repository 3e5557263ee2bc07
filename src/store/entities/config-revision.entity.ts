import { EntitySchema } from 'typeorm';

/** Every reload attempt of gateway.yaml, applied or rejected, with what changed and why it failed. */
export const CONFIG_REVISION_TABLE = 'config_revision';

export interface ConfigRevisionRow {
  id: number;
  version: number;
  hash: string;
  status: string;
  changesJson: string;
  issuesJson: string;
  /** `trigger` is a reserved word in MySQL, hence trigger_source. */
  triggerSource: string;
  createdAt: number;
}

export const configRevisionEntity = new EntitySchema<ConfigRevisionRow>({
  name: 'ConfigRevision',
  tableName: CONFIG_REVISION_TABLE,
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    version: { name: 'version', type: 'integer' },
    hash: { name: 'hash', type: 'varchar', length: 100 },
    status: { name: 'status', type: 'varchar', length: 16 },
    // mediumtext on MariaDB (see the migration): a big diff must not hit TEXT's 64 KB.
    changesJson: { name: 'changes_json', type: 'text' },
    issuesJson: { name: 'issues_json', type: 'text' },
    triggerSource: { name: 'trigger_source', type: 'varchar', length: 32 },
    createdAt: { name: 'created_at', type: 'bigint' },
  },
  indices: [
    { name: 'ix_config_revision_created', columns: ['createdAt'] },
    { name: 'ix_config_revision_version', columns: ['version'] },
  ],
});
