/**
 * AtmoSud: the CIGALE inventory (GHG emissions by sector, final energy consumption; yearly, by commune,
 * summed to the EPCI) and the daily ATMO air-quality index from its GeoServer WFS. They live on two
 * hosts, so they are two sources, each with its own base URL override.
 */

import { and, eq, like, or } from "drizzle-orm";
import { indicators } from "../../../schema/indicator";
import { territories, territoryLinks } from "../../../schema/territory";
import { wholeBody } from "../../core/payload";
import type { PlanContext, SourceDefinition, StreamDefinition } from "../../core/types";
import { EPCI_CODE } from "../../reference/load";
import {
  ATMO_INDEX_DATASET,
  ATMO_INDEX_INDICATOR,
  type AtmoIndexMeta,
  atmoIndexUrl,
  convertAtmoIndex,
} from "./atmo-index";
import { CIGALE_DATASET, CIGALE_VARIABLES, type CigaleMeta, convertCigale, SECTEN1 } from "./cigale";

async function territoryCodes(ctx: Pick<PlanContext, "db">): Promise<string[]> {
  const rows = await ctx.db
    .select({ code: territories.code })
    .from(territories)
    .where(
      or(like(territories.code, "COM-%"), like(territories.code, "ARM-%"), like(territories.code, "EPCI-%")),
    );
  return rows.map((r) => r.code).sort();
}

/** Inventory years planned: the inventory runs two years behind (N-2), and AtmoSud revises past years. */
export function cigaleYears(today: Date, count = 4): number[] {
  const last = today.getUTCFullYear() - 2;
  return Array.from({ length: count }, (_, i) => last - i);
}

/** CIGALE's table export (`scripts/tableau.php`) for the EPCI's communes, one year, every sector. */
export function cigaleUrl(baseUrl: string, year: number): string {
  const sectors = Object.keys(SECTEN1)
    .map((s) => `'${s}'`)
    .join(",");
  const params = [
    ["query_ans", String(year)],
    ["query_entite", EPCI_CODE],
    ["query_sect", sectors],
    ["query_ener", ""],
    ["query_var", Object.keys(CIGALE_VARIABLES).join(",")],
    ["query_detail_comm", "true"],
  ];
  return `${baseUrl}/scripts/tableau.php?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
}

export const cigaleStream: StreamDefinition = {
  id: "atmosud.cigale",
  description:
    "CIGALE: GHG emissions (kt CO2e, PRG100) by SECTEN1 sector and per inhabitant, final energy consumption (ktep), by commune and for the EPCI, yearly",
  // A new inventory year comes once a year and past years are revised; a monthly look is enough.
  schedule: "0 5 3 * *",
  indicators: ["ghg_emissions", "renewable_share_final_consumption"],
  datasetCode: CIGALE_DATASET,
  async plan(ctx) {
    const members = await ctx.db
      .select({ code: territoryLinks.childCode })
      .from(territoryLinks)
      .where(
        and(eq(territoryLinks.parentCode, `EPCI-${EPCI_CODE}`), like(territoryLinks.childCode, "COM-%")),
      );
    const populated = await ctx.db
      .select({
        code: territories.code,
        population: territories.population,
        year: territories.populationYear,
        source: territories.populationSource,
      })
      .from(territories);
    const populations: CigaleMeta["populations"] = {};
    for (const p of populated) {
      if (p.population) populations[p.code] = { value: p.population, year: p.year, source: p.source };
    }
    const common = {
      epci: EPCI_CODE,
      epciMembers: members.map((m) => m.code).sort(),
      knownTerritories: await territoryCodes(ctx),
      populations,
    };
    return cigaleYears(new Date()).map((year) => {
      const meta: CigaleMeta = { ...common, year };
      return { key: `cigale-${year}`, url: cigaleUrl(ctx.baseUrl, year), meta };
    });
  },
  convert: wholeBody(convertCigale),
};

/** Days planned: yesterday (final), today and tomorrow (forecasts, revised the next day). */
export function indexDays(today: Date): string[] {
  return [-1, 0, 1].map((d) => new Date(today.getTime() + d * 86_400_000).toISOString().slice(0, 10));
}

export const atmoIndexStream: StreamDefinition = {
  id: "atmosud-indice.daily",
  description: "Indice ATMO journalier par commune (Marseille par arrondissement), AtmoSud WFS",
  // Published around midday for J and J+1.
  schedule: "30 13 * * *",
  indicators: [ATMO_INDEX_INDICATOR],
  datasetCode: ATMO_INDEX_DATASET,
  async plan(ctx) {
    const knownIndicators = (await ctx.db.select({ code: indicators.code }).from(indicators)).map(
      (r) => r.code,
    );
    if (!knownIndicators.includes(ATMO_INDEX_INDICATOR)) {
      ctx.log.warn(`no ${ATMO_INDEX_INDICATOR} indicator in the reference data: index rows will be skipped`);
    }
    const knownTerritories = await territoryCodes(ctx);
    return indexDays(new Date()).map((date) => {
      const meta: AtmoIndexMeta = { date, knownIndicators, knownTerritories };
      return { key: `indice-${date}`, url: atmoIndexUrl(ctx.baseUrl, date), meta };
    });
  },
  convert: wholeBody(convertAtmoIndex),
};

export const atmosud: SourceDefinition = {
  id: "atmosud",
  title: "AtmoSud — inventaire CIGALE",
  partnerCode: "ATMOSUD",
  defaultBaseUrl: "https://cigale.atmosud.org",
  streams: [cigaleStream],
};

export const atmosudIndice: SourceDefinition = {
  id: "atmosud-indice",
  title: "AtmoSud — indice ATMO journalier (WFS)",
  partnerCode: "ATMOSUD",
  defaultBaseUrl: "https://geoservices.atmosud.org",
  streams: [atmoIndexStream],
};
