/**
 * An indicator's or a target's headline figure: the latest measured value when there is one, else the
 * agenda's own printed baseline, flagged as such with its document and line, so a hub that is offline or
 * has not ingested yet shows the agenda's figures rather than nulls, and never passes them off as
 * measurements. Kept apart from the queries that find the latest value, which it only consumes.
 */
import { Field, Float, ObjectType } from "type-graphql";
import type { GraphQLContext } from "../context";
import type { ObservationRow } from "../series/observation.sql";
import { latestTotalOf, observationsOf, seriesOf } from "../series/series.loaders";
import { Observation } from "../series/series.type";
import type { BaselineRow } from "./indicator.loaders";
import { Baseline } from "./target.type";

@ObjectType({
  description:
    "The figure to show for an indicator or a target: the latest measured value, else the agenda's printed baseline (`fromAgenda`), never presented as a measurement.",
})
export class Headline {
  @Field(() => Float, { nullable: true, description: "The value: measured, or as the agenda prints it." })
  value!: number | null;
  @Field(() => String, {
    nullable: true,
    description: "The value in the agenda's words (\"9,3\"), when it is the agenda's figure.",
  })
  valueText!: string | null;
  @Field(() => String, { nullable: true, description: "Its period; null when the agenda prints none." })
  period!: string | null;
  @Field(() => String, { nullable: true, description: "Its unit." })
  unit!: string | null;
  @Field(() => Boolean, {
    description:
      "True when nothing is measured here yet and the figure is the agenda's printed baseline (see `agendaFigure` for its document and line): a starting point the agenda quotes, not a measurement.",
  })
  fromAgenda!: boolean;
  @Field(() => Observation, { nullable: true, description: "The measured observation, when there is one." })
  observation!: ObservationRow | null;
  @Field(() => Baseline, {
    nullable: true,
    description:
      "The agenda's figure it falls back on, with its document and line, when nothing is measured.",
  })
  agendaFigure!: BaselineRow | null;
}

/** The measured value when there is one, else the agenda's figure, else null (nothing to show). */
export function headlineOf(
  measured: { observation: ObservationRow; unit: string } | null,
  agenda: BaselineRow | null,
): Headline | null {
  if (measured && measured.observation.value !== null)
    return {
      value: measured.observation.value,
      valueText: null,
      period: measured.observation.period,
      unit: measured.unit,
      fromAgenda: false,
      observation: measured.observation,
      agendaFigure: null,
    };
  if (agenda && agenda.valueNumeric !== null)
    return {
      value: agenda.valueNumeric,
      valueText: agenda.valueText,
      period: agenda.period,
      unit: agenda.unit,
      fromAgenda: true,
      observation: null,
      agendaFigure: agenda,
    };
  return null;
}

/**
 * The agenda figure that best stands for an indicator at a territory: one its targets' starting points
 * cite first, then one linked to it in its own unit; numeric, stated for that territory; the one with
 * the latest printed period.
 */
export function agendaFigureFor(
  candidates: { baseline: BaselineRow; citedByTarget: boolean }[],
  unit: string,
  territory: string,
): BaselineRow | null {
  const sameUnit = (u: string) => {
    const a = u.trim().toLowerCase();
    const b = unit.trim().toLowerCase();
    return a !== "" && (a.startsWith(b) || b.startsWith(a));
  };
  const usable = candidates.filter(
    (c) =>
      c.baseline.valueNumeric !== null &&
      c.baseline.territoryCode === territory &&
      (c.citedByTarget || sameUnit(c.baseline.unit)),
  );
  usable.sort(
    (x, y) =>
      Number(y.citedByTarget) - Number(x.citedByTarget) ||
      (y.baseline.period ?? "").localeCompare(x.baseline.period ?? "") ||
      x.baseline.code.localeCompare(y.baseline.code),
  );
  return usable[0]?.baseline ?? null;
}

/**
 * The latest value of an indicator's total at a territory, on its headline series (the one in its own
 * unit), with that series' unit: what `Indicator.latest` answers and a headline shows first.
 */
export async function latestOfIndicator(
  ctx: GraphQLContext,
  indicatorCode: string,
  territory: string,
  measure: string | undefined,
  asOf: Date | undefined,
  changes = true,
  details = true,
): Promise<{ observation: ObservationRow; unit: string } | null> {
  if (!asOf)
    return latestTotalOf(ctx).load({ indicatorCode, territoryCode: territory, measure, changes, details });
  const totals = await seriesOf(ctx).load({
    by: "indicator",
    code: indicatorCode,
    filter: { territoryCodes: [territory], measure, breakdown: {} },
  });
  const total = totals.find((s) => s.headline) ?? totals[0];
  if (!total) return null;
  const [latest] = await observationsOf(ctx).load({ seriesId: total.id, asOf, last: 1 });
  return latest ? { observation: latest, unit: total.unit } : null;
}
