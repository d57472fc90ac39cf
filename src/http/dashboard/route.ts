import type { FastifyInstance } from "fastify";
import { send } from "../playground";
import { createDashboard } from "./page";

const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * `/`: the dashboard for people who do not write GraphQL, and its assets under `/dashboard/<hash>/`.
 * The page itself is revalidated on every visit: it is small and names the current asset directory.
 */
export function registerDashboard(app: FastifyInstance): void {
  const dashboard = createDashboard();
  app.get("/", (request, reply) =>
    send(request, reply, dashboard.page, {
      "cache-control": "no-cache",
      "content-security-policy": dashboard.csp,
      "referrer-policy": "no-referrer",
    }),
  );
  for (const [path, asset] of dashboard.assets) {
    app.get(`/${path}`, (request, reply) => send(request, reply, asset, { "cache-control": IMMUTABLE }));
  }
  // Browsers ask for it whatever the page says; an empty answer keeps their consoles clean.
  app.get("/favicon.ico", (_request, reply) => reply.code(204).header("cache-control", IMMUTABLE).send());
}
