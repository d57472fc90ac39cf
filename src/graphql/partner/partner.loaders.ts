import { and, asc, count, eq, getTableColumns, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { datasets, partners } from "../../../schema/partner";
import { type GraphQLContext, manyLoader, oneLoader } from "../context";
import { type PageArgs, paginate, splitTotal } from "../pagination";

export type PartnerRow = typeof partners.$inferSelect;
export type DatasetRow = typeof datasets.$inferSelect;

export const partnerByCode = (ctx: GraphQLContext) =>
  oneLoader(
    ctx,
    "partner.byCode",
    (codes: string[]) => ctx.db.select().from(partners).where(inArray(partners.code, codes)),
    (r) => r.code,
  );

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
    const like = `%${f.search.replace(/[%_\\]/g, "\\$&")}%`;
    where.push(or(ilike(partners.name, like), ilike(partners.acronym, like), ilike(partners.code, like))!);
  }
  const condition = and(...where);
  return paginate<PartnerRow>(
    page,
    async ({ limit, offset }) =>
      splitTotal(
        await ctx.db
          .select({ ...getTableColumns(partners), total: sql<number>`count(*) over ()` })
          .from(partners)
          .where(condition)
          .orderBy(asc(partners.code))
          .limit(limit)
          .offset(offset),
      ),
    async () => Number((await ctx.db.select({ n: count() }).from(partners).where(condition))[0]?.n ?? 0),
  );
}

export const datasetByCode = (ctx: GraphQLContext) =>
  oneLoader(
    ctx,
    "dataset.byCode",
    (codes: string[]) => ctx.db.select().from(datasets).where(inArray(datasets.code, codes)),
    (r) => r.code,
  );

export function listDatasets(
  ctx: GraphQLContext,
  f: { partner?: string; sourceId?: string },
): Promise<DatasetRow[]> {
  const where: SQL[] = [];
  if (f.partner) where.push(eq(datasets.partnerCode, f.partner));
  if (f.sourceId) where.push(eq(datasets.sourceId, f.sourceId));
  return ctx.db
    .select()
    .from(datasets)
    .where(and(...where))
    .orderBy(asc(datasets.code));
}

export const datasetsOfPartner = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "partner.datasets",
    (codes: string[]) =>
      ctx.db.select().from(datasets).where(inArray(datasets.partnerCode, codes)).orderBy(asc(datasets.code)),
    (r) => r.partnerCode,
  );
