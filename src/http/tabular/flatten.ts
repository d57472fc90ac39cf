/**
 * Turns a GraphQL answer into a table: one row per element of the list the query asks for, nested
 * objects flattened into dotted column names in the order of the selection. Columns come from the
 * selection and the schema, not from the data, so a null object still has its (empty) columns and an
 * empty answer still has its header.
 *
 * The rows' list may sit inside other lists (`series { observations { … } } }`): then every element of
 * the inner list is a row, carrying its parents' fields, and a parent whose inner list is empty still
 * gives one row with the inner columns empty (nothing the answer holds is dropped). Lists on separate
 * branches cannot share rows: the query must pick one (`?list=path`).
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export class TabularError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TabularError";
  }
}

/** A field of the selection: its response key, whether it is a list, and what it selects. */
interface SelectedField {
  key: string;
  /** Dotted response keys from the root. */
  path: string;
  list: boolean;
  children: SelectedField[];
}

export interface Table {
  columns: string[];
  rows: unknown[][];
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

/** The selection as a tree, fragments merged in, fields of the same response key merged. */
function selectionTree(
  selectionSet: SelectionSetNode,
  parentType: GraphQLNamedType,
  fragments: Map<string, FragmentDefinitionNode>,
  prefix: string,
  schema: GraphQLSchema,
  into: SelectedField[] = [],
): SelectedField[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) addField(selection, parentType, fragments, prefix, schema, into);
    else {
      const fragment =
        selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = fragment.typeCondition
        ? schema.getType(fragment.typeCondition.name.value)
        : undefined;
      selectionTree(fragment.selectionSet, condition ?? parentType, fragments, prefix, schema, into);
    }
  }
  return into;
}

function addField(
  node: FieldNode,
  parentType: GraphQLNamedType,
  fragments: Map<string, FragmentDefinitionNode>,
  prefix: string,
  schema: GraphQLSchema,
  into: SelectedField[],
): void {
  const key = node.alias?.value ?? node.name.value;
  const path = prefix ? `${prefix}.${key}` : key;
  const definition = node.name.value === "__typename" ? undefined : fieldOf(parentType, node.name.value);
  const type = definition ? getNullableType(definition.type) : undefined;
  let field = into.find((f) => f.key === key);
  if (!field) {
    field = { key, path, list: type !== undefined && isListType(type), children: [] };
    into.push(field);
  }
  if (node.selectionSet && definition)
    selectionTree(node.selectionSet, getNamedType(definition.type), fragments, path, schema, field.children);
}

function listsIn(fields: SelectedField[], out: SelectedField[] = []): SelectedField[] {
  for (const f of fields) {
    if (f.list && f.children.length > 0) out.push(f);
    listsIn(f.children, out);
  }
  return out;
}

const isAncestor = (a: SelectedField, b: SelectedField) => b.path.startsWith(`${a.path}.`);

/**
 * The list whose elements are the rows: the one named by `pick`, else the only list of objects that
 * holds no other, or none (one row: the answer itself). Several such lists make the query ambiguous:
 * the error names them all.
 */
function rowList(tree: SelectedField[], pick: string | undefined): SelectedField | undefined {
  const lists = listsIn(tree);
  if (pick !== undefined) {
    const picked = lists.find((l) => l.path === pick);
    if (!picked)
      throw new TabularError(
        lists.length
          ? `no list "${pick}" in the query; its lists are ${lists.map((l) => l.path).join(", ")}`
          : `no list "${pick}" in the query: it selects no list of objects`,
      );
    return picked;
  }
  const innermost = lists.filter((l) => !lists.some((o) => o !== l && isAncestor(l, o)));
  if (innermost.length <= 1) return innermost[0];
  throw new TabularError(
    `the answer holds several lists (${innermost.map((l) => l.path).join(", ")}): a table has one row per element of one list; pick one with ?list=${innermost[0].path}, or ask for one list per query`,
  );
}

/** Whether `field` is on the way to the rows' list (or is it): lists elsewhere are left out. */
const onChain = (field: SelectedField, target: SelectedField | undefined) =>
  target !== undefined && (field === target || isAncestor(field, target));

/** Leaf columns in selection order, skipping lists that are not on the rows' chain. */
function columnsOf(
  fields: SelectedField[],
  target: SelectedField | undefined,
  out: SelectedField[] = [],
): SelectedField[] {
  for (const f of fields) {
    if (f.list && f.children.length > 0 && !onChain(f, target)) continue;
    if (f.children.length === 0) out.push(f);
    else columnsOf(f.children, target, out);
  }
  return out;
}

/** Column name: inside the rows' list, relative to its element; outside, the path from the root. */
const columnName = (field: SelectedField, target: SelectedField | undefined) =>
  target && isAncestor(target, field) ? field.path.slice(target.path.length + 1) : field.path;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function cellOf(value: Json | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "object" ? JSON.stringify(v) : v)).join("|");
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

/**
 * Walks the data along the chain: `scope` maps a path to the value it has in the current row, so a
 * column reads its value from the nearest element it belongs to.
 */
function rowsOf(data: Json, chain: SelectedField[], columns: SelectedField[]): unknown[][] {
  const rows: unknown[][] = [];
  const valueAt = (scopes: { path: string; value: Json }[], path: string): Json | undefined => {
    // The deepest scope that contains the path; then walk the remaining keys.
    for (let i = scopes.length - 1; i >= 0; i--) {
      const s = scopes[i];
      if (s.path !== "" && path !== s.path && !path.startsWith(`${s.path}.`)) continue;
      let v: Json | undefined = s.value;
      const rest = s.path === "" ? path : path.slice(s.path.length + 1);
      for (const k of rest ? rest.split(".") : []) {
        if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return undefined;
        v = v[k];
      }
      return v;
    }
    return undefined;
  };
  const walk = (scopes: { path: string; value: Json }[], depth: number) => {
    if (depth >= chain.length) {
      rows.push(columns.map((c) => cellOf(valueAt(scopes, c.path))));
      return;
    }
    const list = valueAt(scopes, chain[depth].path);
    const elements = Array.isArray(list) ? list : [];
    // An empty inner list keeps its parent's row, inner columns empty; an empty outer list is no rows.
    if (elements.length === 0) {
      if (depth > 0) rows.push(columns.map((c) => cellOf(valueAt(scopes, c.path))));
      return;
    }
    for (const element of elements) walk([...scopes, { path: chain[depth].path, value: element }], depth + 1);
  };
  walk([{ path: "", value: data }], 0);
  return rows;
}

/**
 * The table of `data`, the answer to `document`'s operation `operationName` on `schema`. `pick` is the
 * dotted path of the list to make rows of, when the query holds several.
 */
export function tableOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  data: Record<string, unknown>,
  options: { operationName?: string; pick?: string } = {},
): Table {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operations.find((o) => o.name?.value === options.operationName) ??
    (operations.length === 1 ? operations[0] : undefined);
  if (!operation) throw new TabularError("name the operation to run (operationName)");
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const root = schema.getRootType(operation.operation);
  if (!root) throw new TabularError(`the schema has no ${operation.operation} type`);
  const tree = selectionTree(operation.selectionSet, root, fragments, "", schema);
  const target = rowList(tree, options.pick);
  const chain = listsIn(tree).filter((l) => onChain(l, target));
  const columns = columnsOf(tree, target);
  return {
    columns: columns.map((c) => columnName(c, target)),
    rows: rowsOf(data as Json, chain, columns),
  };
}
