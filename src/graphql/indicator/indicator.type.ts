import { Field, Int, ObjectType } from "type-graphql";
import type { indicators } from "../../../schema/indicator";

@ObjectType({ description: "One of the agenda's impact indicators (numbered 1-20), or a later one." })
export class Indicator
  implements Pick<typeof indicators.$inferSelect, "code" | "nameFr" | "nameEn" | "unit">
{
  @Field(() => String, { description: "Stable code, e.g. unemployment_rate." })
  code!: string;
  @Field(() => Int, { nullable: true, description: "Number in the agenda's table (001:L557-L570)." })
  number!: number | null;
  @Field(() => String, { description: "Name as printed in the agenda (French)." })
  nameFr!: string;
  @Field(() => String, { description: "English name." })
  nameEn!: string;
  @Field(() => String, { description: "Unit of the values." })
  unit!: string;
  @Field(() => [String], { description: "Sources as the agenda names them." })
  sourcesNamed!: string[];
}
