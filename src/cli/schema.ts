import { writeFile } from 'node:fs/promises';
import { renderJsonSchema } from '../config/json-schema.js';
import { EXIT, type CliIo } from './io.js';

export interface SchemaOptions {
  write?: string;
}

/** `codex-lb schema [--write FILE]`: the editors' JSON Schema, on stdout or into FILE. */
export async function schemaCommand(options: SchemaOptions, io: CliIo): Promise<number> {
  const text = renderJsonSchema();
  if (options.write === undefined) {
    io.out(text);
    return EXIT.ok;
  }
  try {
    await writeFile(options.write, text, 'utf8');
  } catch (error) {
    io.err(`error: cannot write ${options.write} (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return EXIT.invalid;
  }
  io.err(`wrote ${options.write}\n`);
  return EXIT.ok;
}
