/** `storage.url` → connection settings. The config schema already checked the shape. */
export type StoreDialect = 'sqlite' | 'mariadb';

export interface SqliteLocation {
  dialect: 'sqlite';
  /** A file path, or `:memory:`. */
  path: string;
}

export interface MariadbLocation {
  dialect: 'mariadb';
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
}

export type StoreLocation = SqliteLocation | MariadbLocation;

export function parseStorageUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    // sqlite:///abs/file → /abs/file, as a file: URL would read.
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new Error('storage.url: sqlite: needs a file path, e.g. sqlite:./data/codex-lb.sqlite');
    return { dialect: 'sqlite', path };
  }
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`storage.url: unsupported scheme '${parsed.protocol}' (use sqlite:, mysql:// or mariadb://)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw new Error('storage.url: name the database, e.g. mysql://user:pass@host:3306/codex_lb');
  return {
    dialect: 'mariadb',
    host: parsed.hostname,
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/** The URL with its password masked, for logs. */
export function describeStorageUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid storage url)';
  }
}
