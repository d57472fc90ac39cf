/**
 * The shared writer of derived series (`ingest/core/derive.ts`). Every number here is INVENTED.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertDerived, weakestStatus } from "../../../ingest/core/derive";
import { MESR_DATASET } from "../../../ingest/sources/mesr/mesr.source";
import { selectRows } from "../../../src/db/client";
import { createTestDatabase, type TestDatabase } from "../../support/db";

const EPCI = "EPCI-200054807";

/** One derived row for `measure` at the EPCI, 2024 (columns as `DerivedRows` lists them). */
const oneRow = (measure: string, value: number) => sql`
  select 'student_count'::text as indicator_code, ${EPCI}::text as territory_code, ${measure}::text as measure,
    '{}'::jsonb as breakdown, null::text as filiere_code, null::text as naf_code, ${MESR_DATASET}::text as dataset_code,
    'A'::text as frequency, 'students'::text as unit, 'invented'::text as derivation, '2024'::text as period,
    date '2024-01-01' as period_start, date '2024-12-31' as period_end, ${value}::double precision as value,
    0 as missing_inputs, true as inputs_all_a, '[]'::jsonb as derived_from`;

describe("upsertDerived", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    // What loads write: a published series, and one a connector computes in convert (derived, with its source key).
    await database.db.execute(sql`
      insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, frequency, unit,
        source_key, derived, derivation)
      values ('student_count', ${EPCI}, 'published_measure', '{}', '', 'A', 'students', 'src:1', false, null),
             ('student_count', ${EPCI}, 'convert_sum', '{}', '', 'A', 'students', 'src:2', true, 'a sum')`);
  });
  afterAll(async () => {
    await database?.close();
  });

  const derive = (rows: ReturnType<typeof oneRow>) =>
    database.db.transaction(async (tx) =>
      upsertDerived(tx as unknown as TestDatabase["db"], rows, { runId: null }),
    );

  it("never writes over a series a load wrote, published or computed in convert", async () => {
    await expect(derive(oneRow("published_measure", 1))).rejects.toThrow(
      `derived rows would overwrite the loaded series student_count|${EPCI}|published_measure|`,
    );
    await expect(derive(oneRow("convert_sum", 1))).rejects.toThrow(
      `derived rows would overwrite the loaded series student_count|${EPCI}|convert_sum|`,
    );
  });

  it("writes and rewrites its own series, which have no source key", async () => {
    expect(await derive(oneRow("derive_own", 1))).toEqual({ rows: 1, inserted: 1, updated: 0 });
    expect(await derive(oneRow("derive_own", 1))).toEqual({ rows: 1, inserted: 0, updated: 0 });
    expect(await derive(oneRow("derive_own", 2))).toEqual({ rows: 1, inserted: 0, updated: 1 });
    const [own] = await selectRows<{ derived: boolean; source_key: string | null }>(
      database.db,
      sql`select derived, source_key from series where measure = 'derive_own'`,
    );
    expect(own).toEqual({ derived: true, source_key: null });
  });
});

describe("weakestStatus", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("takes the input lowest on A → SD → P → E, any other status lower still", async () => {
    const pairs = [
      ["A", "A", "A"],
      ["A", "SD", "SD"],
      ["SD", "P", "P"],
      ["E", "P", "E"],
      ["A", "E", "E"],
      ["F", "E", "F"],
      ["F", "F", "F"],
      // two different statuses off the ladder: neither is weaker, so E
      ["F", "I", "E"],
    ];
    for (const [a, b, weakest] of pairs) {
      const [row] = await selectRows<{ s: string }>(
        database.db,
        sql`select ${weakestStatus("x", "y")} as s
            from (select ${a}::text as obs_status) as x, (select ${b}::text as obs_status) as y`,
      );
      expect(row?.s, `${a} ${b}`).toBe(weakest);
    }
  });
});
