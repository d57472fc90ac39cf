import type { Db } from "./client";

const statements = new WeakMap<Db, Map<string, unknown>>();

/**
 * The statement `name` of this database handle, built by drizzle's query builder the first time only.
 * Building a statement cost more CPU than running it: a third of the hub's CPU on "Sites of the santé
 * filière" went to drizzle assembling the same five texts again for every request. A name stands for
 * one statement text; what changes from one run to the next is bound as placeholders.
 */
export function preparedOnce<S>(db: Db, name: string, build: (name: string) => S): S {
  let byName = statements.get(db);
  if (!byName) {
    byName = new Map();
    statements.set(db, byName);
  }
  let statement = byName.get(name) as S | undefined;
  if (!statement) {
    statement = build(name.replace(/\W/g, "_"));
    byName.set(name, statement);
  }
  return statement;
}
