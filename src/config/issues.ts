/** A config problem is data, not an exception: every check reports all it finds at once. */
export type ConfigPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  severity: 'error' | 'warning';
  /** A stable machine-readable kind, e.g. `unknown_reference`, `yaml_syntax`. */
  code: string;
  file: string;
  line: number | null;
  column: number | null;
  /** Dotted path such as `keys[2].policies[0]`; empty for the whole file. */
  path: string;
  message: string;
}

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) out = appendPath(out, part);
  return out;
}

/** `formatPath([...path, part])` given `formatPath(path)`: walkers extend paths without re-formatting them. */
export function appendPath(formatted: string, part: string | number): string {
  if (typeof part === 'number') return `${formatted}[${part}]`;
  if (IDENT_RE.test(part)) return formatted === '' ? part : `${formatted}.${part}`;
  return `${formatted}[${JSON.stringify(part)}]`;
}

/**
 * `gateway.yaml:14:7 keys[2].policies[0]: unknown policy 'x'`; warnings say so after the place.
 * Without a line (unreadable or empty file) it reads `gateway.yaml: file not found`.
 */
export function formatIssue(issue: ConfigIssue): string {
  const place = issue.line === null ? `${issue.file}:` : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const severity = issue.severity === 'warning' ? ' warning' : '';
  const path = issue.path === '' ? '' : ` ${issue.path}:`;
  return `${place}${severity}${path} ${issue.message}`;
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** Document order, errors before warnings on the same line. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}
