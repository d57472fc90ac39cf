import { Field, Float, ObjectType } from "type-graphql";

@ObjectType({ description: "A NAF code counted in a filière, with how sure the mapping is." })
export class FiliereNafCode {
  @Field(() => String, { description: "NAF rév. 2 code, e.g. 21.10Z." })
  code!: string;
  @Field(() => String, { description: "core or extended part of the filière." })
  scope!: string;
  @Field(() => Float, { description: "Share of the code's jobs counted in the filière." })
  weight!: number;
  @Field(() => String, { description: "proposal: the agenda gives no NAF mapping, this one is ours." })
  certainty!: string;
}

@ObjectType({ description: "A filière d'excellence of the agenda, or a segment inside one." })
export class Filiere {
  @Field(() => String, { description: "Stable code (F1…F6, segments)." })
  code!: string;
  @Field(() => String, { description: "French name." })
  nameFr!: string;
  @Field(() => String, { description: "English name." })
  nameEn!: string;
  @Field(() => String, { description: "filiere_excellence, segment or filiere." })
  kind!: string;
  @Field(() => [FiliereNafCode], { description: "NAF codes that make the filière." })
  nafCodes!: FiliereNafCode[];
}
