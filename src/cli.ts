import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { checkCommand } from './cli/check.js';
import { diffCommand } from './cli/diff.js';
import { defaultConfigPath, EXIT, processIo, type CliIo } from './cli/io.js';
import { keysNewCommand } from './cli/keys.js';
import { migrateCommand } from './cli/migrate.js';
import { schemaCommand } from './cli/schema.js';
import { startCommand } from './cli/start.js';

/**
 * `codex-lb <command>`. Returns the exit code instead of exiting, so the bin script sets
 * `process.exitCode` and pending output is flushed; tests can call it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.invalid;
  }
  return exitCode;
}

const CONFIG_HELP = 'default: $CODEX_LB_CONFIG, else ./gateway.yaml';

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('codex-lb')
    .description('Config-driven, OpenAI-compatible gateway configured by one gateway.yaml')
    .version(packageVersion(), '-V, --version')
    // Inherited by every command added below: report instead of exiting, write through `io`.
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 invalid config or failure, 2 usage error or unreadable file.');

  program
    .command('start')
    .description('Run the gateway (reloads gateway.yaml live when it changes)')
    .option('-c, --config <file>', `config file (${CONFIG_HELP})`)
    .option('--no-watch', 'do not watch the config file (reload with SIGHUP or the admin API)')
    .action(async (options: { config?: string; watch: boolean }) => {
      setExit(await startCommand({ config: options.config ?? defaultConfigPath(io.env), watch: options.watch }));
    });

  program
    .command('migrate')
    .description("Bring the usage store of storage.url to the latest schema (start does this too)")
    .option('-c, --config <file>', `config file (${CONFIG_HELP})`)
    .action(async (options: { config?: string }) => {
      setExit(await migrateCommand({ config: options.config ?? defaultConfigPath(io.env) }, io));
    });

  program
    .command('check')
    .description('Validate a config file: every issue with file:line:col, exit 0 valid, 1 invalid, 2 unreadable')
    .argument('[file]', `config file (${CONFIG_HELP})`)
    .option('--json', 'print { valid, file, hash, errors, warnings, issues } as JSON')
    .action(async (file: string | undefined, options: { json?: boolean }) => {
      setExit(await checkCommand(file ?? defaultConfigPath(io.env), options, io));
    });

  program
    .command('diff')
    .description('What applying NEW over OLD changes: accounts, models, keys, policies, settings (field names only)')
    .argument('<old>', 'the config as it is')
    .argument('<new>', 'the config as it would be')
    .option('--json', 'print { old, new, changes, summary } as JSON')
    .action(async (oldFile: string, newFile: string, options: { json?: boolean }) => {
      setExit(await diffCommand(oldFile, newFile, options, io));
    });

  const keys = program.command('keys').description('Client API keys');
  keys
    .command('new')
    .description('Create a client API key (sk-clb-…, 256 random bits) and the keyHash for gateway.yaml')
    .option('--id <id>', 'id of the keys: entry in the printed snippet')
    .option('--json', 'print { id, key, keyHash, yaml } as JSON')
    .action((options: { id?: string; json?: boolean }) => {
      setExit(keysNewCommand(options, io));
    });

  program
    .command('schema')
    .description('Print the JSON Schema of gateway.yaml for editors (or write it with --write)')
    .option('-w, --write <file>', 'write to this file instead of stdout')
    .action(async (options: { write?: string }) => {
      setExit(await schemaCommand(options, io));
    });

  return program;
}

/** Help and version are successes; everything else commander rejects is a usage error. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
  if (error.code === 'commander.help' && error.exitCode === 0) return EXIT.ok;
  return EXIT.usage;
}

/** package.json sits two levels above the compiled file (dist/src/cli.js) or one above src/cli.ts. */
function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'codex-lb' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not at this level; try the next one.
    }
  }
  return 'unknown';
}
