/**
 * `npm run ingest -- <source|stream|all> [--force] [--accept-held] [--from-file PATH [--resource KEY]]`
 * runs streams now; `npm run ingest -- --status` prints the last run of every stream. Exits 1 when a run
 * failed, was held or interrupted. SIGINT/SIGTERM end the run `interrupted` and release its lease.
 *
 * On the embedded database, one process at a time (`src/db/holder.ts`): when a running hub holds
 * PGLITE_DIR the command is sent to it (`POST /admin/ingest`) and its output printed as it comes; when
 * another ingest holds it, the CLI refuses and says so; otherwise (or once a dead holder is taken over)
 * it opens the directory itself and holds it while it runs.
 */
import { DatabaseConnectionError, openDatabase } from "../src/db/client";
import { DirectoryHeldError, type Holder, holdDirectory, liveHolder } from "../src/db/holder";
import { type Env, EnvError, parseEnv } from "../src/env";
import { ADMIN_TOKEN_HEADER } from "../src/http/admin-ingest";
import { prepareDatabase } from "../src/startup";
import {
  INGEST_USAGE,
  type IngestCommand,
  type IngestEvent,
  parseIngestArgs,
  runIngestCommand,
} from "./core/command";
import type { RunProgress } from "./core/runner";

function progressPrinter(tty: boolean) {
  let open = false;
  const progress = (p: RunProgress) => {
    const perSecond = p.elapsedMs > 0 ? Math.round((p.rows * 1000) / p.elapsedMs) : 0;
    const line = `${p.streamId}: ${p.resourcesDone}/${p.resourcesTotal} resources, ${p.rows} rows, ${perSecond} rows/s`;
    if (tty) {
      process.stdout.write(`\r${line}\u001b[K`);
      open = true;
    } else console.log(line);
  };
  return (event: IngestEvent) => {
    if (event.type === "progress") return progress(event);
    if (event.type !== "line") return;
    if (open) process.stdout.write("\n");
    open = false;
    if (event.to === "stderr") console.error(event.text);
    else console.log(event.text);
  };
}

/** Sends the command to the hub that holds the directory; resolves with the exit code it reports. */
async function viaHub(
  holder: Holder,
  command: IngestCommand,
  print: (e: IngestEvent) => void,
): Promise<number> {
  const abort = new AbortController();
  // Ctrl-C hangs up: the hub then ends this command's runs `interrupted`, as a local run would.
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const response = await fetch(`http://127.0.0.1:${holder.port}/admin/ingest`, {
      method: "POST",
      headers: { [ADMIN_TOKEN_HEADER]: holder.token ?? "", "content-type": "application/json" },
      body: JSON.stringify(command),
      signal: abort.signal,
    });
    if (!response.ok || !response.body) {
      console.error(
        `hublot ingest: the running hub (pid ${holder.pid}) refused: HTTP ${response.status} ${await response.text()}`,
      );
      return 1;
    }
    let exitCode = 1;
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line) continue;
        const event = JSON.parse(line) as IngestEvent;
        if (event.type === "done") exitCode = event.exitCode;
        else print(event);
      }
    }
    return exitCode;
  } catch (error) {
    if (abort.signal.aborted) return 1;
    throw new Error(
      `the running hub (pid ${holder.pid}) holds the embedded database but did not answer on port ${holder.port}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function locally(env: Env, command: IngestCommand, print: (e: IngestEvent) => void): Promise<number> {
  const embedded = !env.DATABASE_URL && !env.PGLITE_DIR.startsWith("memory://");
  const release = embedded
    ? holdDirectory(env.PGLITE_DIR, { kind: "ingest", port: null, token: null })
    : () => {};
  process.once("exit", release);
  const database = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(new Error(`ingest received ${signal}`));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await prepareDatabase(database);
    return await runIngestCommand(database.db, command, {
      leaseMs: env.INGEST_LEASE_TTL_MS,
      resourceDeadlineMs: env.INGEST_RESOURCE_DEADLINE_MS,
      emit: print,
      signal: interrupt.signal,
    });
  } finally {
    await database.close();
    release();
  }
}

async function main(argv: string[]): Promise<number> {
  const command = parseIngestArgs(argv);
  if ("usage" in command) {
    console.error(INGEST_USAGE);
    return command.usage;
  }
  const env = parseEnv();
  const print = progressPrinter(process.stdout.isTTY === true);
  const holder = env.DATABASE_URL ? null : liveHolder(env.PGLITE_DIR);
  if (holder?.kind === "hub" && holder.port !== null && holder.token !== null) {
    console.error(`hublot ingest: the hub (pid ${holder.pid}) holds ${env.PGLITE_DIR}; it runs the command`);
    return viaHub(holder, command, print);
  }
  if (holder) throw new DirectoryHeldError(env.PGLITE_DIR, holder.kind, holder.pid);
  return locally(env, command, print);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof EnvError) for (const issue of error.issues) console.error(`hublot: ${issue}`);
    else if (error instanceof DatabaseConnectionError || error instanceof DirectoryHeldError)
      console.error(`hublot: ${error.message}`);
    else console.error(`hublot ingest: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
