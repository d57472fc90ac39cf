import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import type { series } from "../../../schema/indicator";
import { KeyValue, SourceRefType } from "../common.type";

export enum Frequency {
  A = "A",
  S = "S",
  Q = "Q",
  M = "M",
  D = "D",
  P = "P",
}
registerEnumType(Frequency, {
  name: "Frequency",
  description:
    "SDMX FREQ code: A annual, S half-year, Q quarter, M month, D day, P a multi-year span (a census).",
  valuesConfig: {
    A: { description: "Annual: periods like 2024." },
    S: { description: "Half-year: 2024-S1." },
    Q: { description: "Quarter: 2024-Q3." },
    M: { description: "Month: 2024-07." },
    D: { description: "Day: 2024-07-14." },
    P: { description: "Multi-year span: 2017/2021 (a census)." },
  },
});

@ObjectType({
  description:
    "One measured line: an indicator at a territory for one breakdown (filière, NAF sector, sex, age…) and one measure.",
})
export class Series
  implements
    Pick<
      typeof series.$inferSelect,
      | "id"
      | "indicatorCode"
      | "territoryCode"
      | "measure"
      | "breakdownKey"
      | "filiereCode"
      | "nafCode"
      | "datasetCode"
      | "sourceKey"
      | "unit"
      | "unitMult"
      | "titleFr"
      | "titleEn"
      | "sourceUpdatedAt"
      | "derived"
      | "derivation"
      | "metadata"
      | "decimals"
    >
{
  @Field(() => Int, { description: "Identifier of the series in this hub." })
  id!: number;
  @Field(() => String, { description: "Code of the indicator it measures." })
  indicatorCode!: string;
  @Field(() => String, { description: "Code of the territory it covers." })
  territoryCode!: string;
  @Field(() => String, {
    description: "What is counted (rate, jobs, establishments…): a rate and a count are two series.",
  })
  measure!: string;
  @Field(() => [KeyValue], { description: "Breakdown dimensions and their codes; empty for the total." })
  breakdown!: KeyValue[];
  @Field(() => String, {
    description: "The breakdown as one string (filiere=F1;sex=F), empty for the total.",
  })
  breakdownKey!: string;
  @Field(() => String, { nullable: true, description: "Code of the filière it is restricted to." })
  filiereCode!: string | null;
  @Field(() => String, { nullable: true, description: "NAF code it is restricted to." })
  nafCode!: string | null;
  @Field(() => String, { nullable: true, description: "Code of the dataset it comes from." })
  datasetCode!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Identifier at the source (an INSEE idbank, a Melodi dataset and key…).",
  })
  sourceKey!: string | null;
  @Field(() => Frequency, { description: "How often it has a value." })
  frequency!: Frequency;
  @Field(() => String, { description: "Unit of the values." })
  unit!: string;
  @Field(() => Int, {
    description: "Power of ten the values are expressed in (SDMX UNIT_MULT): 3 means thousands.",
  })
  unitMult!: number;
  @Field(() => String, { nullable: true, description: "Title at the source, in French." })
  titleFr!: string | null;
  @Field(() => String, { nullable: true, description: "Title at the source, in English." })
  titleEn!: string | null;
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: "When the source last updated the series (SDMX LAST_UPDATE), not when the hub fetched it.",
  })
  sourceUpdatedAt!: Date | null;
  @Field(() => Boolean, {
    description:
      "True for series the hub computes from stored observations (sums over communes, jobs by filière…).",
  })
  derived!: boolean;
  @Field(() => String, { nullable: true, description: "How a derived series is computed." })
  derivation!: string | null;
  @Field(() => Boolean, {
    description:
      "True when the series is in its indicator's own unit (a rate indicator's rate, not the counts behind it): the one an indicator's `latest` and progress read.",
  })
  headline!: boolean;
  @Field(() => Int, {
    nullable: true,
    description:
      "Decimals the source publishes values with (9.1 → 1); values and their changes are served rounded to it. Null: not known yet (values then keep 12 significant digits).",
  })
  decimals!: number | null;
  @Field(() => JSONObjectResolver, {
    description: "Source metadata kept as-is (SDMX attributes, dataset ids…).",
  })
  metadata!: Record<string, unknown>;
}

@ObjectType({ description: "An input of a derived value: which series and period it was computed from." })
export class DerivationInput {
  @Field(() => Int, { description: "Series id of the input." })
  seriesId!: number;
  @Field(() => String, { description: "Period of the input." })
  period!: string;
}

@ObjectType({ description: "Where a value comes from and which ingest run stored it." })
export class Provenance {
  @Field(() => String, { nullable: true, description: "URL of the payload the value was read from." })
  sourceUrl!: string | null;
  @Field(() => DateTimeResolver, { nullable: true, description: "When the hub downloaded that payload." })
  retrievedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: "Ingest run that stored the value (see ingestRuns)." })
  runId!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: "Raw payload archived byte for byte, so the conversion can be replayed.",
  })
  rawPayloadId!: number | null;
  @Field(() => SourceRefType, {
    nullable: true,
    description: "For figures quoted from the agenda: document and line.",
  })
  docRef!: SourceRefType | null;
  @Field(() => [DerivationInput], {
    nullable: true,
    description: "For derived values: the series and periods they were computed from.",
  })
  derivedFrom!: DerivationInput[] | null;
}

@ObjectType({ description: "How a value moved against an earlier period of the same series." })
export class Change {
  @Field(() => String, { description: "The earlier period compared with." })
  basePeriod!: string;
  @Field(() => Float, { nullable: true, description: "Value at the earlier period." })
  baseValue!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "Difference: value minus baseValue, in the series' unit, to the series' published decimals.",
  })
  absolute!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Relative change in percent of |baseValue|, to one decimal (null when baseValue is 0 or missing). For a rate this is a relative change, not points: use `absolute` for points.",
  })
  percent!: number | null;
}

@ObjectType({ description: "A value a period of a series had before it was revised." })
export class ObservationRevision {
  @Field(() => Float, {
    nullable: true,
    description: "The earlier value (null if it was confidential or missing).",
  })
  value!: number | null;
  @Field(() => String, { description: "Its SDMX OBS_STATUS." })
  obsStatus!: string;
  @Field(() => String, { nullable: true, description: "Its SDMX OBS_QUAL." })
  obsQual!: string | null;
  @Field(() => DateTimeResolver, { description: "From when the hub held it." })
  validFrom!: Date;
  @Field(() => DateTimeResolver, { description: "Until when: the moment a run replaced it." })
  validTo!: Date;
  @Field(() => Int, { nullable: true, description: "Ingest run that replaced it." })
  replacedByRunId!: number | null;
  @Field(() => Provenance, { description: "Where that earlier value came from." })
  provenance!: Provenance;
}

@ObjectType({ description: "The value of a series for one period, with its status, provenance and changes." })
export class Observation {
  @Field(() => Int, { description: "Series it belongs to." })
  seriesId!: number;
  @Field(() => String, {
    description: "Period in SDMX form: 2024, 2024-S1, 2024-Q3, 2024-07, 2024-07-14, 2017/2021.",
  })
  period!: string;
  @Field(() => String, { description: "First day of the period (ISO date)." })
  periodStart!: string;
  @Field(() => String, { description: "Last day of the period (ISO date)." })
  periodEnd!: string;
  @Field(() => Float, {
    nullable: true,
    description:
      "The published value, in the series' unit (times 10^unitMult); null when confidential or missing (see obsStatus).",
  })
  value!: number | null;
  @Field(() => String, {
    description:
      "SDMX OBS_STATUS: A normal, P provisional, E estimated, SD semi-definitive, C confidential, M missing…",
  })
  obsStatus!: string;
  @Field(() => String, { nullable: true, description: "SDMX OBS_QUAL (INSEE: quality of the value)." })
  obsQual!: string | null;
  @Field(() => [KeyValue], {
    description: "Other attributes published with the value (OBS_TYPE, OBS_CONF…).",
  })
  attributes!: KeyValue[];
  @Field(() => Provenance, { description: "Where the value comes from." })
  provenance!: Provenance;
  @Field(() => DateTimeResolver, { description: "Since when the hub holds this value." })
  validFrom!: Date;
  @Field(() => Change, { nullable: true, description: "Change over the previous period of the series." })
  changeFromPrevious!: Change | null;
  @Field(() => Change, {
    nullable: true,
    description:
      "Change over the same period a year before (2023-Q3 for 2024-Q3); null when that period has no value.",
  })
  changeFromYearBefore!: Change | null;
}
