/**
 * A partner, as a new user following docs/partners.md: gets a key, submits a file, sees its rows,
 * publishes them; partner B and anonymous callers see nothing of them until then. And the attacks: a
 * partner writing another partner's dataset, a bad file, no key. Every value below is INVENTED.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/access/keys";
import { selectRows } from "../../src/db/client";
import { type RunningHub, startHub } from "../support/http";

const FILE = `template_version,indicator_code,territory_code,measure,breakdown,period,value,unit,obs_status,reference_date,source_url,comment
1,office_space_produced,EPCI-200054807,agam_office_space_delivered,,2024,61250,m2,P,,,invented value
1,office_space_produced,COM-13001,agam_office_space_delivered,,2024,9800,m2,A,,,invented value
`;
const DATASET = "ORG_AGAM-BUREAUX";
const ROWS = `{ seriesList(filter: { indicator: "office_space_produced", measure: "agam_office_space_delivered" }) {
  totalCount nodes { territory { code } latest { value } dataset { code visibility } } } }`;

describe("partner submissions", () => {
  let hub: RunningHub;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    hub = await startHub();
    const db = hub.database.db;
    tokens.a = (await createKey(db, { name: "AGAM", role: "partner", partnerCode: "ORG_AGAM" })).token;
    tokens.b = (await createKey(db, { name: "CCI", role: "partner", partnerCode: "ORG_CCIAMP" })).token;
    tokens.analyst = (await createKey(db, { name: "analyst", role: "analyst" })).token;
  });
  afterAll(() => hub.close());

  const submit = (who: string | null, body: string, query = "", code = DATASET) =>
    fetch(`${hub.base}/partners/datasets/${code}/submissions${query}`, {
      method: "POST",
      headers: { "content-type": "text/csv", ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
      body,
    });
  const graphql = async (who: string | null, query: string) => {
    const res = await fetch(`${hub.base}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      },
      body: JSON.stringify({ query }),
    });
    return res.json();
  };
  const stored = async () =>
    (
      await selectRows<{ n: number }>(
        hub.database.db,
        sql`select count(*)::int as n from observations o join series s on s.id = o.series_id
            where s.measure = 'agam_office_space_delivered'`,
      )
    )[0]?.n;

  it("validates a file without writing it on a dry run", async () => {
    const res = await submit("a", FILE, "?dryRun=true");
    expect(res.status).toBe(200);
    expect((await res.json()).data).toMatchObject({
      dataset: DATASET,
      dryRun: true,
      series: 2,
      observations: 2,
      run: null,
    });
    expect(await stored()).toBe(0);
  });

  it("refuses a bad file with every problem's line and column, writing nothing", async () => {
    const bad = `${FILE}1,office_space_produced,COM-13001,agam_office_space_delivered,,2024-Q5,12,5,m2,A,,,\n`;
    const res = await submit("a", bad);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors[0].extensions.issues[0]).toMatchObject({ line: 4 });
    expect(body.errors[0].message).toContain("line 4");
    expect(await stored()).toBe(0);
  });

  it("loads the file into the partner's own new dataset, seen by it and analysts only", async () => {
    const res = await submit("a", FILE, "?name=Observatoire%20des%20bureaux");
    expect(res.status).toBe(201);
    expect((await res.json()).data).toMatchObject({
      created: true,
      run: { status: "success", rowsInserted: 2 },
    });
    const mine = await graphql("a", ROWS);
    expect(mine.data.seriesList.totalCount).toBe(2);
    expect(mine.data.seriesList.nodes[0].dataset).toEqual({ code: DATASET, visibility: "restricted" });
    expect((await graphql("analyst", ROWS)).data.seriesList.totalCount).toBe(2);
    for (const who of ["b", null]) {
      const theirs = await graphql(who, ROWS);
      expect(theirs.data.seriesList).toEqual({ totalCount: 0, nodes: [] });
      const lookup = await graphql(who, `{ dataset(code: "${DATASET}") { code } }`);
      expect(lookup.errors[0].extensions.code).toBe("NOT_FOUND");
    }
  });

  it("keeps another partner out of the dataset: no write, and nothing stored changes", async () => {
    const before = await stored();
    const changed = FILE.replace("61250", "1");
    const res = await submit("b", changed);
    // B cannot see the restricted dataset: it does not exist for B.
    expect(res.status).toBe(404);
    expect((await res.json()).errors[0].extensions.code).toBe("NOT_FOUND");
    // Nor may B take A's series into a dataset of its own.
    const own = await submit("b", changed, "", "ORG_CCIAMP-TEST");
    expect(own.status).toBe(403);
    expect((await own.json()).errors[0].extensions.code).toBe("FORBIDDEN");
    const analyst = await submit("analyst", changed);
    expect(analyst.status).toBe(403);
    const anonymous = await submit(null, changed);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(await stored()).toBe(before);
    const published = await graphql("b", `mutation { publishDataset(code: "${DATASET}") { code } }`);
    expect(published.errors[0].extensions.code).toBe("NOT_FOUND");
  });

  it("publishes: partner B and anonymous callers then see the rows, and a new value keeps the old one", async () => {
    const published = await graphql(
      "a",
      `mutation { publishDataset(code: "${DATASET}") { code visibility embargoUntil } }`,
    );
    expect(published.data.publishDataset).toEqual({
      code: DATASET,
      visibility: "public",
      embargoUntil: null,
    });
    for (const who of ["b", null]) expect((await graphql(who, ROWS)).data.seriesList.totalCount).toBe(2);
    const revised = await submit("a", FILE.replace("61250", "61300"));
    expect((await revised.json()).data.run).toMatchObject({ rowsUpdated: 1, rowsUnchanged: 1 });
    const history = await graphql(
      null,
      `{ seriesList(filter: { territory: "EPCI-200054807", measure: "agam_office_space_delivered" }) {
        nodes { observations { value revisions { value } } } } }`,
    );
    expect(history.data.seriesList.nodes[0].observations[0]).toEqual({
      value: 61300,
      revisions: [{ value: 61250 }],
    });
    const writes = await selectRows<{ outcome: string; detail: { sha256?: string; rowsRevised?: number } }>(
      hub.database.db,
      sql`select outcome, detail from audit_log where kind = 'write' order by id`,
    );
    expect(writes.at(-1)).toMatchObject({
      outcome: "ok",
      detail: { rowsRevised: 1, sha256: expect.any(String) },
    });
  });
});
