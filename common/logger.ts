import pino, { type Logger } from 'pino';

export type { Logger };

/** pino everywhere: JSON in production, pretty in development when attached to a terminal. */
export function createLogger(opts: { level: string; env: string; name: string }): Logger {
  const pretty = opts.env === 'development' && process.stdout.isTTY;
  return pino({
    name: opts.name,
    level: opts.level,
    // Defence in depth: these never belong in a log line, whatever a caller passes.
    redact: {
      paths: ['*.privateKey', '*.signerKey', '*.password', 'req.headers.authorization', 'req.headers["x-api-key"]'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
