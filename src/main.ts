/**
 * Composition root (being written): builds and wires every long-lived object.
 * `runGateway` starts the gateway, installs signal handlers and resolves with the exit code.
 */
export interface RunOptions {
  configPath: string;
}

export async function runGateway(_options: RunOptions): Promise<number> {
  return 1;
}
