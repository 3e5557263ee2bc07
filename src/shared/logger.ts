import { pino, type Logger, type LoggerOptions } from 'pino';
import { LOG_REDACT_PATHS, MASK } from './redaction.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/** Structured JSON logs; secret-bearing fields are censored by path before they are written. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.CODEX_LB_LOG_LEVEL ?? 'info',
    base: { service: 'codex-lb' },
    redact: { paths: LOG_REDACT_PATHS, censor: MASK },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
