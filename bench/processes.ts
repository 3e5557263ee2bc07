import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One server under test, in its own process, and what the kernel says it costs. */
export interface BenchProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** User + system CPU time of every thread so far, in µs (from /proc/<pid>/stat). */
  cpuMicros(): number;
  /** Resident set size now and at its peak, in bytes (from /proc/<pid>/status). */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

// USER_HZ: the unit of utime/stime in /proc. 100 on every Linux the bench has met; `getconf CLK_TCK`.
const TICKS_PER_SECOND = 100;

/**
 * Starts `node <args>` and waits until its stdout shows the URL it listens on: a `LISTENING <url>`
 * line (the bench's own servers) or the gateway's JSON `codex-lb listening on` log line.
 * Its stdout keeps being read (and dropped) so a chatty logger never blocks on a full pipe.
 */
export async function startProcess(label: string, args: string[], cwd: string): Promise<BenchProcess> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  // A bench that dies (an exception, Ctrl-C) must not leave its servers running.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /LISTENING (\S+)/.exec(buffered) ?? /"url":"(http[^"]+)"[^\n]*codex-lb listening/.exec(buffered);
      if (match === null) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.stdout?.resume();
      resolve(match[1]);
    };
    const onExit = (code: number | null) => reject(new Error(`${label} exited before listening (${code}): ${buffered.slice(-2000)}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label} has no pid`);
  return {
    label,
    child,
    pid,
    url,
    cpuMicros: () => cpuMicros(pid),
    memory: () => memory(pid),
    stop: () => stop(child),
  };
}

export function cpuMicros(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/**
 * CPU time so far of the process's main thread alone, µs: the thread that runs JavaScript and
 * so bounds the RPS one process can serve (GC helpers and the libuv pool run beside it).
 */
export function mainThreadCpuMicros(pid: number): number {
  const { user, system } = cpuSplit(pid, `/proc/${pid}/task/${pid}/stat`);
  return user + system;
}

/** User and kernel CPU time so far, µs (of the whole process, or of the thread `statFile` names). */
export function cpuSplit(pid: number, statFile = `/proc/${pid}/stat`): { user: number; system: number } {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command name (which may hold spaces and parentheses): state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const micros = (field: number) => (Number(fields[field - 3]) * 1_000_000) / TICKS_PER_SECOND;
  return { user: micros(14), system: micros(15) };
}

export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
