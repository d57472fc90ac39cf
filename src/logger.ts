import pino, { type Logger } from "pino";

/**
 * One root logger; modules take a child with a `category` so a reader can filter one part of the hub.
 * Secrets never reach it: the redact list covers the places where keys and passwords could appear.
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" || process.env.VITEST ? "silent" : "info"),
  redact: {
    paths: [
      "*.password",
      "*.apiKey",
      "*.token",
      "headers.authorization",
      "*.headers.authorization",
      "*.headers['x-insee-api-key-integration']",
    ],
    censor: "[redacted]",
  },
  base: undefined,
});

export function loggerFor(category: string): Logger {
  return logger.child({ category });
}

export type { Logger };
