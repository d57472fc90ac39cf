/**
 * The agenda's printed figures (baselines) and the places where its documents contradict themselves
 * (document conflicts), listed with filters and reached from every entity they concern. One condition
 * per filter serves both the root lists (a parameter) and the per-parent loaders (the batch's key
 * column), so a list and a link always agree.
 */
import { type SQL, sql } from "drizzle-orm";
import type { SourceRef } from "../../../schema/common";
import { selectRows } from "../../db/client";
import { METROPOLE } from "../analysis/progress";
import { type GraphQLContext, manyLoader } from "../context";
import type { BaselineRow } from "./indicator.loaders";

/** What a baseline or a conflict can be filtered by, and the entities that link to them. */
export interface FigureFilter {
  indicator?: string;
  filiere?: string;
  site?: string;
  territory?: string;
  /** An agenda node: itself or any node below it (codes nest: O1 ⊃ O1.L2 ⊃ O1.L2.A3). */
  agendaNode?: string;
  /** A seed document (001 the agenda): figures stated on one of its lines. */
  document?: string;
  target?: string;
  baseline?: string;
}
export type FigureLink = keyof FigureFilter;

const nodeOrBelow = (column: SQL, node: SQL) =>
  sql`(${column} = ${node} or starts_with(${column}, ${node} || '.'))`;

/** The condition on `b` (baselines) for one filter, `value` being a parameter or a key column. */
function baselineWhere(link: FigureLink, value: SQL): SQL {
  switch (link) {
    case "indicator":
      return sql`b.code in (select baseline_code from baseline_indicators where indicator_code = ${value})`;
    case "filiere":
      return sql`b.code in (select baseline_code from baseline_filieres where filiere_code = ${value})`;
    case "site":
      return sql`b.code in (select baseline_code from baseline_sites where site_code = ${value})`;
    case "territory":
      return sql`b.territory_code = ${value}`;
    case "agendaNode":
      return sql`b.code in (select baseline_code from baseline_agenda_nodes n where ${nodeOrBelow(sql`n.node_code`, value)})`;
    case "document":
      return sql`exists (select 1 from jsonb_array_elements(b.refs) r where r->>'doc' = ${value})`;
    case "target":
      return sql`b.code in (select baseline_code from target_baselines where target_code = ${value})`;
    case "baseline":
      return sql`b.code = ${value}`;
  }
}

/**
 * The baseline and target codes an entity concerns, as a SELECT of one `code` column: a conflict bears
 * on an entity when one of its related codes is among them.
 */
function relatedCodes(link: FigureLink, value: SQL): SQL {
  const baselines = sql`select b.code from baselines b where ${baselineWhere(link, value)}`;
  switch (link) {
    case "indicator":
      return sql`${baselines} union select target_code from target_indicators where indicator_code = ${value}`;
    case "filiere":
      return sql`${baselines} union select target_code from target_filieres where filiere_code = ${value}`;
    case "site":
      return sql`${baselines} union select target_code from target_sites where site_code = ${value}`;
    case "territory":
      return sql`${baselines} union select code from targets where coalesce(territory_code, ${METROPOLE}) = ${value}`;
    case "agendaNode":
      return sql`${baselines} union select code from targets t where ${nodeOrBelow(sql`t.agenda_node_code`, value)}`;
    case "target":
      return sql`select ${value}::text`;
    case "baseline":
      return sql`select ${value}::text`;
    case "document":
      return sql`select null::text where false`;
  }
}

function conflictWhere(link: FigureLink, value: SQL): SQL {
  if (link === "document")
    return sql`exists (select 1 from jsonb_array_elements(c.values) v, jsonb_array_elements(v->'refs') r
                       where r->>'doc' = ${value})`;
  return sql`c.related_codes && array(${relatedCodes(link, value)})`;
}

function filterWhere(where: (link: FigureLink, value: SQL) => SQL, f: FigureFilter): SQL {
  const parts = (Object.entries(f) as [FigureLink, string | undefined][])
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([link, v]) => where(link, sql`${v}::text`));
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

interface RawBaseline {
  code: string;
  measure: string;
  value_text: string;
  value_numeric: number | string | null;
  unit: string;
  period: string | null;
  scope: string | null;
  territory_code: string | null;
  source_named: string | null;
  note: string | null;
  refs: SourceRef[];
  link_from?: string;
}

const toBaseline = (r: RawBaseline): BaselineRow & { linkFrom?: string } => ({
  code: r.code,
  measure: r.measure,
  valueText: r.value_text,
  valueNumeric: r.value_numeric === null ? null : Number(r.value_numeric),
  unit: r.unit,
  period: r.period,
  scope: r.scope,
  territoryCode: r.territory_code,
  sourceNamed: r.source_named,
  note: r.note,
  refs: r.refs,
  linkFrom: r.link_from,
});

export interface ConflictRow {
  code: string;
  topic: string;
  values: { value: string; refs: SourceRef[] }[];
  relatedCodes: string[];
  note: string | null;
  linkFrom?: string;
}

interface RawConflict {
  code: string;
  topic: string;
  values: { value: string; refs: SourceRef[] }[];
  related_codes: string[];
  note: string | null;
  link_from?: string;
}

const toConflict = (r: RawConflict): ConflictRow => ({
  code: r.code,
  topic: r.topic,
  values: r.values,
  relatedCodes: r.related_codes,
  note: r.note,
  linkFrom: r.link_from,
});

export async function listBaselines(ctx: GraphQLContext, f: FigureFilter): Promise<BaselineRow[]> {
  const rows = await selectRows<RawBaseline>(
    ctx.db,
    sql`select b.* from baselines b where ${filterWhere(baselineWhere, f)} order by b.code`,
  );
  return rows.map(toBaseline);
}

export async function listConflicts(
  ctx: GraphQLContext,
  f: FigureFilter & { search?: string },
): Promise<ConflictRow[]> {
  const { search, ...links } = f;
  const rows = await selectRows<RawConflict>(
    ctx.db,
    sql`select c.* from document_conflicts c where ${filterWhere(conflictWhere, links)}
        ${search ? sql`and c.topic ilike ${`%${search.replace(/[%_\\]/g, "\\$&")}%`}` : sql``}
        order by c.code`,
  );
  return rows.map(toConflict);
}

/** The keys as a table, from one array parameter: one statement text whatever the number of keys. */
const keyTable = (keys: string[]) => sql`unnest(${sql.param(keys)}::text[]) as k(key)`;

/** The baselines of many entities of one kind (the baselines of each filière…), in one statement. */
export const baselinesOf = (ctx: GraphQLContext, link: FigureLink) =>
  manyLoader<string, BaselineRow & { linkFrom?: string }>(
    ctx,
    `baselines.of.${link}`,
    async (keys) =>
      (
        await selectRows<RawBaseline>(
          ctx.db,
          sql`select k.key as link_from, b.* from ${keyTable(keys)}
              join baselines b on ${baselineWhere(link, sql`k.key`)} order by b.code`,
        )
      ).map(toBaseline),
    (r) => r.linkFrom ?? "",
  );

/** The document conflicts bearing on many entities of one kind, in one statement. */
export const conflictsOf = (ctx: GraphQLContext, link: FigureLink) =>
  manyLoader<string, ConflictRow>(
    ctx,
    `conflicts.of.${link}`,
    async (keys) =>
      (
        await selectRows<RawConflict>(
          ctx.db,
          sql`select k.key as link_from, c.* from ${keyTable(keys)}
              join document_conflicts c on ${conflictWhere(link, sql`k.key`)} order by c.code`,
        )
      ).map(toConflict),
    (r) => r.linkFrom ?? "",
  );
