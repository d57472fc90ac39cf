import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "A line of a seed document: doc 001 is the 2022 agenda." })
export class SourceRefType {
  @Field(() => String, { description: "3-digit prefix of the seed document (001 = Agenda 2022)." })
  doc!: string;
  @Field(() => Int, { description: "1-based line in that document." })
  line!: number;
}
