/**
 * A reader of the Prometheus text exposition format (what prom-client renders and Prometheus
 * scrapes): `# HELP` / `# TYPE` lines and samples `name{label="value",...} number`, with the
 * format's escapes in label values (\\, \", \n). Enough for tests to ask exact questions.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL_RE = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parsePromText(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      continue;
    }
    const match = SAMPLE_RE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: match[1]!, labels: parseLabels(match[2] ?? '', line), value: parseValue(match[3]!) });
  }
  return { samples, types };
}

function parseLabels(block: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const inner = block.slice(1, -1);
  LABEL_RE.lastIndex = 0;
  while (LABEL_RE.lastIndex < inner.length) {
    const match = LABEL_RE.exec(inner);
    if (!match) throw new Error(`bad labels in: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** Go's ParseFloat rules, as Prometheus reads them: NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad sample value ${text}`);
  return value;
}

/** The samples named `name` whose labels include every pair of `labels`. */
export function matching(scrape: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return scrape.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample with exactly these labels; throws when there is none or several. */
export function valueOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const exact = matching(scrape, name, labels).filter((s) => Object.keys(s.labels).length === Object.keys(labels).length);
  if (exact.length !== 1) throw new Error(`expected one ${name}${JSON.stringify(labels)}, found ${exact.length}`);
  return exact[0]!.value;
}

/** Sum over the samples named `name` that match `labels` (any other labels). */
export function sumOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return matching(scrape, name, labels).reduce((sum, s) => sum + s.value, 0);
}
