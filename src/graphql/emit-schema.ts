/**
 * `npm run schema:emit` writes the SDL of the built schema to schema/schema.graphql, the contract
 * reviewers diff; test/graphql/schema.test.ts fails when the file and the code disagree.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { buildHublotSchema } from "./build-schema";

export const sdlPath = fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));

export async function printHublotSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildHublotSchema()))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(sdlPath, await printHublotSchema());
  console.log(`wrote ${sdlPath}`);
}
