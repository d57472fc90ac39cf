import { Field, Float, Int, ObjectType } from "type-graphql";
import type { sites } from "../../../schema/site";
import { SourceRefType } from "../common.type";

@ObjectType({
  description:
    "A place the agenda names: technopôle, activity zone, port basin, airport, totem project, campus…",
})
export class Site
  implements
    Pick<
      typeof sites.$inferSelect,
      | "code"
      | "name"
      | "kind"
      | "kindLabel"
      | "partOfCode"
      | "communeCode"
      | "locationNote"
      | "latitude"
      | "longitude"
      | "coordinatesNote"
      | "surfaceHa"
      | "jobs"
      | "figures"
      | "description"
      | "refs"
    >
{
  @Field(() => String, { description: "Stable code (S_ARBOIS…)." })
  code!: string;
  @Field(() => String, { description: "Name as the agenda gives it." })
  name!: string;
  @Field(() => String, {
    description: "Normalised kind for filtering: technopole, port, airport, activity_zone, campus…",
  })
  kind!: string;
  @Field(() => String, { description: "The kind in the agenda's words." })
  kindLabel!: string;
  @Field(() => String, { nullable: true, description: "Code of the larger site it is part of." })
  partOfCode!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Code of its commune, set only when the documents name exactly one; see locationNote otherwise.",
  })
  communeCode!: string | null;
  @Field(() => String, { nullable: true, description: "Where the documents place it, verbatim." })
  locationNote!: string | null;
  @Field(() => Float, { nullable: true, description: "Latitude (WGS84), approximate: see coordinatesNote." })
  latitude!: number | null;
  @Field(() => Float, { nullable: true, description: "Longitude (WGS84), approximate: see coordinatesNote." })
  longitude!: number | null;
  @Field(() => String, { nullable: true, description: "How far the coordinates can be trusted." })
  coordinatesNote!: string | null;
  @Field(() => Float, { nullable: true, description: "Surface in hectares, where the documents state it." })
  surfaceHa!: number | null;
  @Field(() => Int, { nullable: true, description: "Jobs on the site, where the documents state it." })
  jobs!: number | null;
  @Field(() => [String], { description: "Other figures the documents give, with their lines." })
  figures!: string[];
  @Field(() => String, { nullable: true, description: "What the site is." })
  description!: string | null;
  @Field(() => [SourceRefType], { description: "Where the seed documents name it." })
  refs!: SourceRefType[];
}
