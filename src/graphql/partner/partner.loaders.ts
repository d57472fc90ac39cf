import { and, asc, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { datasets, partners } from "../../../schema/partner";
import { type GraphQLContext, manyLoader, oneLoader } from "../context";
import { containing, keyLoader, pageOfTable } from "../links";
import type { PageArgs } from "../pagination";
import { datasetsVisibleTo } from "../scope";

export type PartnerRow = typeof partners.$inferSelect;
export type DatasetRow = typeof datasets.$inferSelect;

export const partnerByCode = (ctx: GraphQLContext) =>
  keyLoader(ctx, "partner.byCode", partners, partners.code);

export interface PartnerFilter {
  kind?: string;
  role?: string;
  search?: string;
}

export function pagePartners(ctx: GraphQLContext, f: PartnerFilter, page: PageArgs) {
  const where: SQL[] = [];
  if (f.kind) where.push(eq(partners.kind, f.kind));
  if (f.role) where.push(sql`${f.role} = any(${partners.roles})`);
  if (f.search) {
    const like = containing(f.search);
    where.push(or(ilike(partners.name, like), ilike(partners.acronym, like), ilike(partners.code, like))!);
  }
  return pageOfTable(
    ctx,
    partners,
    and(...where),
    [asc(partners.code)],
    page,
    `partners.page\0${JSON.stringify(f)}`,
  );
}

/** A dataset the caller may not see is absent, exactly like one that does not exist. */
export const datasetByCode = (ctx: GraphQLContext) =>
  oneLoader<string, DatasetRow>(
    ctx,
    "dataset.byCode",
    (codes) =>
      ctx.db
        .select()
        .from(datasets)
        .where(and(inArray(datasets.code, codes), datasetsVisibleTo(ctx))),
    (d) => d.code,
  );

export function listDatasets(
  ctx: GraphQLContext,
  f: { partner?: string; sourceId?: string },
): Promise<DatasetRow[]> {
  const where: SQL[] = [];
  const visible = datasetsVisibleTo(ctx);
  if (visible) where.push(visible);
  if (f.partner) where.push(eq(datasets.partnerCode, f.partner));
  if (f.sourceId) where.push(eq(datasets.sourceId, f.sourceId));
  return ctx.db
    .select()
    .from(datasets)
    .where(and(...where))
    .orderBy(asc(datasets.code));
}

export const datasetsOfPartner = (ctx: GraphQLContext) =>
  manyLoader<string, DatasetRow>(
    ctx,
    "partner.datasets",
    (codes) =>
      ctx.db
        .select()
        .from(datasets)
        .where(and(inArray(datasets.partnerCode, codes), datasetsVisibleTo(ctx)))
        .orderBy(asc(datasets.code)),
    (d) => d.partnerCode,
  );
