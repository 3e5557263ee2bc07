import { formatIssue, type ConfigIssue } from '../config/issues.js';
import { loadConfigFile, type LoadedConfig } from '../config/load.js';
import { EXIT, printJson, type CliIo } from './io.js';

export interface CheckOptions {
  json?: boolean;
}

/** The `--json` shape of `check`: stable for CI scripts. */
export interface CheckReport {
  valid: boolean;
  file: string;
  /** sha256 (hex) of the file's bytes; null when it could not be read. */
  hash: string | null;
  errors: number;
  warnings: number;
  issues: ConfigIssue[];
}

/**
 * `codex-lb check [FILE]`: the same parse and validation as a reload, stopping before the swap.
 * Exit 0 valid (warnings allowed), 1 invalid, 2 unreadable. Only issues are printed, never the
 * config: messages name paths and ids, not values, so no secret can appear.
 */
export async function checkCommand(file: string, options: CheckOptions, io: CliIo): Promise<number> {
  const loaded = await loadConfigFile(file, io.env);
  const report = checkReport(loaded);
  if (options.json) printJson(io, report);
  else if (loaded.unreadable) io.err(`${loaded.issues.map(formatIssue).join('\n')}\n`);
  else io.out(`${[...loaded.issues.map(formatIssue), summaryLine(report)].join('\n')}\n`);
  return checkExitCode(loaded);
}

export function checkReport(loaded: LoadedConfig): CheckReport {
  const errors = loaded.issues.filter((issue) => issue.severity === 'error').length;
  return {
    valid: loaded.config !== null,
    file: loaded.file,
    hash: loaded.unreadable ? null : loaded.hash,
    errors,
    warnings: loaded.issues.length - errors,
    issues: loaded.issues,
  };
}

export function checkExitCode(loaded: LoadedConfig): number {
  if (loaded.unreadable) return EXIT.usage;
  return loaded.config === null ? EXIT.invalid : EXIT.ok;
}

/** `gateway.yaml: valid (1 warning)` or `gateway.yaml: invalid: 3 errors, 1 warning`. */
export function summaryLine(report: CheckReport): string {
  const warnings = plural(report.warnings, 'warning');
  if (report.valid) return report.warnings === 0 ? `${report.file}: valid` : `${report.file}: valid (${warnings})`;
  const counts = report.warnings === 0 ? plural(report.errors, 'error') : `${plural(report.errors, 'error')}, ${warnings}`;
  return `${report.file}: invalid: ${counts}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
