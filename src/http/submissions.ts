import type { FastifyInstance } from "fastify";
import { SubmissionRefusedError, submitPartnerFile } from "../access/submissions";
import type { Db } from "../db/client";

/** A partner file is small (a few thousand rows); a larger body is refused before it is read. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * `POST /partners/datasets/:code/submissions` with a partner CSV as the body (`?dryRun=true` validates
 * only): the answer is the validation report (422, every problem with its line and column) or the
 * run's counts. Registered in its own scope so its CSV body parser touches no other route.
 */
export async function registerSubmissions(app: FastifyInstance, db: Db): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      ["text/csv", "text/plain", "application/octet-stream"],
      { parseAs: "buffer", bodyLimit: MAX_FILE_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post<{ Params: { code: string }; Querystring: { dryRun?: string; name?: string } }>(
      "/partners/datasets/:code/submissions",
      async (request, reply) => {
        const body = request.body;
        if (!(body instanceof Buffer) || body.byteLength === 0)
          return reply.code(400).send({
            errors: [
              {
                message: "send the CSV file as the body, Content-Type: text/csv",
                extensions: { code: "BAD_REQUEST" },
              },
            ],
          });
        const dryRun = request.query.dryRun === "true" || request.query.dryRun === "1";
        try {
          const report = await submitPartnerFile(db, request.caller, {
            datasetCode: request.params.code,
            body: new Uint8Array(body),
            dryRun,
            datasetName: request.query.name,
          });
          return reply.code(dryRun ? 200 : report.created ? 201 : 200).send({ data: report });
        } catch (error) {
          if (!(error instanceof SubmissionRefusedError)) throw error;
          return reply.code(error.status).send({
            errors: [{ message: error.message, extensions: { code: error.code, issues: error.issues } }],
          });
        }
      },
    );
  });
}
