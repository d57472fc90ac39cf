import { Field, Int, ObjectType } from "type-graphql";
import type { territories } from "../../../schema/territory";

@ObjectType({
  description:
    "A territory of any level (commune, arrondissement, EPCI, conseil de territoire, département, région, France).",
})
export class Territory
  implements Pick<typeof territories.$inferSelect, "code" | "level" | "cogCode" | "name" | "cogVintage">
{
  @Field(() => String, {
    description: "Natural key in INSEE Melodi form: COM-13055, ARM-13201, EPCI-200054807, DEP-13, CT-2.",
  })
  code!: string;
  @Field(() => String, {
    description:
      "Level: commune, arrondissement_municipal, epci, conseil_de_territoire, departement, region, pays…",
  })
  level!: typeof territories.$inferSelect.level;
  @Field(() => String, { description: "Bare official code (COG)." })
  cogCode!: string;
  @Field(() => String, { description: "Official name." })
  name!: string;
  @Field(() => Int, { description: "Millésime of the Code officiel géographique." })
  cogVintage!: number;
  @Field(() => Int, {
    nullable: true,
    description: "Population where known, with its year in populationYear.",
  })
  population!: number | null;
  @Field(() => Int, { nullable: true, description: "Year of the population figure." })
  populationYear!: number | null;
}

@ObjectType({ description: "A grouping territory with its member territories." })
export class TerritoryWithMembers extends Territory {
  @Field(() => [Territory], { description: "Members (communes of a conseil de territoire)." })
  members!: Territory[];
  @Field(() => Boolean, { description: "False where the membership list is a proposal not yet checked." })
  membershipConfirmed!: boolean;
}
