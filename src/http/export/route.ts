/**
 * `GET /export/observations.csv` and `.tsv` (`?locale=fr` for French spreadsheets): the flat export,
 * streamed row batch by row batch through csv-stringify with backpressure, so memory stays flat
 * whatever the size. Bad parameters are refused before the first byte, as JSON errors.
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Db } from "../../db/client";
import { HublotError } from "../../errors";
import { createContext } from "../../graphql/context";
import { FormatError, requestedTableFormat, tableStream } from "../tabular/format";
import { OBSERVATION_COLUMNS, observationExport, parseExportParams } from "./observations";

const STATUS: Record<string, number> = { NOT_FOUND: 404 };

export function registerExports(app: FastifyInstance, db: Db): void {
  app.get<{ Params: { extension: string }; Querystring: Record<string, string> }>(
    "/export/observations.:extension",
    async (request, reply) => {
      const { locale, key: _key, ...filters } = request.query;
      try {
        const format = requestedTableFormat({ format: request.params.extension, locale });
        if (!format) throw new FormatError("the export is CSV or TSV: /export/observations.csv or .tsv");
        const batches = await observationExport(
          createContext(db, request.caller),
          parseExportParams(filters),
        );
        reply
          .type(format.contentType)
          .header("content-disposition", `attachment; filename="hublot-observations.${format.extension}"`);
        if (request.method === "HEAD") {
          // Headers only, and no "Content-Length: 0": clients (LibreOffice) take that for an empty file.
          await batches.return(undefined);
          reply.hijack();
          reply.raw.writeHead(200, reply.getHeaders() as Record<string, string>);
          reply.raw.end();
          return reply;
        }
        const rows = Readable.from(
          (async function* () {
            for await (const batch of batches) yield* batch;
          })(),
        );
        return reply.send(rows.pipe(tableStream(format, [...OBSERVATION_COLUMNS])));
      } catch (error) {
        if (error instanceof FormatError)
          return reply
            .code(404)
            .send({ errors: [{ message: error.message, extensions: { code: "NOT_FOUND" } }] });
        if (error instanceof HublotError)
          return reply
            .code(STATUS[error.code] ?? 400)
            .send({ errors: [{ message: error.message, extensions: error.extensions }] });
        throw error;
      }
    },
  );
}
