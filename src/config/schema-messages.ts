import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

/**
 * zod's default messages ("Too big: expected number to be <=65535", "Invalid input") are written
 * for programmers; these say what to write instead. Values are never quoted back, because the
 * value may have come from the environment (a secret). Custom messages from the schema are kept.
 */
type Issue = z.core.$ZodIssue;

export interface MessageContext {
  /** The value found at the issue's path (undefined when absent). */
  value: unknown;
  /** True for the document root. */
  root: boolean;
  /** `examples` from the schema's metadata at the path, e.g. ['30s', '5m'] for durations. */
  examples: readonly string[];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
};

export function schemaMessage(issue: Issue, context: MessageContext): string {
  switch (issue.code) {
    case 'invalid_type':
      return isDefault(issue.message, 'Invalid input: expected') ? typeMessage(issue.expected, context) : issue.message;
    case 'too_small':
    case 'too_big':
      return isDefault(issue.message, 'Too ') ? rangeMessage(issue) : issue.message;
    case 'invalid_value': {
      const options = issue.values.map((v) => `'${String(v)}'`).join(', ');
      const hint = typeof context.value === 'string' ? didYouMean(context.value, issue.values.map(String)) : '';
      return `must be one of ${options}${hint}`;
    }
    case 'invalid_union':
      return issue.message === 'Invalid input' ? unionMessage(issue.errors, context) : issue.message;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

function isDefault(message: string, prefix: string): boolean {
  return message.startsWith(prefix);
}

function typeMessage(expected: string, { value, root, examples }: MessageContext): string {
  if (root) return `the file must be a map of sections (server:, accounts:, models:, …), not ${valueName(value)}`;
  if (expected === 'int' && typeof value === 'number') return 'must be a whole number';
  // A duration written as a bare number: show the form it takes rather than "a string".
  const wanted = expected === 'string' && examples.length > 0 ? `like ${examples.join(', ')}` : (TYPE_NAMES[expected] ?? expected);
  const message = value === null ? `must be ${wanted}, but it is empty` : `must be ${wanted}, not ${valueName(value)}`;
  return typeof value === 'string' && looksLike(expected, value) ? `${message} (write it without quotes)` : message;
}

function rangeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'string') return `must be at ${small ? 'least' : 'most'} ${bound} character${bound === 1 ? '' : 's'} long`;
  if (issue.origin === 'array') return `must have at ${small ? 'least' : 'most'} ${bound} item${bound === 1 ? '' : 's'}`;
  if (inclusive) return `must be at ${small ? 'least' : 'most'} ${bound}`;
  return `must be ${small ? 'greater' : 'less'} than ${bound}`;
}

/** "must be true or false, a whole number or a string, not a list" from the branches' types. */
function unionMessage(branches: readonly (readonly Issue[])[], context: MessageContext): string {
  const wanted = branches
    .map((issues) => issues.find((issue) => issue.code === 'invalid_type' && issue.path.length === 0))
    .filter((issue): issue is z.core.$ZodIssueInvalidType => issue !== undefined)
    .map((issue) => TYPE_NAMES[issue.expected] ?? issue.expected);
  if (wanted.length !== branches.length || wanted.length === 0) return 'is not any of the accepted forms';
  const list = wanted.length === 1 ? wanted[0] : `${wanted.slice(0, -1).join(', ')} or ${wanted[wanted.length - 1]}`;
  return `must be ${list}, not ${valueName(context.value)}`;
}

function valueName(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'boolean') return 'true/false';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return 'a string';
}

/** A quoted "2455" or "true" where a number or boolean is expected: the quotes are the mistake. */
function looksLike(expected: string, text: string): boolean {
  if (expected === 'number' || expected === 'int') return /^-?\d+(\.\d+)?$/.test(text.trim());
  return expected === 'boolean' && (text === 'true' || text === 'false');
}
