/**
 * The youth employment rate (indicator 5), computed after each load of `insee-melodi.youth-employment`
 * that changed something, in SQL over the stored census observations: 100 × the 15-24 year-olds in
 * employment ÷ all 15-24 year-olds, same territory and census year (`core/derive.ts`'s `ratioRows`).
 *
 * Status: `A` when both inputs are `A`; otherwise the weaker of the two (A → SD → P → E, any other status
 * weakest), since a rate is no firmer than its least firm input; `E` with `missing_inputs` when an input
 * is itself incomplete; null `M` when the population is zero or an input is null.
 */
import type { Db } from "../../../src/db/client";
import type { Logger } from "../../../src/logger";
import { type DerivedCounts, ratioRows, refreshStatistics, upsertDerived } from "../../core/derive";

const DATASET = "DS_RP_EMPLOI_LR_PRINC";
const INDICATOR = "youth_employment_rate";
export const EMPLOYED = "employed_15_24";
export const POPULATION = "population_15_24";
export const YOUTH_RATE = "rate";

export const YOUTH_RATE_DERIVATION =
  "100 × 15-24 ans en emploi (employed_15_24) ÷ population des 15-24 ans (population_15_24), recensement de l'INSEE, même territoire et même année ; calculé seulement où les deux sont publiés, nul (M) si la population est nulle. Statut : A si les deux sont A, sinon le plus faible des deux (A, SD, P, E, puis tout autre) ; E avec missing_inputs si une entrée est incomplète. Marseille : telle que Melodi la publie (la commune entière), rien n'est additionné.";

export const youthRateRows = () =>
  ratioRows({
    datasetCode: DATASET,
    numerator: { indicatorCode: INDICATOR, measure: EMPLOYED },
    denominator: { indicatorCode: INDICATOR, measure: POPULATION },
    ratio: { indicatorCode: INDICATOR, measure: YOUTH_RATE, unit: "%", derivation: YOUTH_RATE_DERIVATION },
    factor: 100,
  });

/** Recomputes every youth employment rate in one transaction; unchanged values are not rewritten. */
export async function deriveYouthEmploymentRate(
  db: Db,
  log: Logger,
  runId: number | null = null,
): Promise<DerivedCounts> {
  const started = Date.now();
  const counts = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await refreshStatistics(t, ["series", "observations"]);
    return upsertDerived(t, youthRateRows(), { runId });
  });
  log.info({ ...counts, durationMs: Date.now() - started }, "derived youth employment rates");
  return counts;
}
