/**
 * URSSAF open data (Opendatasoft Explore v2.1, keyless, ODbL): private salaried jobs and employer
 * establishments by commune (annual, from commune × APE), and quarterly headcounts by département ×
 * grand secteur and by zone d'emploi.
 */

import { wholeBody } from "../../core/payload";
import { NotConfiguredError, type SourceDefinition, type StreamDefinition } from "../../core/types";
import {
  odsExportUrl,
  odsIn,
  odsRecordsUrl,
  odsString,
  parseOdsRecords,
} from "../../protocols/opendatasoft.parse";
import { EPCI_CODE } from "../../reference/load";
import { COMMUNE_APE_DATASET, type CommuneApeMeta, convertCommuneApe } from "./commune-ape";
import { deriveCommuneApe } from "./derive";
import {
  convertQuarterly,
  DEP_GRAND_SECTEUR_DATASET,
  type QuarterlyMeta,
  ZONE_EMPLOI_DATASET,
} from "./quarterly";
import { knownTerritories } from "./territories";

/** The AMP's départements: 13, plus 83 and 84 for Saint-Zacharie and Pertuis. */
const DEPARTEMENTS = ["13", "83", "84"];

export const communeApeStream: StreamDefinition = {
  id: "urssaf.commune-ape",
  description:
    "Effectifs salariés privés et établissements employeurs au 31/12 par commune (arrondissements pour Marseille), par APE, total et par grand secteur; dérivés : par filière, somme EPCI, variation annuelle des effectifs, taille moyenne",
  // Published once a year (~160 days after year end); a weekly look is plenty.
  schedule: "30 6 * * 1",
  indicators: ["net_job_creation", "avg_private_firm_size"],
  datasetCode: COMMUNE_APE_DATASET,
  async plan(ctx) {
    const meta: CommuneApeMeta = {
      epci: EPCI_CODE,
      knownTerritories: await knownTerritories(ctx, ["COM", "ARM"]),
    };
    // /records stops at 10 000 rows; the EPCI alone has tens of thousands of commune × APE rows.
    const where = `code_epci=${odsString(EPCI_CODE)}`;
    const url = odsExportUrl(ctx.baseUrl, COMMUNE_APE_DATASET, "csv", { where });
    // The export says nothing of its length: the same filter on /records (no row) gives its total_count.
    const countUrl = odsRecordsUrl(ctx.baseUrl, COMMUNE_APE_DATASET, { where, limit: 0 });
    return [{ key: `commune-ape-epci-${EPCI_CODE}`, url, meta: { ...meta, countUrl } }];
  },
  /** The export with its row count, so a body cut at a line boundary fails instead of loading less. */
  async download(resource, ctx) {
    // Counted first, so the export's body is not left waiting while the count is asked.
    const countUrl = resource.meta?.countUrl;
    const count = typeof countUrl === "string" ? await ctx.http.get(countUrl, { signal: ctx.signal }) : null;
    const payload = await ctx.http.stream(resource.url, { headers: resource.headers, signal: ctx.signal });
    return count ? { ...payload, expectedRows: parseOdsRecords(count.body).totalCount } : payload;
  },
  convert: (payload, ctx) => convertCommuneApe(payload, ctx.resource),
  async derive(db, log, runId) {
    await deriveCommuneApe(db, log, runId);
  },
};

export const departementGrandSecteurStream: StreamDefinition = {
  id: "urssaf.departement-grand-secteur",
  description:
    "Effectifs salariés privés trimestriels (bruts et CVS) par département (13, 83, 84) et grand secteur",
  schedule: "45 6 * * 1",
  indicators: ["net_job_creation"],
  datasetCode: DEP_GRAND_SECTEUR_DATASET,
  async plan(ctx) {
    const meta: QuarterlyMeta = {
      dataset: DEP_GRAND_SECTEUR_DATASET,
      territoryField: "code_departement",
      territoryPrefix: "DEP",
      breakdownField: "grand_secteur_d_activite",
      knownTerritories: await knownTerritories(
        ctx,
        [],
        DEPARTEMENTS.map((d) => `DEP-${d}`),
      ),
    };
    const url = odsExportUrl(ctx.baseUrl, DEP_GRAND_SECTEUR_DATASET, "json", {
      where: odsIn("code_departement", DEPARTEMENTS),
    });
    return [{ key: "departements-13-83-84", url, meta }];
  },
  convert: wholeBody(convertQuarterly),
};

export const zoneEmploiStream: StreamDefinition = {
  id: "urssaf.zone-emploi",
  description:
    "Effectifs salariés privés trimestriels (bruts et CVS) par zone d'emploi de la région 93; only the zones the reference data holds are kept",
  schedule: "50 6 * * 1",
  indicators: ["net_job_creation"],
  datasetCode: ZONE_EMPLOI_DATASET,
  async plan(ctx) {
    const meta: QuarterlyMeta = {
      dataset: ZONE_EMPLOI_DATASET,
      territoryField: "code_zone_d_emploi",
      territoryPrefix: "ZE2020",
      breakdownField: null,
      knownTerritories: await knownTerritories(ctx, ["ZE2020"]),
    };
    // Every row would be skipped, which fails a run: without the zones the stream has nothing to do.
    if (meta.knownTerritories.length === 0) {
      throw new NotConfiguredError(
        "the reference data holds no zone d'emploi (ZE2020 territory), so every row would be skipped",
        "the AMP's zones d'emploi (ZE2020-…) in the territories of ingest/reference",
      );
    }
    const url = odsExportUrl(ctx.baseUrl, ZONE_EMPLOI_DATASET, "json", {
      where: `code_region=${odsString("93")}`,
    });
    return [{ key: "zones-emploi-region-93", url, meta }];
  },
  convert: wholeBody(convertQuarterly),
};

export const urssaf: SourceDefinition = {
  id: "urssaf",
  title: "URSSAF — open.urssaf.fr",
  partnerCode: "URSSAF",
  defaultBaseUrl: "https://open.urssaf.fr/api/explore/v2.1",
  streams: [communeApeStream, departementGrandSecteurStream, zoneEmploiStream],
};
