import type { SourceDefinition, StreamDefinition } from "./core/types";
import { atmosud, atmosudIndice } from "./sources/atmosud/atmosud.source";
import { dares } from "./sources/dares/dares.source";
import { dgac } from "./sources/dgac/dgac.source";
import { inseeBdm } from "./sources/insee-bdm/insee-bdm.source";
import { inseeMelodi } from "./sources/insee-melodi/insee-melodi.source";
import { mesr } from "./sources/mesr/mesr.source";
import { partnerCsv } from "./sources/partner-csv/partner-csv.source";
import { port } from "./sources/port/port.source";
import { urssaf } from "./sources/urssaf/urssaf.source";

// Every source the hub knows, in the order `all`, the catch-up at start-up and `--status` go through:
// the national statistics first (INSEE, then URSSAF, DARES, MESR), then the regional and sector sources
// (AtmoSud, DGAC, the port), and the partners' own files last. A new connector is imported above and
// appended here; test/ingest/registry.test.ts checks ids, schedules and reference codes.
export const sources: SourceDefinition[] = [
  inseeBdm,
  inseeMelodi,
  urssaf,
  dares,
  mesr,
  atmosud,
  atmosudIndice,
  dgac,
  port,
  partnerCsv,
];

/** Streams matching `all`, a source id or a stream id (empty when nothing matches). */
export function findStreams(
  selector: string,
  from: SourceDefinition[] = sources,
): { source: SourceDefinition; stream: StreamDefinition }[] {
  return from.flatMap((source) =>
    source.streams
      .filter((stream) => selector === "all" || selector === source.id || selector === stream.id)
      .map((stream) => ({ source, stream })),
  );
}
