import type { AddressInfo } from "node:net";
import { createHttpServer } from "../../src/http/server";
import { createTestDatabase, type TestDatabase } from "./db";

export interface RunningHub {
  database: TestDatabase;
  /** http://127.0.0.1:<port>, the hub's root. */
  base: string;
  close(): Promise<void>;
}

/** The real HTTP server on a free port, over a test database of its own. */
export async function startHub(): Promise<RunningHub> {
  const database = await createTestDatabase();
  const server = await createHttpServer(database.db);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    database,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      await database.close();
    },
  };
}
