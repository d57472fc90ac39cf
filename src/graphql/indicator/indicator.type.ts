import { Field, Int, ObjectType } from "type-graphql";
import type { indicators } from "../../../schema/indicator";
import { SourceRefType } from "../common.type";

@ObjectType({
  description:
    "One of the agenda's 20 impact indicators (numbered 1-20, `inAgenda` true), or one the hub carries beside them (`number` null).",
})
export class Indicator
  implements
    Pick<
      typeof indicators.$inferSelect,
      | "code"
      | "number"
      | "nameFr"
      | "nameEn"
      | "description"
      | "unit"
      | "additive"
      | "periodicity"
      | "direction"
      | "sourcesNamed"
      | "geoLevels"
      | "breakdowns"
      | "note"
      | "providerPartnerCode"
      | "refs"
    >
{
  @Field(() => String, { description: "Stable code, e.g. unemployment_rate." })
  code!: string;
  @Field(() => Int, {
    nullable: true,
    description: "Number in the agenda's table (001:L557-L570); null for the hub's own.",
  })
  number!: number | null;
  @Field(() => String, { description: "Name as printed in the agenda (French)." })
  nameFr!: string;
  @Field(() => String, { description: "English name." })
  nameEn!: string;
  @Field(() => String, { nullable: true, description: "What it measures and how." })
  description!: string | null;
  @Field(() => String, { description: "Unit of the values." })
  unit!: string;
  @Field(() => Boolean, {
    description: "Whether values may be summed across territories or breakdowns (counts yes, rates no).",
  })
  additive!: boolean;
  @Field(() => String, { description: "How often it is published, in words." })
  periodicity!: string;
  @Field(() => String, { description: "higher_is_better, lower_is_better or neutral." })
  direction!: (typeof indicators.$inferSelect)["direction"];
  @Field(() => [String], { description: "Sources as the agenda names them." })
  sourcesNamed!: string[];
  @Field(() => [String], { description: "Territory levels it is published at." })
  geoLevels!: string[];
  @Field(() => [String], { description: "Breakdowns it is published by (filiere, sex, age…)." })
  breakdowns!: string[];
  @Field(() => String, { nullable: true, description: "Caveats." })
  note!: string | null;
  @Field(() => String, { nullable: true, description: "Code of the partner that publishes it." })
  providerPartnerCode!: string | null;
  @Field(() => [SourceRefType], { description: "Where the agenda states it." })
  refs!: SourceRefType[];
}
