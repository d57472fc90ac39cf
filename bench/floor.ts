/**
 * The ingest benches' floor: a plain multi-row `INSERT … VALUES (…), (…)` with bind parameters into
 * observations, with the provenance columns the engine fills. What the engine's load is measured against.
 */
const FLOOR_COLUMNS = [
  "series_id",
  "period",
  "period_start",
  "period_end",
  "value",
  "obs_status",
  "obs_qual",
  "attributes",
  "source_url",
  "retrieved_at",
  "run_id",
  "raw_payload_id",
  "valid_from",
] as const;

export function floorStatement(rows: number): string {
  const width = FLOOR_COLUMNS.length;
  const tuples = Array.from(
    { length: rows },
    (_, r) => `(${FLOOR_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(", ")})`,
  );
  return `insert into observations (${FLOOR_COLUMNS.join(", ")}) values ${tuples.join(", ")}`;
}
