export interface StartOptions {
  config: string;
  watch?: boolean;
}

/**
 * `codex-lb start`: runs the gateway until it stops and returns its exit code. The gateway's
 * modules (Express, TypeORM, GraphQL…) are imported only here, so `check`, `diff` and `keys`
 * stay quick and work without them.
 */
export async function startCommand(options: StartOptions): Promise<number> {
  const { runGateway } = await import('../main.js');
  return runGateway({ configPath: options.config, watch: options.watch });
}
