import { jsonb } from "drizzle-orm/pg-core";

/**
 * Where a fact comes from in the seed documents: `doc` is the 3-digit prefix of the seed file
 * (001 = the 2022 agenda) and `line` the 1-based line, as `001:L561` in the catalog.
 */
export interface SourceRef {
  doc: string;
  line: number;
  lineEnd?: number;
}

/**
 * How sure we are of a reference fact: `document` is what the seed says; `proposal` and `inference`
 * are our reading (a NAF mapping, a linked indicator); `external` comes from outside the documents.
 */
export const certainties = ["document", "proposal", "inference", "external", "unconfirmed"] as const;
export type Certainty = (typeof certainties)[number];

export const refsColumn = () => jsonb("refs").$type<SourceRef[]>().notNull().default([]);
