/**
 * The service's logger: pino JSON on stdout, object first and a short lowercase message.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

/**
 * Creates the logger. Besides the rule that nothing passes a token, secret or header map to a
 * log call, a redaction list catches the usual names should one ever slip through.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service: 'authfort-service', pid: process.pid },
    redact: {
      paths: [
        'token',
        '*.token',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
        'headers',
        '*.headers',
        'cookie',
        '*.cookie',
      ],
      censor: '[redacted]',
    },
  });
}
