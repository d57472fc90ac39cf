import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { collectBatches, payloadOf } from "../../../../ingest/core/payload";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, Resource } from "../../../../ingest/core/types";
import { port, portTrafficStream } from "../../../../ingest/sources/port/port.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";

/** Every value in this file is INVENTED; its layout is the partner template's. */
const fixturePath = join(import.meta.dirname, "../../../fixtures/port/gpmm-traffic-invented-values.csv");
const fixture = readFileSync(fixturePath, "utf8");
const payload = (body: string): BufferedPayload => ({
  body: new TextEncoder().encode(body),
  url: "file:///data/partners/gpmm/gpmm-traffic.csv",
  httpStatus: null,
  contentType: null,
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});
const resource: Resource = {
  key: "gpmm-traffic",
  url: "file:///data/partners/gpmm/gpmm-traffic.csv",
  meta: {
    partnerCode: "GPMM",
    datasetCode: null,
    knownIndicators: ["port_calls_and_intl_air_traffic", "office_space_produced"],
    knownTerritories: ["EPCI-200054807", "COM-13055"],
  },
};
const convert = (body: string) =>
  collectBatches(portTrafficStream.convert(payloadOf(payload(body), body), { resource, url: resource.url }));

describe("port traffic file", () => {
  it("reads calls, tonnage, TEU and passengers by basin, attributed to GPMM", async () => {
    const result = await convert(fixture);
    expect(result.observations).toHaveLength(6);
    expect(result.observations.find((o) => o.series.measure === "cargo_tonnes")).toMatchObject({
      series: { breakdown: { basin: "ouest", cargo: "liquid_bulk" }, territoryCode: "EPCI-200054807" },
      period: "2024-07",
      value: 3150000,
      obsStatus: "P",
      attributes: { partner: "GPMM" },
    });
    expect(
      result.series.find((s) => s.measure === "passengers" && s.breakdown.passenger_type === "cruise"),
    ).toMatchObject({ frequency: "M", unit: "passengers" });
  });

  it("refuses a measure, basin or indicator outside the port's list, by line", async () => {
    const bad = fixture
      .replace("basin=est;call_type=cruise", "basin=nord;call_type=cruise")
      .replace(",containers_teu,", ",containers,")
      .concat("1,office_space_produced,EPCI-200054807,port_calls,,2024-07,1,calls,A,,\n");
    await expect(convert(bad)).rejects.toThrow(
      /line 4, column 5 \(breakdown\): basin="nord"[\s\S]*line 6, column 4 \(measure\): "containers" is not one of[\s\S]*line 9, column 2 \(indicator_code\): this file takes only port_calls_and_intl_air_traffic/,
    );
  });
});

describe("port stream", () => {
  let database: TestDatabase | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is not configured until gpmm-traffic.csv is in its directory, then files the series under gpmm-traffic", async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), "hublot-gpmm-"));
    const run = () =>
      runStream({
        db: (database as TestDatabase).db,
        source: port,
        stream: portTrafficStream,
        trigger: "test",
        env: { INGEST_PORT_BASE_URL: pathToFileURL(dir as string).href },
        log: loggerFor("test"),
      });
    // No file yet: the stream is not configured, which fails nothing and names the setting to give.
    const missing = await run();
    expect(missing.status).toBe("not_configured");
    expect(missing.error).toContain(`no GPMM traffic file at ${join(dir, "gpmm-traffic.csv")}`);
    expect(missing.error).toContain("set INGEST_PORT_BASE_URL");
    const [state] = await selectRows<{ last_failure_at: Date | null }>(
      database.db,
      sql`select last_failure_at from stream_state where stream_id = 'port.traffic'`,
    );
    expect(state?.last_failure_at).toBeNull();

    copyFileSync(fixturePath, join(dir, "gpmm-traffic.csv"));
    expect(await run()).toMatchObject({ status: "success", rowsInserted: 6 });
    const rows = await selectRows<{ dataset_code: string; n: number }>(
      database.db,
      sql`select dataset_code, count(*)::int as n from series
          where indicator_code = 'port_calls_and_intl_air_traffic' group by dataset_code`,
    );
    expect(rows).toEqual([{ dataset_code: "gpmm-traffic", n: 6 }]);
    expect((await run()).status).toBe("unchanged");
  });
});
