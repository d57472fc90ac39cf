import { PgliteSession } from "drizzle-orm/pglite";
import { PostgresJsSession } from "drizzle-orm/postgres-js";

export type StatementObserver = (driver: "pglite" | "postgres", seconds: number, failed: boolean) => void;
export type InFlightObserver = (driver: "pglite" | "postgres", delta: 1 | -1) => void;

interface Prepared {
  execute(...args: unknown[]): Promise<unknown>;
  all(...args: unknown[]): Promise<unknown>;
}

let installed = false;

/**
 * Times every statement drizzle sends, on both drivers, transactions included: each `prepareQuery` of
 * a drizzle session returns a prepared query whose `execute`/`all` are wrapped. drizzle's logger hook
 * only sees a statement before it runs, and each driver keeps its own pool, so the session is the one
 * place both share. Installed once per process (the metrics of src/metrics.ts read it).
 */
export function instrumentDrizzle(onStatement: StatementObserver, onInFlight: InFlightObserver): void {
  if (installed) return;
  installed = true;
  const sessions = [
    [PgliteSession.prototype, "pglite"],
    [PostgresJsSession.prototype, "postgres"],
  ] as const;
  for (const [proto, driver] of sessions) {
    const target = proto as unknown as { prepareQuery: (...args: unknown[]) => Prepared };
    const prepare = target.prepareQuery;
    target.prepareQuery = function (this: unknown, ...args: unknown[]) {
      const prepared = prepare.apply(this, args);
      for (const method of ["execute", "all"] as const) {
        const original = prepared[method];
        if (typeof original !== "function") continue;
        prepared[method] = async (...callArgs: unknown[]) => {
          const started = performance.now();
          onInFlight(driver, 1);
          let failed = false;
          try {
            return await original.apply(prepared, callArgs);
          } catch (error) {
            failed = true;
            throw error;
          } finally {
            onInFlight(driver, -1);
            onStatement(driver, (performance.now() - started) / 1000, failed);
          }
        };
      }
      return prepared;
    };
  }
}
