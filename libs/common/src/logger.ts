import pino, { Logger } from 'pino';
import { secretScrubber } from './secrets';

/**
 * Structured JSON logs. Every line goes through the secret scrubber, so a driver error that
 * echoes a connection string cannot leak its password.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'nines', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => secretScrubber.scrubValue(obj as Record<string, unknown>),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? secretScrubber.scrub(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        // The log formatter has already turned an Error into { type, message, code, … } (scrubbed);
        // a plain string or object stays as it is, scrubbed, instead of becoming {}.
        err: (e: unknown) => {
          if (e instanceof Error) {
            const s = pino.stdSerializers.err(e);
            return secretScrubber.scrubValue({ type: s.type, message: s.message, code: (e as { code?: string }).code });
          }
          return secretScrubber.scrubValue(e);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
