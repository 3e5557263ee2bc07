import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { sha256Hex } from '../shared/hashing.js';
import { hasErrors, sortIssues, type ConfigIssue } from './issues.js';
import { referenceIssues } from './references.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { schemaIssues } from './schema-issues.js';
import { maskSecrets } from './secrets.js';
import { readYamlSource } from './yaml-source.js';

/** The outcome of reading one gateway.yaml: a config when it has no errors, and every issue. */
export interface LoadedConfig {
  file: string;
  /** sha256 of the file's bytes: an unchanged file is recognised by it. */
  hash: string;
  config: GatewayConfig | null;
  issues: ConfigIssue[];
  /** True when the file itself could not be read (CLI exit code 2). */
  unreadable: boolean;
  /** Paths whose values came from the environment (secrets). */
  interpolatedPaths: ReadonlySet<string>;
}

export function loadConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const source = readYamlSource(text, file, env);
  const hash = sha256Hex(text);
  if (source.data === undefined) {
    return { file, hash, config: null, issues: sortIssues(source.issues), unreadable: false, interpolatedPaths: source.interpolatedPaths };
  }
  const issues = [...source.issues];
  const parsed = gatewayConfigSchema.safeParse(source.data);
  // A value whose variable is missing still holds the raw `${VAR}` text: its type error would
  // only repeat the interpolation error already reported at the same place.
  const unresolved = new Set(source.issues.filter((issue) => issue.code === 'env_missing').map((issue) => issue.path));
  if (!parsed.success) issues.push(...schemaIssues(parsed.error, source).filter((issue) => !unresolved.has(issue.path)));
  issues.push(...referenceIssues(source));
  const config = parsed.success && !hasErrors(issues) ? deepFreeze(parsed.data) : null;
  return { file, hash, config, issues: sortIssues(issues), unreadable: false, interpolatedPaths: source.interpolatedPaths };
}

export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const file = displayName(path);
  let text: string;
  try {
    // One blocking read (a config file is small, and the parse after it blocks far longer): the
    // async read came back in 512 KB chunks, each queued behind the requests of a loaded gateway,
    // and that wait was a large part of a big file's reload under load.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read error';
    const message = reason === 'ENOENT' ? 'file not found' : `cannot read the file (${reason})`;
    return {
      file,
      hash: '',
      config: null,
      issues: [{ severity: 'error', code: 'unreadable', file, line: null, column: null, path: '', message }],
      unreadable: true,
      interpolatedPaths: new Set(),
    };
  }
  return loadConfigText(text, file, env);
}

/** The config with every secret masked: what may be printed or returned by the admin API. */
export function maskedConfig(loaded: LoadedConfig): GatewayConfig | null {
  return loaded.config === null ? null : maskSecrets(loaded.config, loaded.interpolatedPaths);
}

/** Paths in messages relative to the working directory, as people typed them. */
function displayName(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
