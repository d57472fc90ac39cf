import { Field, Float, Int, ObjectType } from "type-graphql";
import type { baselines, targets } from "../../../schema/indicator";
import { SourceRefType } from "../common.type";

@ObjectType({ description: "A quantified objective of the agenda, as printed, with its seed lines." })
export class Target
  implements
    Pick<
      typeof targets.$inferSelect,
      | "code"
      | "label"
      | "labelFr"
      | "valueText"
      | "valueNumeric"
      | "valueKind"
      | "unit"
      | "horizon"
      | "horizonYear"
      | "baselineText"
      | "baselineValue"
      | "baselinePeriod"
      | "territoryCode"
      | "agendaNodeCode"
      | "note"
      | "refs"
    >
{
  @Field(() => String, { description: "Stable code (T_STUDENTS_2030…)." })
  code!: string;
  @Field(() => String, { description: "What the objective is, in English (a paraphrase of the seed)." })
  label!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "The objective in the seed's own words (French), from its cited lines; a target stated in two places joins them with ' … '.",
  })
  labelFr!: string | null;
  @Field(() => String, {
    description:
      'Value in the seed\'s own words ("doubler", "un tiers", "20%"); valueNumeric and valueKind read it as a number.',
  })
  valueText!: string;
  @Field(() => Float, { nullable: true, description: "Value as a number, where it is one." })
  valueNumeric!: number | null;
  @Field(() => String, {
    description:
      "How to read the value: absolute, relative_percent (+x % over the baseline), multiplier (×x), share_percent, rank, qualitative.",
  })
  valueKind!: (typeof targets.$inferSelect)["valueKind"];
  @Field(() => String, { description: "Unit." })
  unit!: string;
  @Field(() => String, { description: "Horizon as printed." })
  horizon!: string;
  @Field(() => Int, { nullable: true, description: "Horizon year, where the document gives one." })
  horizonYear!: number | null;
  @Field(() => String, { nullable: true, description: "Starting point as printed." })
  baselineText!: string | null;
  @Field(() => Float, { nullable: true, description: "Starting point as a number." })
  baselineValue!: number | null;
  @Field(() => String, { nullable: true, description: "Period of the starting point." })
  baselinePeriod!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Code of the territory it applies to (the Métropole when null).",
  })
  territoryCode!: string | null;
  @Field(() => String, { nullable: true, description: "Code of the agenda node that sets it." })
  agendaNodeCode!: string | null;
  @Field(() => String, { nullable: true, description: "Caveats." })
  note!: string | null;
  @Field(() => [SourceRefType], { description: "Where the document states it." })
  refs!: SourceRefType[];
}

@ObjectType({ description: "A figure the agenda gives as a starting point or context, with its seed lines." })
export class Baseline
  implements
    Pick<
      typeof baselines.$inferSelect,
      | "code"
      | "measure"
      | "valueText"
      | "valueNumeric"
      | "unit"
      | "period"
      | "scope"
      | "territoryCode"
      | "sourceNamed"
      | "note"
      | "refs"
    >
{
  @Field(() => String, { description: "Stable code (B_STUDENTS_2021…)." })
  code!: string;
  @Field(() => String, { description: "What was measured." })
  measure!: string;
  @Field(() => String, {
    description:
      'Value as printed ("101 653", "9,3"); a figure given in several parts is the catalog\'s summary of them.',
  })
  valueText!: string;
  @Field(() => Float, { nullable: true, description: "Value as a number, where it is one." })
  valueNumeric!: number | null;
  @Field(() => String, { description: "Unit." })
  unit!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "Period as printed on its line; null when the line prints none (the note says how the catalog read it).",
  })
  period!: string | null;
  @Field(() => String, { nullable: true, description: "What the figure covers." })
  scope!: string | null;
  @Field(() => String, { nullable: true, description: "Code of the territory, where stated." })
  territoryCode!: string | null;
  @Field(() => String, { nullable: true, description: "Source as the agenda names it." })
  sourceNamed!: string | null;
  @Field(() => String, { nullable: true, description: "Caveats." })
  note!: string | null;
  @Field(() => [SourceRefType], { description: "Where the document states it." })
  refs!: SourceRefType[];
}

@ObjectType({
  description: "One of the values the documents give for the same fact, with where each says it.",
})
export class ConflictValue {
  @Field(() => String, { description: "The value as the document states it." })
  value!: string;
  @Field(() => [SourceRefType], { description: "Document and line of this value." })
  refs!: SourceRefType[];
}

@ObjectType({
  description:
    "A place where the seed documents contradict themselves: every value side by side with its document and line. The hub never picks one.",
})
export class DocumentConflict {
  @Field(() => String, { description: "Stable code (C01…)." })
  code!: string;
  @Field(() => String, { description: "What the values are about." })
  topic!: string;
  @Field(() => [ConflictValue], { description: "Every value given, in the catalog's order." })
  values!: ConflictValue[];
  @Field(() => [String], {
    description: "Codes of the baselines and targets stated on one of its lines.",
  })
  relatedCodes!: string[];
  @Field(() => String, { nullable: true, description: "Caveats." })
  note!: string | null;
}
