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

/**
 * How far a dataset (or a series overriding it) reaches: `public` to everyone; `restricted` to the
 * partners of `shared_with`, the owner and analysts; `private` to the owner and admins. An embargo
 * date hides it from everyone but the owner and admins until it passes. The rule itself is SQL
 * (`series_visible_to`, in a custom migration) so that GraphQL, exports and SQL roles agree.
 */
export const visibilities = ["public", "restricted", "private"] as const;
export type Visibility = (typeof visibilities)[number];
