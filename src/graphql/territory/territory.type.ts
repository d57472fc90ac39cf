import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { territories } from "../../../schema/territory";
import { SourceRefType } from "../common.type";

/** GraphQL names of the territory levels; the values are the database's. */
export enum TerritoryLevel {
  COMMUNE = "commune",
  ARRONDISSEMENT_MUNICIPAL = "arrondissement_municipal",
  EPCI = "epci",
  CONSEIL_DE_TERRITOIRE = "conseil_de_territoire",
  DEPARTEMENT = "departement",
  REGION = "region",
  ZONE_EMPLOI = "zone_emploi",
  QPV = "qpv",
  PAYS = "pays",
}
registerEnumType(TerritoryLevel, {
  name: "TerritoryLevel",
  description:
    "Level of a territory. ARRONDISSEMENT_MUNICIPAL: Marseille's 16 arrondissements, subdivisions of COM-13055 (never add them to it). CONSEIL_DE_TERRITOIRE: the 6 former conseils de territoire of the Métropole.",
});

export enum TerritoryRelation {
  MEMBER = "member",
  SUBDIVISION = "subdivision",
}
registerEnumType(TerritoryRelation, {
  name: "TerritoryRelation",
  description:
    "How a territory sits in another: MEMBER (its values add up into the parent: communes of an EPCI) or SUBDIVISION (a finer cut of the parent, never added to it: Marseille's arrondissements).",
});

@ObjectType({
  description:
    "A territory of any level (commune, arrondissement, EPCI, conseil de territoire, département, région, France). Territories form a graph: follow `parents` and `children`.",
})
export class Territory
  implements
    Pick<
      typeof territories.$inferSelect,
      | "code"
      | "cogCode"
      | "name"
      | "cogVintage"
      | "population"
      | "populationYear"
      | "populationSource"
      | "siren"
      | "note"
      | "refs"
    >
{
  @Field(() => String, {
    description: "Natural key in INSEE Melodi form: COM-13055, ARM-13201, EPCI-200054807, DEP-13, CT-2.",
  })
  code!: string;
  @Field(() => TerritoryLevel, { description: "Level of the territory." })
  level!: TerritoryLevel;
  @Field(() => String, { description: "Bare official code (COG): 13055, 200054807, 93." })
  cogCode!: string;
  @Field(() => String, { description: "Official name (a territory has one name, in French)." })
  name!: string;
  @Field(() => Int, { description: "Millésime of the Code officiel géographique the code belongs to." })
  cogVintage!: number;
  @Field(() => Int, { nullable: true, description: "Population where known; its year is populationYear." })
  population!: number | null;
  @Field(() => Int, { nullable: true, description: "Year of the population figure." })
  populationYear!: number | null;
  @Field(() => String, { nullable: true, description: "Where the population figure comes from." })
  populationSource!: string | null;
  @Field(() => String, { nullable: true, description: "SIREN of the body governing it (EPCI)." })
  siren!: string | null;
  @Field(() => String, { nullable: true, description: "Caveats on the territory or its figures." })
  note!: string | null;
  @Field(() => [SourceRefType], { description: "Seed-document lines that state facts about it." })
  refs!: SourceRefType[];
}

@ObjectType({ description: "A link of the territory graph seen from one end, with how it may be used." })
export class TerritoryLink {
  @Field(() => Territory, { description: "The territory at the other end of the link." })
  territory!: Territory;
  @Field(() => TerritoryRelation, {
    description: "MEMBER (values add up into the parent) or SUBDIVISION (never add to the parent).",
  })
  relation!: TerritoryRelation;
  @Field(() => Boolean, {
    description: "False where the link is a proposal not yet checked against an official list.",
  })
  confirmed!: boolean;
  @Field(() => String, { description: "Where the link comes from." })
  source!: string;
}
