import type { AddressInfo } from "node:net";
import { buildHttpApp, type HttpOptions } from "../../src/http/server";
import { createTestDatabase, type TestDatabase } from "./db";

export interface RunningHub {
  database: TestDatabase;
  /** http://127.0.0.1:<port>, the hub's root. */
  base: string;
  close(): Promise<void>;
}

/** The real HTTP server on a free port, over a test database of its own. */
export async function startHub(options: HttpOptions = {}): Promise<RunningHub> {
  const database = await createTestDatabase();
  const app = await buildHttpApp(database.db, options);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    database,
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
