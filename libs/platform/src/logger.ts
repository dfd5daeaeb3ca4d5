import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Added to every line as `service`. */
  readonly serviceName: string;
}

/** One JSON object per line on stdout (or `destination`, which tests use to read lines back). */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: nothing we log should carry a key, but a stray header object must not leak one.
      redact: { paths: ['authorization', '*.authorization', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
    },
    destination,
  );
}
