import { DateTimeResolver } from "graphql-scalars";
import { Field, ObjectType } from "type-graphql";
import type { datasets, partners } from "../../../schema/partner";
import { SourceRefType } from "../common.type";

@ObjectType({
  description:
    "An organisation that publishes data, animates a site or a filière (INSEE, URSSAF, AtmoSud, GPMM…).",
})
export class Partner
  implements
    Pick<
      typeof partners.$inferSelect,
      "code" | "name" | "acronym" | "kind" | "roles" | "website" | "note" | "refs"
    >
{
  @Field(() => String, { description: "Stable code (INSEE, URSSAF, ATMOSUD, ORG_…)." })
  code!: string;
  @Field(() => String, { description: "Name." })
  name!: string;
  @Field(() => String, { nullable: true, description: "Acronym." })
  acronym!: string | null;
  @Field(() => String, {
    description: "Kind of organisation (data_provider, pole_competitivite, institution…).",
  })
  kind!: string;
  @Field(() => [String], { description: "Roles it plays for the agenda (data_provider, site_operator…)." })
  roles!: string[];
  @Field(() => String, { nullable: true, description: "Website." })
  website!: string | null;
  @Field(() => String, { nullable: true, description: "Caveats." })
  note!: string | null;
  @Field(() => [SourceRefType], { description: "Where the seed documents name it." })
  refs!: SourceRefType[];
}

@ObjectType({ description: "What a partner publishes: a dataset with its licence and where to get it." })
export class Dataset
  implements
    Pick<
      typeof datasets.$inferSelect,
      "code" | "partnerCode" | "name" | "description" | "licence" | "url" | "sourceId" | "note"
    >
{
  @Field(() => String, { description: "Stable code (TAUX-CHOMAGE…)." })
  code!: string;
  @Field(() => String, { description: "Code of the partner that publishes it." })
  partnerCode!: string;
  @Field(() => String, { description: "Name." })
  name!: string;
  @Field(() => String, { nullable: true, description: "What it holds." })
  description!: string | null;
  @Field(() => String, { description: "Licence (Licence Ouverte / Etalab 2.0…)." })
  licence!: string;
  @Field(() => String, { description: "Where it is published." })
  url!: string;
  @Field(() => String, {
    nullable: true,
    description: "Ingest source that loads it (insee-bdm, urssaf…), when one does.",
  })
  sourceId!: string | null;
  @Field(() => String, { nullable: true, description: "Caveats." })
  note!: string | null;
  @Field(() => String, {
    description:
      "Who sees it: public (everyone), restricted (its owner, the partners it is shared with, analysts) or private (its owner).",
  })
  visibility!: string;
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: "Before this instant only its owner and admins see it.",
  })
  embargoUntil!: Date | null;
  sharedWith!: string[];
}
