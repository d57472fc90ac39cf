import "reflect-metadata";
import { buildSchema } from "type-graphql";
import { ReferenceResolver } from "./reference.resolver";

export function buildHublotSchema() {
  return buildSchema({ resolvers: [ReferenceResolver], validate: false });
}
