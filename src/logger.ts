import { createRequire } from "node:module";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

/**
 * One root logger; modules take a child with a `category` so a reader can filter one part of the hub.
 * Secrets never reach it: the redact list covers the places where keys and passwords could appear.
 *
 * On a terminal it prints one readable line per event (pino-pretty: time, level, category, stream,
 * message and its reason); anywhere else (a pipe, a log collector) one JSON object per line, as pino
 * writes it. `LOG_FORMAT=json` or `pretty` forces either.
 */
export type LogFormat = "pretty" | "json";

export function logFormatFor(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (asked === "json" || asked === "pretty") return asked;
  return isTTY ? "pretty" : "json";
}

/** What a pretty line shows after the message: the fields that say why, never whole payloads. */
const REASON_FIELDS = ["error", "cause", "resource", "reason"] as const;

/** `ingest insee-bdm.unemployment-rate: run failed: … (cause)`: category, stream, message, reason. */
export function prettyLine(log: Record<string, unknown>, messageKey: string): string {
  const where = [log.category, log.stream].filter((x) => typeof x === "string" && x !== "").join(" ");
  const reason = REASON_FIELDS.map((k) => log[k])
    .filter((v): v is string | number => (typeof v === "string" && v !== "") || typeof v === "number")
    .filter((v) => !String(log[messageKey] ?? "").includes(String(v)))
    .join("; ");
  const err = log.err as { message?: string } | undefined;
  const message = String(log[messageKey] ?? "");
  return `${where ? `${where}: ` : ""}${message}${reason ? ` (${reason})` : ""}${err?.message ? ` — ${err.message}` : ""}`;
}

/** pino-pretty is a development dependency: without it (a production install) the logs stay JSON. */
function prettyStream(): DestinationStream | null {
  try {
    const require = createRequire(import.meta.url);
    const pretty = require("pino-pretty") as (options: Record<string, unknown>) => DestinationStream;
    return pretty({
      sync: true,
      colorize: true,
      translateTime: "SYS:HH:MM:ss",
      ignore: "pid,hostname",
      hideObject: true,
      messageFormat: (log: Record<string, unknown>, messageKey: string) => prettyLine(log, messageKey),
    });
  } catch {
    return null;
  }
}

const options: LoggerOptions = {
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
};

const pretty = logFormatFor(process.env, process.stdout.isTTY === true) === "pretty" ? prettyStream() : null;

export const logger: Logger = pretty ? pino(options, pretty) : pino(options);

export function loggerFor(category: string): Logger {
  return logger.child({ category });
}

export type { Logger };
