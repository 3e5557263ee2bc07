import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const COMMANDS = ['start', 'migrate', 'check', 'diff', 'keys', 'schema'];

describe('codex-lb (program)', () => {
  it('--help lists every command and the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 ok, 1 invalid config or failure, 2 usage error or unreadable file.');
    expect(result.stderr).toBe('');
  });

  it.each([['start'], ['migrate'], ['check'], ['diff'], ['keys'], ['keys', 'new'], ['schema']])('%s --help describes the command and exits 0', async (...command) => {
    const result = await runCli([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: codex-lb ${command.join(' ')}`);
  });

  it('help COMMAND is the same as COMMAND --help', async () => {
    const [viaHelp, viaOption] = await Promise.all([runCli(['help', 'check']), runCli(['check', '--help'])]);
    expect(viaHelp).toEqual(viaOption);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('an unknown command is a usage error (exit 2) with a suggestion, on stderr', async () => {
    const result = await runCli(['chek']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("error: unknown command 'chek'");
    expect(result.stderr).toContain('(Did you mean check?)');
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const result = await runCli(['check', '--jsn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown option '--jsn'");
    expect(result.stdout).toBe('');
  });

  it('a missing or extra argument is a usage error (exit 2)', async () => {
    const missing = await runCli(['diff', 'a.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: missing required argument 'new'");
    const extra = await runCli(['check', 'a.yaml', 'b.yaml']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('too many arguments');
  });

  it('no command shows the help on stderr and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: codex-lb');
  });

  it('start runs the gateway on --config, else $CODEX_LB_CONFIG, and exits non-zero when it cannot load it', async () => {
    const explicit = await runCli(['start', '--config', 'no-such.yaml'], { env: { CODEX_LB_CONFIG: 'ignored.yaml' } });
    expect(explicit.code).not.toBe(0);
    expect(explicit.stderr).toContain('no-such.yaml: file not found');
    const fromEnv = await runCli(['start'], { env: { CODEX_LB_CONFIG: 'from-env.yaml' } });
    expect(fromEnv.code).not.toBe(0);
    expect(fromEnv.stderr).toContain('from-env.yaml: file not found');
  });

  it('keys without a subcommand shows its help on stderr and exits 2', async () => {
    const result = await runCli(['keys']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: codex-lb keys');
  });
});
