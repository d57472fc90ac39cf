import { Field, Float, ObjectType, registerEnumType } from "type-graphql";
import type { filieres, nafCodes } from "../../../schema/filiere";
import { SourceRefType } from "../common.type";

export enum FiliereKind {
  FILIERE_EXCELLENCE = "filiere_excellence",
  SEGMENT = "segment",
  FILIERE = "filiere",
}
registerEnumType(FiliereKind, {
  name: "FiliereKind",
  description:
    "FILIERE_EXCELLENCE: one of the agenda's 6 filières d'excellence (F1…F6); SEGMENT: a segment the agenda stresses inside one (Bluetech, ICC); FILIERE: another economic filière it names (agriculture, ESS, économie résidentielle).",
});

@ObjectType({ description: "A code of the French activity nomenclature (NAF rév. 2)." })
export class NafCode implements Pick<typeof nafCodes.$inferSelect, "code" | "label" | "level"> {
  @Field(() => String, { description: "NAF code, e.g. 21.10Z (sous-classe) or 21 (division)." })
  code!: string;
  @Field(() => String, { description: "Official label (French)." })
  label!: string;
  @Field(() => String, { description: "section, division, groupe, classe or sous_classe." })
  level!: (typeof nafCodes.$inferSelect)["level"];
}

@ObjectType({ description: "A NAF code counted in a filière, with how sure the mapping is." })
export class FiliereNafCode extends NafCode {
  @Field(() => String, { description: "core or extended part of the filière." })
  scope!: string;
  @Field(() => Float, { description: "Share of the code's jobs counted in the filière (1 = all)." })
  weight!: number;
  @Field(() => String, {
    description:
      "proposal: the agenda gives no NAF mapping, this one is the hub's; document where a seed states it.",
  })
  certainty!: string;
  @Field(() => String, { nullable: true, description: "Why the code is in (or only partly)." })
  note!: string | null;
}

@ObjectType({
  description: "A filière d'excellence of the agenda, a segment inside one, or another filière it names.",
})
export class Filiere
  implements
    Pick<
      typeof filieres.$inferSelect,
      "code" | "nameFr" | "nameEn" | "parentCode" | "industrial" | "description" | "refs"
    >
{
  @Field(() => String, { description: "Stable code (F1…F6, F_BLUETECH…)." })
  code!: string;
  @Field(() => String, { description: "French name, as the agenda words it." })
  nameFr!: string;
  @Field(() => String, { description: "English name." })
  nameEn!: string;
  @Field(() => FiliereKind, { description: "Filière d'excellence, segment or other filière." })
  kind!: FiliereKind;
  @Field(() => String, { nullable: true, description: "Code of the filière a segment belongs to." })
  parentCode!: string | null;
  @Field(() => Boolean, { description: "True for the industrial filières." })
  industrial!: boolean;
  @Field(() => String, { nullable: true, description: "What it covers." })
  description!: string | null;
  @Field(() => [SourceRefType], { description: "Where the seed documents state it." })
  refs!: SourceRefType[];
}
