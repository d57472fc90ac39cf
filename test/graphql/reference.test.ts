import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { dataOf, graphqlOn } from "../support/graphql";

describe("the reference data over GraphQL", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  it("lists the 92 communes of EPCI 200054807 with their populations", async () => {
    const { territory } = dataOf(
      await query<{ territory: { children: { territory: { code: string; population: number } }[] } }>(
        `{ territory(code: "EPCI-200054807") { children(level: COMMUNE) { territory { code population } } } }`,
      ),
    );
    expect(territory.children).toHaveLength(92);
    expect(territory.children.every((c) => c.territory.population > 0)).toBe(true);
  });

  it("filters a commune's parents by level, and lists them all beside it in the same request", async () => {
    type Link = { territory: { code: string; level: string } };
    const { territory } = dataOf(
      await query<{ territory: { all: Link[]; ct: Link[]; epci: Link[] } }>(
        `{ territory(code: "COM-13001") {
             all: parents { territory { code level } }
             ct: parents(level: CONSEIL_DE_TERRITOIRE) { territory { code level } }
             epci: parents(level: EPCI) { territory { code level } } } }`,
      ),
    );
    expect(territory.ct.map((l) => l.territory.level)).toEqual(["CONSEIL_DE_TERRITOIRE"]);
    expect(territory.epci.map((l) => l.territory.code)).toEqual(["EPCI-200054807"]);
    expect(territory.all.map((l) => l.territory.code)).toEqual(
      expect.arrayContaining([territory.ct[0].territory.code, "EPCI-200054807"]),
    );
    expect(territory.all.length).toBeGreaterThan(2);
  });

  it("gives communes, the EPCI and the conseils de territoire a population with its year, the sums of one vintage", async () => {
    const { epci, territories } = dataOf(
      await query<{
        epci: {
          population: number;
          populationYear: number;
          children: { territory: { population: number; populationYear: number } }[];
        };
        territories: {
          nodes: {
            population: number;
            populationYear: number;
            populationSource: string;
            children: { territory: { population: number } }[];
          }[];
        };
      }>(
        `{ epci: territory(code: "EPCI-200054807") { population populationYear
             children(level: COMMUNE) { territory { population populationYear } } }
           territories(level: CONSEIL_DE_TERRITOIRE) { nodes { population populationYear populationSource
             children(level: COMMUNE) { territory { population } } } } }`,
      ),
    );
    // INSEE's légales of 2023, in force since 1 January 2026, as @etalab/decoupage-administratif 6 ships them.
    expect(new Set(epci.children.map((c) => c.territory.populationYear))).toEqual(new Set([2023]));
    expect(epci.populationYear).toBe(2023);
    expect(epci.population).toBe(epci.children.reduce((n, c) => n + c.territory.population, 0));
    for (const ct of territories.nodes) {
      expect(ct.populationYear).toBe(2023);
      expect(ct.population).toBe(ct.children.reduce((n, c) => n + c.territory.population, 0));
      expect(ct.populationSource).toMatch(/^sum of its \d+ communes/);
    }
    expect(territories.nodes.reduce((n, ct) => n + ct.population, 0)).toBe(epci.population);
  });

  it("lists the 6 conseils de territoire whose memberships sum to 92, with the unconfirmed ones marked", async () => {
    const { territories } = dataOf(
      await query<{
        territories: { totalCount: number; nodes: { code: string; children: { confirmed: boolean }[] }[] };
      }>(
        `{ territories(level: CONSEIL_DE_TERRITOIRE) { totalCount nodes { code children(level: COMMUNE) { confirmed } } } }`,
      ),
    );
    expect(territories.totalCount).toBe(6);
    expect(territories.nodes.reduce((n, ct) => n + ct.children.length, 0)).toBe(92);
    const unconfirmed = territories.nodes
      .filter((ct) => ct.children.some((c) => !c.confirmed))
      .map((ct) => ct.code);
    expect(unconfirmed).toEqual(["CT-2", "CT-6"]);
  });

  it("keeps Marseille's arrondissements as subdivisions, never members", async () => {
    const { territory } = dataOf(
      await query<{
        territory: { children: { relation: string }[]; parents: { territory: { code: string } }[] };
      }>(`{ territory(code: "COM-13055") { children { relation } parents { territory { code } } } }`),
    );
    expect(territory.children).toHaveLength(16);
    expect(new Set(territory.children.map((c) => c.relation))).toEqual(new Set(["SUBDIVISION"]));
    expect(territory.parents.map((p) => p.territory.code)).toContain("EPCI-200054807");
  });

  it("answers the agenda's 20 indicators in its order, with the sources it prints, in English and French, then the hub's own", async () => {
    const { indicators } = dataOf(
      await query<{
        indicators: {
          totalCount: number;
          nodes: { number: number | null; en: string; fr: string; sourcesNamed: string[] }[];
        };
      }>(
        `{ indicators(first: 50) { totalCount nodes { number en: label fr: label(lang: FR) sourcesNamed } } }`,
      ),
    );
    // The agenda's 20 first, then the two the hub adds (legal populations, the ATMO index), unnumbered.
    expect(indicators.totalCount).toBe(22);
    expect(indicators.nodes.map((i) => i.number)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => i + 1),
      null,
      null,
    ]);
    expect(indicators.nodes[0].fr).toMatch(/^Taux de chômage/);
    expect(indicators.nodes[0].en).toMatch(/^Unemployment rate/);
    expect(indicators.nodes[0].sourcesNamed).toEqual(["Pôle emploi"]);
    // The agenda names no source for office space, brownfields and labelled parks (14-16): none is made up.
    expect(
      indicators.nodes.filter((i) => i.number !== null && i.sourcesNamed.length === 0).map((i) => i.number),
    ).toEqual([14, 15, 16]);
  });

  it("links a filière to its NAF codes (a proposal), its sites with their commune and partners", async () => {
    const { filieres, filiere } = dataOf(
      await query<{
        filieres: { nodes: { code: string }[] };
        filiere: {
          nafCodes: { code: string; certainty: string }[];
          sites: { code: string; commune: { code: string } | null; partners: { code: string }[] }[];
        };
      }>(`{
        filieres(kind: FILIERE_EXCELLENCE) { nodes { code } }
        filiere(code: "F1") { nafCodes { code certainty } sites { code commune { code } partners { code } } }
      }`),
    );
    expect(filieres.nodes.map((f) => f.code)).toEqual(["F1", "F2", "F3", "F4", "F5", "F6"]);
    expect(filiere.nafCodes.map((n) => n.code)).toContain("21.10Z");
    expect(new Set(filiere.nafCodes.map((n) => n.certainty))).toEqual(new Set(["proposal"]));
    expect(filiere.sites.length).toBeGreaterThan(0);
    expect(filiere.sites.some((s) => s.commune !== null && s.partners.length > 0)).toBe(true);
  });

  it("follows links both ways: site → filière → sites, partner → sites → partners, NAF → filières", async () => {
    const { site, partner, nafCode } = dataOf(
      await query<{
        site: { code: string; filieres: { code: string; sites: { code: string }[] }[] };
        partner: { sites: { code: string; partners: { code: string }[] }[]; datasets: { code: string }[] };
        nafCode: { filieres: { code: string }[] };
      }>(`{
        site(code: "S_ARBOIS") { code filieres { code sites { code } } }
        partner(code: "INSEE") { sites { code partners { code } } datasets { code } }
        nafCode(code: "21.10Z") { filieres { code } }
      }`),
    );
    expect(site.filieres.length).toBeGreaterThan(0);
    expect(site.filieres.every((f) => f.sites.some((s) => s.code === "S_ARBOIS"))).toBe(true);
    expect(partner.datasets.map((d) => d.code)).toContain("TAUX-CHOMAGE");
    expect(partner.sites.every((s) => s.partners.some((p) => p.code === "INSEE"))).toBe(true);
    expect(nafCode.filieres.map((f) => f.code)).toContain("F1");
  });

  it("gives each target its seed line and indicators, and each indicator its targets", async () => {
    const { target, indicator } = dataOf(
      await query<{
        target: {
          refs: { doc: string; line: number }[];
          indicators: { code: string }[];
          baselineValue: number;
        };
        indicator: { targets: { code: string }[]; baselines: { code: string; valueNumeric: number }[] };
      }>(`{
        target(code: "T_STUDENTS_2030") { refs { doc line } indicators { code } baselineValue }
        indicator(code: "student_count") { targets { code } baselines { code valueNumeric } }
      }`),
    );
    expect(target.refs).toContainEqual({ doc: "001", line: 654 });
    expect(target.indicators.map((i) => i.code)).toEqual(["student_count"]);
    expect(target.baselineValue).toBe(101653);
    expect(indicator.targets.map((t) => t.code)).toContain("T_STUDENTS_2030");
    expect(indicator.baselines).toContainEqual({ code: "B_STUDENTS_2021", valueNumeric: 101653 });
  });

  it("walks the agenda tree from an orientation to its leviers and their indicators, and back", async () => {
    const { agendaNodes, indicators } = dataOf(
      await query<{
        agendaNodes: { nodes: { code: string; children: { code: string; parent: { code: string } }[] }[] };
        indicators: { nodes: { code: string; agendaNodes: { code: string }[] }[] };
      }>(`{
        agendaNodes(kind: ORIENTATION) { nodes { code children { code parent { code } } } }
        indicators(agendaNode: "O1") { nodes { code agendaNodes { code } } }
      }`),
    );
    expect(agendaNodes.nodes.map((o) => o.code)).toEqual(["O1", "O2", "O3", "O4", "O5"]);
    expect(agendaNodes.nodes.every((o) => o.children.length === 5)).toBe(true);
    expect(agendaNodes.nodes[0].children.every((l) => l.parent.code === "O1")).toBe(true);
    expect(indicators.nodes.length).toBeGreaterThan(0);
    expect(indicators.nodes.every((i) => i.agendaNodes.some((n) => n.code.startsWith("O1")))).toBe(true);
  });

  it("pages a list with Relay cursors and a total", async () => {
    const first = dataOf(
      await query<{
        territories: {
          totalCount: number;
          nodes: { code: string }[];
          pageInfo: { endCursor: string; hasNextPage: boolean };
        };
      }>(
        `{ territories(level: COMMUNE, first: 50, orderBy: { field: POPULATION, direction: DESC }) { totalCount nodes { code } pageInfo { endCursor hasNextPage } } }`,
      ),
    );
    expect(first.territories.totalCount).toBe(92);
    expect(first.territories.nodes[0].code).toBe("COM-13055");
    expect(first.territories.pageInfo.hasNextPage).toBe(true);
    const second = dataOf(
      await query<{ territories: { nodes: { code: string }[]; pageInfo: { hasNextPage: boolean } } }>(
        `query($after: String) { territories(level: COMMUNE, first: 50, after: $after, orderBy: { field: POPULATION, direction: DESC }) { nodes { code } pageInfo { hasNextPage } } }`,
        { after: first.territories.pageInfo.endCursor },
      ),
    );
    expect(second.territories.nodes).toHaveLength(42);
    expect(second.territories.pageInfo.hasNextPage).toBe(false);
    const all = [...first.territories.nodes, ...second.territories.nodes].map((t) => t.code);
    expect(new Set(all).size).toBe(92);
  });
});
