/**
 * `npm run bench:start`: time from spawning the hub to its first 200 on /graphql, on a fresh embedded
 * database (a new PGlite directory: migrations and reference data) and again on the second start of
 * that directory. BENCH_HUB_COMMAND sets the command (default: what `npm start` runs once built).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const command = process.env.BENCH_HUB_COMMAND ?? "node --enable-source-maps dist/main.js";

async function firstAnswer(dir: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn("sh", ["-c", `exec ${command}`], {
    env: {
      ...process.env,
      PGLITE_DIR: dir,
      PORT: String(port),
      HOST: "127.0.0.1",
      INGEST_SCHEDULE: "off",
      INGEST_ON_START: "off",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  try {
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"query":"{ __typename }"}',
        });
        if (r.status === 200) return (performance.now() - started) / 1000;
      } catch {}
      if (child.exitCode !== null) throw new Error(`the hub exited (${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "hublot-start-"));
  try {
    const fresh = await firstAnswer(dir, 38711);
    const second = await firstAnswer(dir, 38712);
    console.log(
      `${command}: fresh ${fresh.toFixed(2)} s, second start ${second.toFixed(2)} s (load ${loadavg()[0].toFixed(1)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
main();
