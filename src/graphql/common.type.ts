import { Field, Int, ObjectType, registerEnumType } from "type-graphql";

export enum Lang {
  FR = "FR",
  EN = "EN",
}
registerEnumType(Lang, {
  name: "Lang",
  description: "Language of a label: FR (the agenda's own wording) or EN.",
});

/** The French or English name, falling back to French where no translation exists. */
export function labelIn(lang: Lang, fr: string, en: string | null | undefined): string {
  return lang === Lang.EN && en ? en : fr;
}

@ObjectType({ description: "A line of a seed document: doc 001 is the 2022 agenda." })
export class SourceRefType {
  @Field(() => String, { description: "3-digit prefix of the seed document (001 = Agenda 2022)." })
  doc!: string;
  @Field(() => Int, { description: "1-based line in that document." })
  line!: number;
  @Field(() => Int, { nullable: true, description: "Last line, when the statement spans several." })
  lineEnd?: number;
}

@ObjectType({ description: "A key and its value (a breakdown dimension, an SDMX attribute)." })
export class KeyValue {
  @Field(() => String, { description: "Key, e.g. filiere, sex, OBS_CONF." })
  key!: string;
  @Field(() => String, { description: "Value, e.g. F1, F, C." })
  value!: string;
}

export function keyValues(record: Record<string, string> | null | undefined): KeyValue[] {
  return Object.entries(record ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value: String(value) }));
}
