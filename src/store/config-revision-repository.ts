import type { DataSource } from 'typeorm';
import { configRevisionEntity, type ConfigRevisionRow } from './entities/config-revision.entity.js';
import { toNumber } from './sql-dialect.js';

export type ConfigRevisionStatus = 'applied' | 'rejected';

/** One reload attempt of gateway.yaml, as the runtime's reloader reports it. */
export interface ConfigRevisionInput {
  /** The snapshot version the reload produced (or would have, when rejected). */
  version: number;
  /** Hash of the config text. */
  hash: string;
  status: ConfigRevisionStatus;
  /** Change summary (plain JSON, secrets already masked). */
  changes: unknown;
  /** ConfigIssue[] of a rejected reload (plain JSON); [] when applied. */
  issues: unknown;
  /** What started it: startup, file, sighup, mutation … */
  trigger: string;
  /** Epoch ms. */
  at: number;
}

export interface ConfigRevision extends ConfigRevisionInput {
  id: number;
}

export interface ConfigRevisionListOptions {
  /** Default 50, at most 500. */
  limit?: number;
  /** Only revisions with an id below this (keyset paging, newest first). */
  beforeId?: number;
  status?: ConfigRevisionStatus;
}

export interface ConfigRevisionStore {
  append(revision: ConfigRevisionInput): Promise<ConfigRevision>;
  /** Newest first. */
  list(options?: ConfigRevisionListOptions): Promise<ConfigRevision[]>;
  latestApplied(): Promise<ConfigRevision | null>;
}

export class SqlConfigRevisionStore implements ConfigRevisionStore {
  constructor(private readonly dataSource: DataSource) {}

  async append(revision: ConfigRevisionInput): Promise<ConfigRevision> {
    const saved = await this.dataSource.getRepository(configRevisionEntity).save({
      version: revision.version,
      hash: revision.hash,
      status: revision.status,
      changesJson: JSON.stringify(revision.changes ?? null),
      issuesJson: JSON.stringify(revision.issues ?? []),
      triggerSource: revision.trigger,
      createdAt: revision.at,
    });
    return fromRow(saved);
  }

  async list(options: ConfigRevisionListOptions = {}): Promise<ConfigRevision[]> {
    const limit = Math.min(500, Math.max(1, Math.floor(options.limit ?? 50)));
    const query = this.dataSource
      .getRepository(configRevisionEntity)
      .createQueryBuilder('r')
      .orderBy('r.id', 'DESC')
      .limit(limit);
    if (options.beforeId !== undefined) query.andWhere('r.id < :beforeId', { beforeId: options.beforeId });
    if (options.status !== undefined) query.andWhere('r.status = :status', { status: options.status });
    return (await query.getMany()).map(fromRow);
  }

  async latestApplied(): Promise<ConfigRevision | null> {
    const [latest] = await this.list({ limit: 1, status: 'applied' });
    return latest ?? null;
  }
}

function fromRow(row: ConfigRevisionRow): ConfigRevision {
  return {
    id: toNumber(row.id),
    version: toNumber(row.version),
    hash: row.hash,
    status: row.status === 'rejected' ? 'rejected' : 'applied',
    changes: JSON.parse(row.changesJson) as unknown,
    issues: JSON.parse(row.issuesJson) as unknown,
    trigger: row.triggerSource,
    at: toNumber(row.createdAt),
  };
}
