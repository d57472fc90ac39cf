import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { loadReferenceData, readReferenceFiles } from "../../../ingest/reference/load";
import { selectRows } from "../../../src/db/client";
import { readDataVersion } from "../../../src/db/data-version";
import { createTestDatabase, type TestDatabase } from "../../support/db";

const tables = [
  "territories",
  "territory_links",
  "partners",
  "indicators",
  "filieres",
  "naf_codes",
  "filiere_naf_codes",
  "datasets",
  "sites",
  "site_filieres",
  "site_partners",
  "agenda_nodes",
  "agenda_node_sites",
];
let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

async function count(q: ReturnType<typeof sql>): Promise<number> {
  const [row] = await selectRows<{ n: number | string }>((database as TestDatabase).db, q);
  return Number(row?.n);
}

/** Row count plus a content hash and the max xmin per table: a rewritten row changes xmin even if equal. */
async function snapshot(): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const t of tables) {
    const [row] = await selectRows<{ n: string; h: string; x: string }>(
      (database as TestDatabase).db,
      sql.raw(
        `select count(*)::text as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h, coalesce(max(xmin::text::bigint), 0)::text as x from ${t} t`,
      ),
    );
    result[t] = `${row?.n}/${row?.h}/${row?.x}`;
  }
  return result;
}

describe("loadReferenceData", () => {
  it("loads the 92 member communes with populations and Marseille's 16 arrondissements as subdivisions", async () => {
    database = await createTestDatabase();
    expect(
      await count(sql`select count(*) as n from territory_links l join territories t on t.code = l.child_code
        where l.parent_code = 'EPCI-200054807' and l.relation = 'member' and t.level = 'commune' and t.population > 0`),
    ).toBe(92);
    expect(
      await count(
        sql`select count(*) as n from territory_links where parent_code = 'COM-13055' and relation = 'subdivision' and child_code like 'ARM-132%'`,
      ),
    ).toBe(16);
    expect(
      await count(
        sql`select count(*) as n from territory_links where child_code like 'ARM-%' and relation = 'member'`,
      ),
    ).toBe(0);
    expect(
      await count(
        sql`select count(*) as n from territory_links where child_code = 'DEP-13' and parent_code = 'REG-93'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*) as n from territory_links where child_code = 'REG-93' and parent_code = 'FRANCE-F'`,
      ),
    ).toBe(1);
  });

  it("holds France métropolitaine (FRANCE-FM) as a part of France, with région 93 in it", async () => {
    database = await createTestDatabase();
    const pays = await selectRows<{ code: string; cog_code: string; name: string; note: string | null }>(
      database.db,
      sql`select code, cog_code, name, note from territories where level = 'pays' order by code`,
    );
    expect(pays.map((r) => [r.code, r.cog_code, r.name])).toEqual([
      ["FRANCE-F", "F", "France"],
      ["FRANCE-FM", "FM", "France métropolitaine"],
    ]);
    expect(pays[1].note).toMatch(/Melodi.*BDM REF_AREA FM/);
    const links = await selectRows<{ child_code: string; parent_code: string; relation: string }>(
      database.db,
      sql`select child_code, parent_code, relation from territory_links
          where parent_code like 'FRANCE-%' order by child_code, parent_code`,
    );
    expect(links).toEqual([
      { child_code: "FRANCE-FM", parent_code: "FRANCE-F", relation: "subdivision" },
      { child_code: "REG-93", parent_code: "FRANCE-F", relation: "member" },
      { child_code: "REG-93", parent_code: "FRANCE-FM", relation: "member" },
    ]);
  });

  it("loads 6 conseils de territoire whose memberships cover the 92 communes, CT2 and CT6 unconfirmed", async () => {
    database = await createTestDatabase();
    const rows = await selectRows<{ parent_code: string; n: string; confirmed: boolean }>(
      database.db,
      sql`select parent_code, count(*)::text as n, bool_and(confirmed) as confirmed from territory_links
          where parent_code like 'CT-%' group by parent_code order by parent_code`,
    );
    expect(rows.map((r) => r.parent_code)).toEqual(["CT-1", "CT-2", "CT-3", "CT-4", "CT-5", "CT-6"]);
    expect(rows.reduce((s, r) => s + Number(r.n), 0)).toBe(92);
    expect(rows.filter((r) => !r.confirmed).map((r) => r.parent_code)).toEqual(["CT-2", "CT-6"]);
    expect(
      await count(
        sql`select count(distinct child_code) as n from territory_links where parent_code like 'CT-%'`,
      ),
    ).toBe(92);
  });

  it("loads the 20 indicators numbered 1-20 and the 6 filières d'excellence with proposed NAF codes", async () => {
    database = await createTestDatabase();
    const numbers = await selectRows<{ number: number | null; code: string }>(
      database.db,
      sql`select number, code from indicators order by number nulls last, code`,
    );
    expect(numbers.map((r) => r.number)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => i + 1),
      null,
      null,
    ]);
    // The two the hub adds beside the agenda's table, unnumbered so they are never taken for the agenda's.
    expect(numbers.slice(20).map((r) => r.code)).toEqual(["air_quality_index", "legal_population"]);
    const [unemployment] = await selectRows<{
      additive: boolean;
      direction: string;
      provider_partner_code: string;
    }>(
      database.db,
      sql`select additive, direction, provider_partner_code from indicators where code = 'unemployment_rate'`,
    );
    expect(unemployment).toEqual({
      additive: false,
      direction: "lower_is_better",
      provider_partner_code: "DARES",
    });
    const filieres = await selectRows<{ code: string; n: string; proposal: boolean }>(
      database.db,
      sql`select f.code, count(n.naf_code)::text as n, bool_and(n.certainty = 'proposal') as proposal
          from filieres f join filiere_naf_codes n on n.filiere_code = f.code
          where f.kind = 'filiere_excellence' group by f.code order by f.code`,
    );
    expect(filieres.map((f) => f.code)).toEqual(["F1", "F2", "F3", "F4", "F5", "F6"]);
    expect(filieres.every((f) => Number(f.n) > 0 && f.proposal)).toBe(true);
    // The range 86.90A-86.90F is expanded to its six sous-classes.
    expect(
      await count(
        sql`select count(*) as n from filiere_naf_codes where filiere_code = 'F1' and naf_code like '86.90_'`,
      ),
    ).toBe(6);
  });

  it("keeps targets with their seed lines and linked indicators, and both values of a conflict", async () => {
    database = await createTestDatabase();
    const [target] = await selectRows<{
      refs: unknown;
      value_numeric: number;
      indicator_code: string;
      certainty: string;
    }>(
      database.db,
      sql`select t.refs, t.value_numeric, i.indicator_code, i.certainty from targets t
          join target_indicators i on i.target_code = t.code where t.code = 'T_STUDENTS_2030'`,
    );
    expect(target).toEqual({
      refs: [{ doc: "001", line: 654 }],
      value_numeric: 20,
      indicator_code: "student_count",
      certainty: "inference",
    });
    expect(await count(sql`select count(*) as n from targets`)).toBe(38);
    expect(await count(sql`select count(*) as n from baselines`)).toBe(98);
    const [conflict] = await selectRows<{ values: unknown }>(
      database.db,
      sql`select "values" from document_conflicts where topic = 'Population'`,
    );
    expect(conflict?.values).toEqual([
      { value: "1,9 million", refs: [{ doc: "001", line: 409 }] },
      { value: "1,8 million", refs: [{ doc: "001", line: 2566 }] },
    ]);
  });

  it("loads the agenda's sites in their commune with filières and partners, Marseille never by arrondissement", async () => {
    database = await createTestDatabase();
    const [arbois] = await selectRows<{
      kind: string;
      commune_code: string;
      filieres: string;
      partners: string;
    }>(
      database.db,
      sql`select s.kind, s.commune_code,
            (select string_agg(filiere_code, ',' order by filiere_code) from site_filieres where site_code = s.code) as filieres,
            (select string_agg(partner_code, ',' order by partner_code) from site_partners where site_code = s.code) as partners
          from sites s where s.code = 'S_ARBOIS'`,
    );
    expect(arbois).toEqual({
      kind: "technopole",
      commune_code: "COM-13001",
      filieres: "F5",
      partners: "ORG_AMU,ORG_BRGM,ORG_CEREGE,ORG_IRSTEA",
    });
    // Arrondissement numbers are the catalog compiler's knowledge, not the agenda's: the site stays in 13055.
    const [luminy] = await selectRows<{ commune_code: string; location_note: string }>(
      database.db,
      sql`select commune_code, location_note from sites where code = 'S_LUMINY'`,
    );
    expect(luminy).toEqual({ commune_code: "COM-13055", location_note: "Marseille (9e)" });
    expect(await count(sql`select count(*) as n from sites where commune_code like 'ARM-%'`)).toBe(0);
    expect(
      await count(sql`select count(*) as n from sites where kind in ('technopole', 'port', 'airport')`),
    ).toBeGreaterThan(5);
    expect(await count(sql`select count(*) as n from datasets where source_id = 'insee-bdm'`)).toBe(1);
  });

  it("loads the agenda tree: 5 orientations of 5 leviers, 75 actions, 5 pillars and 5 markers", async () => {
    database = await createTestDatabase();
    const kinds = await selectRows<{ kind: string; n: string }>(
      database.db,
      sql`select kind, count(*)::text as n from agenda_nodes group by kind order by kind`,
    );
    expect(Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)]))).toEqual({
      action: 75,
      levier: 25,
      marker: 5,
      modality: 7,
      orientation: 5,
      pillar: 5,
    });
    expect(
      await count(sql`select count(*) as n from agenda_nodes l join agenda_nodes o on o.code = l.parent_code
        where l.kind = 'levier' and o.kind = 'orientation'`),
    ).toBe(25);
    // The students target (001:L654) sits under O1.L1, which thereby measures student_count.
    expect(
      await count(sql`select count(*) as n from agenda_node_indicators
        where node_code = 'O1.L1' and indicator_code = 'student_count' and certainty = 'inference'`),
    ).toBe(1);
  });

  it("changes no row when loaded a second time", async () => {
    database = await createTestDatabase();
    const before = await snapshot();
    const report = await loadReferenceData(database.db);
    // 92 communes, 16 arrondissements, the EPCI, 3 départements, the région, France and France
    // métropolitaine, 6 conseils de territoire.
    expect(report.territories).toBe(92 + 16 + 1 + 3 + 1 + 2 + 6);
    expect(await snapshot()).toEqual(before);
  });

  it("advances the data version when it rewrites a row, and only then: running hubs keep these rows under it", async () => {
    database = await createTestDatabase();
    const before = await readDataVersion(database.db);
    await loadReferenceData(database.db);
    expect(await readDataVersion(database.db)).toBe(before);
    const data = readReferenceFiles();
    data["partners.json"] = data["partners.json"].map((p, i) =>
      i === 0 ? { ...(p as object), note: "a note this test adds" } : p,
    );
    await loadReferenceData(database.db, data);
    expect(await readDataVersion(database.db)).toBe(before + 1);
  });

  it("names the file and record of a bad record and leaves nothing half-loaded", async () => {
    database = await createTestDatabase();
    const before = await snapshot();
    const data = readReferenceFiles();
    // A made-up partner first, so a partial load would show; then a CT naming a commune outside the Métropole.
    data["partners.json"] = [
      ...data["partners.json"],
      {
        code: "MADE_UP",
        name: "Made-up partner",
        acronym: null,
        kind: "x",
        roles: [],
        website: null,
        note: null,
        refs: [],
      },
    ];
    data["conseils-de-territoire.json"] = [
      { code: "CT-1", name: "Nowhere", communes: ["75056"], confirmed: true, note: null },
    ];
    await expect(loadReferenceData(database.db, data)).rejects.toThrow(
      "ingest/reference/data/conseils-de-territoire.json: record CT-1: commune 75056 is not a commune of the Métropole",
    );
    const unknownSite = readReferenceFiles();
    unknownSite["sites.json"] = [{ ...(unknownSite["sites.json"][0] as object), partners: ["ORG_NOWHERE"] }];
    await expect(loadReferenceData(database.db, unknownSite)).rejects.toThrow(
      'ingest/reference/data/sites.json: record S_ARBOIS: partner "ORG_NOWHERE" is not defined',
    );
    const bad = readReferenceFiles();
    bad["indicators.json"] = [{ ...(bad["indicators.json"][0] as object), number: 42 }];
    await expect(loadReferenceData(database.db, bad)).rejects.toThrow(
      /indicators\.json: record unemployment_rate: number/,
    );
    expect(await snapshot()).toEqual(before);
  });
});
