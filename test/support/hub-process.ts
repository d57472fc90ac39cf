import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root: where `npm start` and `src/main.ts` are run from. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once("error", reject)
      .listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

export interface HubProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** What the hub printed so far (stdout and stderr), for a failing test's message. */
  output(): string;
  /** Resolves when the process has exited, with its code and signal, and how long after `signal()`. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal to the process started (node, or npm with `via: "npm"`). */
  signal(signal: NodeJS.Signals): void;
  /** Kills it (SIGKILL) if it still runs: a test's cleanup. */
  kill(): Promise<void>;
}

export interface HubProcessOptions {
  /** Added to the environment: DATABASE_URL or PGLITE_DIR, limits, log level… */
  env: Record<string, string>;
  /** `node`: node --import tsx src/main.ts (one process, its own RSS); `npm`: `npm start` as the README says. */
  via?: "node" | "npm";
  /** How long to wait for /readyz. */
  readyTimeoutMs?: number;
}

/**
 * The hub as a separate process, as an operator starts it, on a free port with ingestion off unless
 * the caller's env turns it on. Resolves once /readyz answers 200.
 */
export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    INGEST_SCHEDULE: "off",
    INGEST_ON_START: "off",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    ...options.env,
  };
  // npm would otherwise read the test runner's npm_* variables as its own configuration.
  for (const key of Object.keys(env)) if (key.startsWith("npm_")) delete env[key];
  // A group of its own, so cleanup can kill what npm started too if a test fails half-way.
  const spawnOptions: SpawnOptions = { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true };
  const child =
    options.via === "npm"
      ? spawn("npm", ["start", "--silent"], spawnOptions)
      : spawn(process.execPath, ["--import", "tsx", "src/main.ts"], spawnOptions);
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (gone) throw new Error(`the hub exited before it was ready:\n${text}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the hub was not ready in time:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    base,
    output: () => text,
    exited,
    signal: (signal) => child.kill(signal),
    kill: async () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone already
      }
      if (!gone) await exited;
    },
  };
}

/** Peak and current resident memory of a process, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}
