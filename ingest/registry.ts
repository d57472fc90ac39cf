import type { SourceDefinition, StreamDefinition } from "./core/types";

// Connectors register themselves here: add `import { x } from "./sources/<id>/<id>.source"`
// above and append `x` to this array.
export const sources: SourceDefinition[] = [];

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
