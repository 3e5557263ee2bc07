import { diffConfigs, ENTRY_SECTIONS, isEmptyChange, summarizeChanges, type ConfigChanges, type EntrySection } from '../config/diff.js';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile, type LoadedConfig } from '../config/load.js';
import { MASK } from '../shared/redaction.js';
import { checkReport, type CheckReport } from './check.js';
import { EXIT, printJson, type CliIo } from './io.js';

export interface DiffOptions {
  json?: boolean;
}

/** The `--json` shape of `diff`. `changes` is null when either file could not be used. */
export interface DiffReport {
  old: CheckReport;
  new: CheckReport;
  changes: ConfigChanges | null;
  summary: string | null;
}

/**
 * `codex-lb diff OLD NEW`: what applying NEW over OLD would change, as a reload would report it.
 * Entries are named by id and updates by field name only, so a rotated secret shows as
 * `~openai-main (apiKey)` and its value never appears.
 * Exit 0 when both files could be compared, 1 when either is invalid, 2 when either is unreadable.
 */
export async function diffCommand(oldFile: string, newFile: string, options: DiffOptions, io: CliIo): Promise<number> {
  const [before, after] = await Promise.all([loadConfigFile(oldFile, io.env), loadConfigFile(newFile, io.env)]);
  const changes = before.config !== null && after.config !== null ? maskSecretIds(diffConfigs(before.config, after.config), before, after) : null;
  if (options.json) {
    const report: DiffReport = {
      old: checkReport(before),
      new: checkReport(after),
      changes,
      summary: changes === null ? null : summarizeChanges(changes),
    };
    printJson(io, report);
  } else if (changes === null) {
    for (const loaded of [before, after]) printProblems(loaded, io);
  } else {
    io.out(`${renderChanges(changes)}\n`);
  }
  if (before.unreadable || after.unreadable) return EXIT.usage;
  return changes === null ? EXIT.invalid : EXIT.ok;
}

/** An id taken from the environment is a secret too: it is listed as `***`. */
function maskSecretIds(changes: ConfigChanges, before: LoadedConfig, after: LoadedConfig): ConfigChanges {
  const secret = (loaded: LoadedConfig, section: EntrySection, id: string) => {
    const index = (loaded.config?.[section] ?? []).findIndex((entry) => entry.id === id);
    return index !== -1 && loaded.interpolatedPaths.has(`${section}[${index}].id`);
  };
  const mask = (section: EntrySection, id: string) => (secret(before, section, id) || secret(after, section, id) ? MASK : id);
  const masked: ConfigChanges = { ...changes };
  for (const section of ENTRY_SECTIONS) {
    const { created, updated, deleted } = changes[section];
    masked[section] = {
      created: created.map((id) => mask(section, id)),
      updated: updated.map((update) => ({ ...update, id: mask(section, update.id) })),
      deleted: deleted.map((id) => mask(section, id)),
    };
  }
  return masked;
}

function printProblems(loaded: LoadedConfig, io: CliIo): void {
  if (loaded.config !== null) return;
  const errors = loaded.issues.filter((issue) => issue.severity === 'error');
  const title = loaded.unreadable ? `cannot read ${loaded.file}` : `${loaded.file} is invalid`;
  io.err(`${title}:\n${errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}\n`);
}

/**
 * One block per section that changed:
 *   accounts:
 *     + openai-2
 *     ~ codex-pro-1 (weight, policies)
 *     - old-seat
 *   settings: routing, storage
 */
export function renderChanges(changes: ConfigChanges): string {
  if (isEmptyChange(changes)) return 'no changes';
  const lines: string[] = [];
  for (const section of ENTRY_SECTIONS) {
    const { created, updated, deleted } = changes[section];
    if (created.length + updated.length + deleted.length === 0) continue;
    lines.push(`${section}:`);
    for (const id of created) lines.push(`  + ${id}`);
    for (const { id, fields } of updated) lines.push(`  ~ ${id} (${fields.join(', ')})`);
    for (const id of deleted) lines.push(`  - ${id}`);
  }
  if (changes.settings.length > 0) lines.push(`settings: ${changes.settings.join(', ')}`);
  return lines.join('\n');
}
