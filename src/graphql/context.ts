import type { Db } from "../db/client";

/** What every resolver receives; per-caller scopes will join it here. */
export interface GraphQLContext {
  db: Db;
}
