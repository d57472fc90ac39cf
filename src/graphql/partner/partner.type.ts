import { Field, ObjectType } from "type-graphql";

@ObjectType({ description: "An organisation that publishes data, animates a site or a filière." })
export class Partner {
  @Field(() => String, { description: "Stable code (INSEE, URSSAF, ATMOSUD, ORG_…)." })
  code!: string;
  @Field(() => String, { description: "Name." })
  name!: string;
  @Field(() => String, { nullable: true, description: "Acronym." })
  acronym!: string | null;
  @Field(() => String, { description: "Kind of organisation." })
  kind!: string;
}
