/**
 * What a query selects under a field, read from the resolver's info: loaders skip the work nobody asked
 * for (an observation's changes read two more rows per observation).
 */
import type { FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from "graphql";

const CHANGES = new Set(["changeFromPrevious", "changeFromYearBefore"]);

function selects(
  set: SelectionSetNode | undefined,
  names: Set<string>,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): boolean {
  if (!set) return false;
  for (const s of set.selections) {
    if (s.kind === "Field") {
      if (names.has(s.name.value)) return true;
    } else if (s.kind === "InlineFragment") {
      if (selects(s.selectionSet, names, fragments, seen)) return true;
    } else {
      const name = s.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = fragments[name];
      // A fragment the document does not define cannot be read: assume it asks.
      if (!fragment || selects(fragment.selectionSet, names, fragments, seen)) return true;
    }
  }
  return false;
}

/** Whether the observations this field returns are asked for a change (previous period, year before). */
export function asksForChanges(info: GraphQLResolveInfo | undefined): boolean {
  if (!info) return true;
  const seen = new Set<string>();
  return info.fieldNodes.some((node) => selects(node.selectionSet, CHANGES, info.fragments, seen));
}
