/**
 * What a query selects under a field, read from the resolver's info: loaders skip the work nobody asked
 * for (an observation's changes read two more rows per observation).
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  getArgumentValues,
  isObjectType,
  type SelectionSetNode,
} from "graphql";
import { lastArg, parsePeriodArgs } from "./series.args";
import { argsKey, type ObservationsAsked } from "./series.loaders";

const CHANGES = new Set(["changeFromPrevious", "changeFromYearBefore"]);

/**
 * Whether a selection set asks a field whose name passes `asks`, through its fragments (each walked
 * once: a fragment spread again gives the same answer).
 */
function selects(
  set: SelectionSetNode | undefined,
  asks: (field: string) => boolean,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): boolean {
  for (const s of set?.selections ?? []) {
    if (s.kind === "Field") {
      if (asks(s.name.value)) return true;
    } else if (s.kind === "InlineFragment") {
      if (selects(s.selectionSet, asks, fragments, seen)) return true;
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const fragment = fragments[s.name.value];
      // A fragment the document does not define cannot be read: assume it asks.
      if (!fragment || selects(fragment.selectionSet, asks, fragments, seen)) return true;
    }
  }
  return false;
}

/** Whether any field the resolver's info stands for asks a field whose name passes `test`. */
function infoSelects(info: GraphQLResolveInfo, test: (field: string) => boolean): boolean {
  const seen = new Set<string>();
  return info.fieldNodes.some((node) => selects(node.selectionSet, test, info.fragments, seen));
}

/**
 * An observation's fields read from the columns every statement of observations selects, and its
 * changes (read when asked, `asksForChanges`).
 */
const VALUES_AND_CHANGES = new Set([
  "__typename",
  "seriesId",
  "period",
  "periodStart",
  "periodEnd",
  "value",
  "obsStatus",
  "obsQual",
  ...CHANGES,
]);
const isDetail = (field: string) => !VALUES_AND_CHANGES.has(field);
const isChange = (field: string) => CHANGES.has(field);

/**
 * Whether the observations this field returns are asked more than their values and changes: attributes,
 * provenance, validity, revisions, their series.
 */
export function asksForDetails(info: GraphQLResolveInfo | undefined): boolean {
  return !info || infoSelects(info, isDetail);
}

/** Whether the observations this field returns are asked for a change (previous period, year before). */
export function asksForChanges(info: GraphQLResolveInfo | undefined): boolean {
  return !info || infoSelects(info, isChange);
}

/** The fields named `name` directly under a selection set, through its fragments. */
function fieldsNamed(
  set: SelectionSetNode | undefined,
  name: string,
  fragments: Record<string, FragmentDefinitionNode>,
  out: FieldNode[] = [],
): FieldNode[] {
  for (const s of set?.selections ?? []) {
    if (s.kind === "Field") {
      if (s.name.value === name) out.push(s);
    } else if (s.kind === "InlineFragment") fieldsNamed(s.selectionSet, name, fragments, out);
    else fieldsNamed(fragments[s.name.value]?.selectionSet, name, fragments, out);
  }
  return out;
}

/**
 * What a query asks of the observations under each series of a list (an indicator's, a territory's
 * `series`), when it asks them once and for current values: the list's statement then reads them too.
 * Undefined when it asks none, asks them several ways (aliases), asks them as of a past date, or with
 * arguments the field will refuse: `observations` itself then reads them, or says what is wrong.
 */
export function observationsAskedUnder(info: GraphQLResolveInfo | undefined): ObservationsAsked | undefined {
  const series = info?.schema.getType("Series");
  const field = isObjectType(series) ? series.getFields().observations : undefined;
  if (!info || !field) return undefined;
  const nodes = info.fieldNodes.flatMap((n) => fieldsNamed(n.selectionSet, "observations", info.fragments));
  let asked: ObservationsAsked | undefined;
  try {
    for (const node of nodes) {
      const args: { from?: string; to?: string; asOf?: string; last?: number } = getArgumentValues(
        field,
        node,
        info.variableValues,
      );
      if (args.asOf) return undefined;
      const { from, to } = parsePeriodArgs(args);
      const these = {
        from,
        to,
        last: lastArg(args.last),
        changes: asksForChanges({ ...info, fieldNodes: [node] }),
      };
      if (asked && argsKey(asked) !== argsKey(these)) return undefined;
      asked = these;
    }
  } catch {
    return undefined;
  }
  return asked;
}
