// PostGraphile v5 (the Amber preset, no plugin) serving DATABASE_URL's public schema and SCHEMAS (the
// bench's computed columns) on PORT: an off-the-shelf GraphQL layer over the same tables, for
// `npm run bench:api` to compare.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const port = Number(process.env.PORT);
const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public", ...(process.env.SCHEMAS ?? "").split(",").filter(Boolean)],
    }),
  ],
  grafserv: { port },
});
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await pgl.createServ(grafserv).addTo(server);
server.listen(port, "127.0.0.1");
