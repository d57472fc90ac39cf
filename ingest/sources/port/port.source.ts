/**
 * Grand Port Maritime de Marseille: no open machine-readable series exists (traffic is published in
 * press releases and PDF tables), so the port's figures come as a file in the partner CSV template
 * (docs/partner-csv.md, "The port"), restricted to the port's measures so a typo cannot open a new series.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { wholeBody } from "../../core/payload";
import { NotConfiguredError, type SourceDefinition, type StreamDefinition } from "../../core/types";
import { convertPartnerFile, hubCodes, type PartnerFileMeta } from "../partner-csv/convert";
import { PARTNER_FILES_DIR } from "../partner-csv/partner-csv.source";

export const PORT_INDICATOR = "port_calls_and_intl_air_traffic";
export const PORT_FILE = "gpmm-traffic.csv";

const BASINS = ["est", "ouest"] as const;

/** What the port file may hold: GPMM's release tables, by basin where the release gives it. */
export const PORT_RULES = {
  indicators: [PORT_INDICATOR],
  measures: ["port_calls", "cargo_tonnes", "containers_teu", "passengers"],
  breakdowns: {
    basin: BASINS,
    call_type: ["cruise", "ferry", "container", "ro_ro", "dry_bulk", "liquid_bulk", "general_cargo", "other"],
    cargo: ["liquid_bulk", "dry_bulk", "general_cargo", "containers", "ro_ro", "other"],
    passenger_type: ["ferry", "cruise"],
  },
} as const;

export const portTrafficStream: StreamDefinition = {
  id: "port.traffic",
  description:
    "Port de Marseille-Fos: calls by type, tonnage by cargo, containers (TEU) and passengers (cruise included), by basin Est/Ouest, from a GPMM file in the partner CSV template",
  // GPMM releases monthly figures; a daily look picks a new file up within a day.
  schedule: "20 7 * * *",
  indicators: [PORT_INDICATOR],
  datasetCode: "gpmm-traffic",
  async plan(ctx) {
    const meta: PartnerFileMeta = {
      partnerCode: "GPMM",
      datasetCode: null,
      ...(await hubCodes(ctx)),
    };
    const url = `${ctx.baseUrl}/${PORT_FILE}`;
    // GPMM sends its figures by hand: until the operator has put a file there, the stream has nothing
    // to read, which is no failure of the port's.
    if (url.startsWith("file:") && !existsSync(fileURLToPath(url))) {
      throw new NotConfiguredError(
        `no GPMM traffic file at ${fileURLToPath(url)}`,
        `INGEST_PORT_BASE_URL (a folder or URL holding ${PORT_FILE}, in the partner CSV template)`,
      );
    }
    return [{ key: "gpmm-traffic", url, meta }];
  },
  convert: wholeBody((payload, resource) => convertPartnerFile(payload, resource, PORT_RULES)),
};

export const port: SourceDefinition = {
  id: "port",
  title: "Grand Port Maritime de Marseille (partner file)",
  partnerCode: "GPMM",
  defaultBaseUrl: pathToFileURL(resolve(PARTNER_FILES_DIR, "gpmm")).href,
  streams: [portTrafficStream],
};
