/**
 * The hub's rule for every value a connector computes by adding parts (a commune total from its sexes or
 * sectors, an EPCI total from its communes): the value is the sum of the parts that are known; when any
 * part is null, confidential or missing, the sum is understated, so it is stored with obs_status `E`
 * (never `A`) and an attribute `missing_inputs` counting the source cells it could not include. When no
 * part is known at all, there is no value: null with status `M`.
 *
 * `missing` counts source cells, not intermediate sums, so it adds up the same at every level: an EPCI
 * total over two communes each missing one cell says `missing_inputs: "2"`.
 */

export interface PartialSum {
  /** Sum of the known parts; null when no part is known. */
  value: number | null;
  /** Source cells left out of `value` (null, confidential or missing). */
  missing: number;
}

/** One part: a known value, or null (which counts as one missing cell unless `missing` says more). */
export function part(value: number | null, missing = 0): PartialSum {
  return { value, missing: value === null ? Math.max(missing, 1) : missing };
}

export const EMPTY_SUM: PartialSum = { value: null, missing: 0 };

export function addParts(a: PartialSum, b: PartialSum): PartialSum {
  return {
    value: a.value === null ? b.value : b.value === null ? a.value : a.value + b.value,
    missing: a.missing + b.missing,
  };
}

export function sumParts(parts: Iterable<PartialSum>): PartialSum {
  let total = EMPTY_SUM;
  for (const p of parts) total = addParts(total, p);
  return total;
}

/** obs_status for a computed sum: `A` when complete, `E` when understated, `M` when nothing is known. */
export function sumStatus(sum: PartialSum): "A" | "E" | "M" {
  if (sum.value === null) return "M";
  return sum.missing > 0 ? "E" : "A";
}

/** The `missing_inputs` attribute, present only when something is missing. */
export function missingInputs(sum: PartialSum): Record<string, string> {
  return sum.missing > 0 ? { missing_inputs: String(sum.missing) } : {};
}
