/**
 * The agenda's figures as a user reaches them: every baseline and every document conflict through a root
 * list with filters and from each entity it concerns, with its document and line, and the agenda's 20
 * indicators told apart from the hub's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { dataOf, graphqlOn } from "../support/graphql";

// biome-ignore lint/suspicious/noExplicitAny: answers are walked loosely, each query has its own shape
type Answer = any;
const codes = (list: { code: string }[]) => list.map((x) => x.code).sort();

describe("baselines and document conflicts", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  const ask = async (q: string): Promise<Answer> => dataOf(await query<Answer>(q));
  beforeAll(async () => {
    database = await createTestDatabase();
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  it("lists all 98 baselines, including those no indicator links to", async () => {
    const { baselines, indicators } = await ask(`{
      baselines(first: 200) { totalCount nodes { code refs { doc line } } }
      indicators(first: 50) { nodes { baselines { code } } } }`);
    expect(baselines.totalCount).toBe(98);
    expect(baselines.nodes.every((b: Answer) => b.refs.length > 0)).toBe(true);
    const viaIndicators = new Set(indicators.nodes.flatMap((i: Answer) => codes(i.baselines)));
    const onlyAtRoot = baselines.nodes.filter((b: Answer) => !viaIndicators.has(b.code));
    expect(onlyAtRoot.map((b: Answer) => b.code)).toEqual(
      expect.arrayContaining(["B_POVERTY", "B_TOURISTS"]),
    );
  });

  it("states every target in the seed's own words, beside the English paraphrase", async () => {
    const { targets } = await ask(`{ targets(first: 100) { nodes { code label labelFr valueText } } }`);
    expect(targets.nodes).toHaveLength(38);
    expect(targets.nodes.filter((t: Answer) => !t.labelFr).map((t: Answer) => t.code)).toEqual([]);
    const byCode = new Map(targets.nodes.map((t: Answer) => [t.code, t]));
    // The catalog's compact readings ("x2", "≈1/3", ">50") are gone: the seed says it in words (001:L1622, L975, L1198).
    expect(byCode.get("T_PT_DOUBLE")).toMatchObject({
      label: "Double public-transport use (PEM, VRTC)",
      valueText: "doubler",
      labelFr: expect.stringContaining("est de doubler d'ici 2030 l'usage des transports en commun"),
    });
    expect(byCode.get("T_INDUSTRY_SHARE")).toMatchObject({ valueText: "un tiers" });
    expect(byCode.get("T_CIRCUITS_COURTS")).toMatchObject({ valueText: "plus de la moitié" });
    // Layout marks of the seed's text (bold, superscripts) are not words.
    expect(byCode.get("T_AFRICA_RANK")).toMatchObject({ valueText: "1re destination nationale" });
    const texts = targets.nodes.flatMap((t: Answer) => [t.labelFr, t.valueText]);
    expect(texts.filter((x: string) => /\*\*|\^\{|<u>|^x\d|≈|→/.test(x))).toEqual([]);
  });

  it("filters baselines by filière, site, territory, agenda node, document and target, as the links do", async () => {
    const a = await ask(`{
      f: baselines(filiere: "F3") { nodes { code } }  filiere(code: "F3") { baselines { code } }
      s: baselines(site: "S_CISAM") { nodes { code } } site(code: "S_CISAM") { baselines { code } }
      t: baselines(territory: "DEP-13") { nodes { code } } territory(code: "DEP-13") { baselines { code } }
      n: baselines(agendaNode: "O2") { nodes { code } } agendaNode(code: "O2") { baselines { code } }
      d: baselines(document: "002") { nodes { code refs { doc } } }
      g: baselines(target: "T_STUDENTS_2030") { nodes { code } } target(code: "T_STUDENTS_2030") { baselines { code } }
    }`);
    expect(codes(a.f.nodes)).toEqual(expect.arrayContaining(["B_GPMM_JOBS", "B_TEU_2021"]));
    expect(codes(a.filiere.baselines)).toEqual(codes(a.f.nodes));
    expect(codes(a.s.nodes)).toEqual(["B_CISAM", "B_CISAM_PLUS"]);
    expect(codes(a.site.baselines)).toEqual(codes(a.s.nodes));
    expect(codes(a.t.nodes)).toEqual(["B_EXPORTS_AFRICA", "B_FTJ", "B_GHG_INDUSTRY_HALF"]);
    expect(codes(a.territory.baselines)).toEqual(codes(a.t.nodes));
    // O2 and the nodes below it (O2.L3.A4 holds the NEET figures of 2013 and 2018).
    expect(codes(a.n.nodes)).toEqual(expect.arrayContaining(["B_NEET_2013_2018", "B_EMPLOYMENT_RATE_GAP"]));
    expect(codes(a.agendaNode.baselines)).toEqual(codes(a.n.nodes));
    expect(a.d.nodes.length).toBeGreaterThan(0);
    expect(a.d.nodes.every((b: Answer) => b.refs.some((r: Answer) => r.doc === "002"))).toBe(true);
    expect(codes(a.g.nodes)).toEqual(["B_STUDENTS_2021"]);
    expect(codes(a.target.baselines)).toEqual(["B_STUDENTS_2021"]);
  });

  it("keeps the seed's printed number and leaves a period the line does not print null", async () => {
    const { baselines } = await ask(
      `{ baselines(indicator: "unemployment_rate") { nodes { code valueText valueNumeric period note } } }`,
    );
    const unemployment = baselines.nodes.find((b: Answer) => b.code === "B_UNEMP");
    // 001:L381 prints « 9,3% » and no year.
    expect(unemployment).toMatchObject({ valueText: "9,3", valueNumeric: 9.3, period: null });
    expect(unemployment.note).toMatch(/not printed/);
    const { baseline } = await ask(
      `{ baseline: baselines(target: "T_STUDENTS_2030") { nodes { valueText period } } }`,
    );
    expect(baseline.nodes[0]).toEqual({ valueText: "101 653", period: "2021" });
  });

  it("shows all 26 conflicts, each value side by side with its document and line", async () => {
    const { documentConflicts } = await ask(
      `{ documentConflicts(first: 50) { totalCount nodes { code topic values { value refs { doc line } } } } }`,
    );
    expect(documentConflicts.totalCount).toBe(26);
    // Most give two values or more; three describe a variance in one statement (C23: "3-4 different
    // expansions" at four lines). Every one says where, but C25's body order, which spans the document.
    expect(documentConflicts.nodes.filter((c: Answer) => c.values.length >= 2)).toHaveLength(23);
    const unlocated = documentConflicts.nodes.flatMap((c: Answer) =>
      c.values.filter((v: Answer) => v.refs.length === 0).map(() => c.code),
    );
    expect(unlocated).toEqual(["C25"]);
    expect(documentConflicts.nodes[0]).toEqual({
      code: "C01",
      topic: "Population",
      values: [
        { value: "1,9 million", refs: [{ doc: "001", line: 409 }] },
        { value: "1,8 million", refs: [{ doc: "001", line: 2566 }] },
      ],
    });
  });

  it("reaches a conflict from the baselines, targets, indicators and filières it bears on", async () => {
    const a = await ask(`{
      byBaseline: documentConflicts(baseline: "B_UNEMP") { nodes { code baselines { code } } }
      indicator(code: "unemployment_rate") { documentConflicts { code } }
      target(code: "T_DOFIE_1450") { documentConflicts { code } }
      byTarget: documentConflicts(target: "T_DOFIE_1450") { nodes { code targets { code } } }
      baselines(target: "T_STUDENTS_2030") { nodes { documentConflicts { code } } }
      filiere(code: "F3") { documentConflicts { code } }
      byFiliere: documentConflicts(filiere: "F3") { nodes { code } }
      topic: documentConflicts(search: "popul") { nodes { code } }
    }`);
    expect(codes(a.byBaseline.nodes)).toEqual(["C14"]);
    expect(codes(a.byBaseline.nodes[0].baselines)).toContain("B_UNEMP");
    expect(codes(a.indicator.documentConflicts)).toContain("C14");
    expect(codes(a.target.documentConflicts)).toEqual(["C15", "C16", "C23"]);
    expect(codes(a.byTarget.nodes)).toEqual(["C15", "C16", "C23"]);
    expect(a.byTarget.nodes[0].targets).toEqual([{ code: "T_DOFIE_1450" }]);
    expect(codes(a.filiere.documentConflicts)).toEqual(codes(a.byFiliere.nodes));
    expect(codes(a.byFiliere.nodes)).toEqual(expect.arrayContaining(["C05", "C22"]));
    expect(codes(a.topic.nodes)).toEqual(["C01"]);
  });

  it("refuses an unknown code in a filter rather than answer an empty list", async () => {
    const answer = await query(`{ baselines(filiere: "F99") { totalCount } }`);
    expect(answer.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const conflict = await query(`{ documentConflicts(document: "1") { totalCount } }`);
    expect(conflict.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });

  it("tells the agenda's 20 indicators from the hub's own", async () => {
    const { agenda, own } = await ask(`{
      agenda: indicators(inAgenda: true) { totalCount nodes { number inAgenda } }
      own: indicators(inAgenda: false) { totalCount nodes { code number inAgenda } } }`);
    expect(agenda.totalCount).toBe(20);
    expect(agenda.nodes.map((i: Answer) => i.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(agenda.nodes.every((i: Answer) => i.inAgenda)).toBe(true);
    expect(own.nodes).toEqual([
      { code: "air_quality_index", number: null, inAgenda: false },
      { code: "legal_population", number: null, inAgenda: false },
    ]);
  });
});

describe("the agenda's figures where nothing is measured yet", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  const ask = async (q: string): Promise<Answer> => dataOf(await query<Answer>(q));
  beforeAll(async () => {
    // The reference data only: a hub offline, or before its first ingest.
    database = await createTestDatabase();
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  it("shows an indicator's headline as the agenda's printed baseline, flagged, with its document and line", async () => {
    const { indicator } = await ask(`{ indicator(code: "unemployment_rate") {
      latest { value }
      headline { value valueText period unit fromAgenda observation { value } agendaFigure { code measure refs { doc line } } } } }`);
    expect(indicator.latest).toBeNull();
    expect(indicator.headline).toEqual({
      value: 9.3,
      valueText: "9,3",
      period: null,
      unit: "%",
      fromAgenda: true,
      observation: null,
      agendaFigure: {
        code: "B_UNEMP",
        measure: "Unemployment rate (after a fall of more than 2 points in 5 years)",
        refs: [{ doc: "001", line: 381 }],
      },
    });
  });

  it("gives a target's progress the agenda's starting figure, never as a measured value", async () => {
    const { target } = await ask(`{ target(code: "T_STUDENTS_2030") { progress {
      status latestValue baselineValue agendaBaseline { code refs { doc line } }
      headline { value valueText period fromAgenda agendaFigure { code } } } } }`);
    const [p] = target.progress;
    expect(p).toMatchObject({ status: "NO_DATA", latestValue: null, baselineValue: 101653 });
    expect(p.agendaBaseline).toEqual({ code: "B_STUDENTS_2021", refs: [{ doc: "001", line: 603 }] });
    expect(p.headline).toEqual({
      value: 101653,
      valueText: "101 653",
      period: "2021",
      fromAgenda: true,
      agendaFigure: { code: "B_STUDENTS_2021" },
    });
  });

  it("has no headline rather than a guess when the agenda prints no figure for it", async () => {
    const { indicator } = await ask(
      `{ indicator(code: "renewable_energy_production") { headline { value } } }`,
    );
    expect(indicator.headline).toBeNull();
  });
});
