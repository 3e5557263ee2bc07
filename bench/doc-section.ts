import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Rewrites one `## <title>` section of docs/benchmarks.md (each section belongs to the bench
 * that measures it), appending it when absent. `section` starts with its own heading line.
 */
export function writeDocSection(file: string, title: string, section: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nMeasured figures; each section is owned by the part it measures.\n';
  }
  const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = text.search(new RegExp(`^## ${escaped}\\s*$`, 'm'));
  const body = section.endsWith('\n') ? section : `${section}\n`;
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${body}`;
  } else {
    const after = text.slice(start + 1).search(/^## /m);
    const end = after === -1 ? text.length : start + 1 + after;
    text = `${text.slice(0, start)}${body}${after === -1 ? '' : '\n'}${text.slice(end)}`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}
