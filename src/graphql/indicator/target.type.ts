import { Field, Float, ObjectType } from "type-graphql";
import { SourceRefType } from "../common.type";

@ObjectType({ description: "A quantified objective of the agenda, as printed, with its seed lines." })
export class Target {
  @Field(() => String, { description: "Stable code (T_STUDENTS_2030…)." })
  code!: string;
  @Field(() => String, { description: "What the objective is." })
  label!: string;
  @Field(() => String, { description: "Value as printed in the document." })
  valueText!: string;
  @Field(() => Float, { nullable: true, description: "Value as a number, where it is one." })
  valueNumeric!: number | null;
  @Field(() => String, { description: "Unit." })
  unit!: string;
  @Field(() => String, { description: "Horizon as printed." })
  horizon!: string;
  @Field(() => [SourceRefType], { description: "Where the document states it." })
  refs!: SourceRefType[];
  @Field(() => [String], { description: "Codes of the indicators it is measured by (our linking)." })
  indicatorCodes!: string[];
}
