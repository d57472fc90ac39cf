import { readFileSync } from "node:fs";
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { printHublotSchema, sdlPath } from "../../src/graphql/emit-schema";

describe("the GraphQL schema", () => {
  it("is the one committed in schema/schema.graphql (run npm run schema:emit after changing it)", async () => {
    expect(await printHublotSchema()).toBe(readFileSync(sdlPath, "utf8"));
  });

  it("describes every type, field, argument and enum value", async () => {
    const schema = await buildHublotSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || ["String", "Int", "Float", "Boolean", "ID"].includes(type.name))
        continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of "args" in field ? field.args : [])
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      // An enum whose type description explains its values (SDMX FREQ codes…) needs no more.
      if (isEnumType(type) && !type.description)
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });
});
