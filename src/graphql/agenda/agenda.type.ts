import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { agendaNodes } from "../../../schema/agenda";
import { SourceRefType } from "../common.type";

export enum AgendaNodeKind {
  ORIENTATION = "orientation",
  LEVIER = "levier",
  ACTION = "action",
  PILLAR = "pillar",
  MARKER = "marker",
  MODALITY = "modality",
}
registerEnumType(AgendaNodeKind, {
  name: "AgendaNodeKind",
  description:
    "ORIENTATION (5), LEVIER (5 per orientation) and ACTION form the agenda's tree; PILLAR (5 transverse enjeux), MARKER (5 marqueurs) and MODALITY (7 modalities of intervention) are tags.",
});

@ObjectType({
  description: "A node of the agenda: an orientation, a levier, an action, or a pillar/marker tag.",
})
export class AgendaNode
  implements
    Pick<
      typeof agendaNodes.$inferSelect,
      "code" | "parentCode" | "position" | "titleFr" | "titleEn" | "description" | "refs"
    >
{
  @Field(() => String, { description: "Stable code: O1, O1.L2, O1.L2.A3, P1, M1…" })
  code!: string;
  @Field(() => AgendaNodeKind, { description: "Kind of node." })
  kind!: AgendaNodeKind;
  @Field(() => String, { nullable: true, description: "Code of the node above it." })
  parentCode!: string | null;
  @Field(() => Int, { description: "Order among its siblings." })
  position!: number;
  @Field(() => String, { description: "Title as the agenda words it (French)." })
  titleFr!: string;
  @Field(() => String, { nullable: true, description: "English title." })
  titleEn!: string | null;
  @Field(() => String, { nullable: true, description: "What it says." })
  description!: string | null;
  @Field(() => [SourceRefType], { description: "Where the agenda states it." })
  refs!: SourceRefType[];
}
