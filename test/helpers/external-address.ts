import { networkInterfaces } from 'node:os';

/** This machine's first non-loopback IPv4 address, if it has one: a real non-local peer for access tests. */
export function externalIPv4(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return null;
}
