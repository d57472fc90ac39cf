import { describe, expect, it } from "vitest";
import { addParts, missingInputs, part, sumParts, sumStatus } from "../../../ingest/sources/sum-of-parts";

describe("sums of parts", () => {
  it("adds what is known and counts what is not", () => {
    const sum = sumParts([part(10), part(null), part(5, 2)]);
    expect(sum).toEqual({ value: 15, missing: 3 });
    expect(sumStatus(sum)).toBe("E");
    expect(missingInputs(sum)).toEqual({ missing_inputs: "3" });
  });

  it("is A only when nothing is missing, and M when nothing is known", () => {
    const complete = addParts(part(1), part(2));
    expect([sumStatus(complete), missingInputs(complete)]).toEqual(["A", {}]);
    const nothing = sumParts([part(null), part(null, 4)]);
    expect(nothing).toEqual({ value: null, missing: 5 });
    expect(sumStatus(nothing)).toBe("M");
  });
});
