import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import { agendaNodeFilieres, agendaNodes } from "../../../schema/agenda";
import { filiereNafCodes, filierePartners, filieres, nafCodes } from "../../../schema/filiere";
import { partners } from "../../../schema/partner";
import { siteFilieres, sites } from "../../../schema/site";
import { type GraphQLContext, manyLoader } from "../context";
import { childLoader, keyLoader, linkedTo, linkLoader } from "../links";
import { readReference } from "../reference-cache";

export type FiliereRow = typeof filieres.$inferSelect;

export const filiereByCode = (ctx: GraphQLContext) =>
  keyLoader(ctx, "filiere.byCode", filieres, filieres.code);

export function listFilieres(
  ctx: GraphQLContext,
  f: { kind?: FiliereRow["kind"]; naf?: string },
): Promise<FiliereRow[]> {
  return readReference(ctx, `filieres.list\0${JSON.stringify(f)}`, () => selectFilieres(ctx, f));
}

function selectFilieres(
  ctx: GraphQLContext,
  f: { kind?: FiliereRow["kind"]; naf?: string },
): Promise<FiliereRow[]> {
  const where: SQL[] = [];
  if (f.kind) where.push(eq(filieres.kind, f.kind));
  if (f.naf)
    where.push(
      linkedTo(ctx, filieres.code, { from: filiereNafCodes.nafCode, to: filiereNafCodes.filiereCode }, f.naf),
    );
  return ctx.db
    .select()
    .from(filieres)
    .where(and(...where))
    .orderBy(asc(filieres.code));
}

/** NAF codes of many filières, each with its label and how the mapping was made. */
export const nafCodesOfFiliere = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "filiere.nafCodes",
    (codes: string[]) =>
      ctx.db
        .select({
          filiereCode: filiereNafCodes.filiereCode,
          code: filiereNafCodes.nafCode,
          label: nafCodes.label,
          level: nafCodes.level,
          scope: filiereNafCodes.scope,
          weight: filiereNafCodes.weight,
          certainty: filiereNafCodes.certainty,
          note: filiereNafCodes.note,
        })
        .from(filiereNafCodes)
        .innerJoin(nafCodes, eq(nafCodes.code, filiereNafCodes.nafCode))
        .where(inArray(filiereNafCodes.filiereCode, codes))
        .orderBy(asc(filiereNafCodes.nafCode)),
    (r) => r.filiereCode,
  );

export const filieresOfNaf = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "naf.filieres",
    { from: filiereNafCodes.nafCode, to: filiereNafCodes.filiereCode },
    filieres,
    filieres.code,
    filieres.code,
  );

export const segmentsOf = (ctx: GraphQLContext) =>
  childLoader(ctx, "filiere.segments", filieres, filieres.parentCode, [filieres.code]);

export const sitesOfFiliere = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "filiere.sites",
    { from: siteFilieres.filiereCode, to: siteFilieres.siteCode },
    sites,
    sites.code,
    sites.code,
  );

export const filieresOfSite = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "site.filieres",
    { from: siteFilieres.siteCode, to: siteFilieres.filiereCode },
    filieres,
    filieres.code,
    filieres.code,
  );

export const partnersOfFiliere = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "filiere.partners",
    {
      from: filierePartners.filiereCode,
      to: filierePartners.partnerCode,
      extra: { role: filierePartners.role },
    },
    partners,
    partners.code,
    partners.code,
  );

export const filieresOfPartner = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "partner.filieres",
    {
      from: filierePartners.partnerCode,
      to: filierePartners.filiereCode,
      extra: { role: filierePartners.role },
    },
    filieres,
    filieres.code,
    filieres.code,
  );

export const agendaNodesOfFiliere = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "filiere.agendaNodes",
    {
      from: agendaNodeFilieres.filiereCode,
      to: agendaNodeFilieres.nodeCode,
      extra: { certainty: agendaNodeFilieres.certainty },
    },
    agendaNodes,
    agendaNodes.code,
    agendaNodes.code,
  );

export const nafCodeByCode = (ctx: GraphQLContext) => keyLoader(ctx, "naf.byCode", nafCodes, nafCodes.code);
