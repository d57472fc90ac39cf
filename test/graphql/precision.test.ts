import { describe, expect, it } from "vitest";
import { decimalsOf } from "../../ingest/core/precision";
import { roundPercent, roundTo } from "../../src/graphql/series/precision";

describe("numbers as published", () => {
  it("rounds a difference to the series' decimals, so float noise never shows", () => {
    expect(9.1 - 8.8).not.toBe(0.3);
    expect(roundTo(9.1 - 8.8, 1)).toBe(0.3);
    expect(roundTo(101653 * 1.2, 0)).toBe(121984);
    expect(roundTo(-0.04, 1)).toBe(0);
    expect(Object.is(roundTo(-0.04, 1), -0)).toBe(false);
  });

  it("keeps twelve significant digits where the precision is unknown, which removes noise only", () => {
    expect(roundTo(0.1 + 0.2, null)).toBe(0.3);
    expect(roundTo(123456.789, null)).toBe(123456.789);
    expect(roundTo(null, 1)).toBeNull();
  });

  it("gives percent changes to one decimal", () => {
    expect(roundPercent(((9.1 - 8.8) / 8.8) * 100)).toBe(3.4);
  });

  it("reads the decimals a source published from the value it parsed", () => {
    expect(decimalsOf(9.1)).toBe(1);
    expect(decimalsOf(101653)).toBe(0);
    expect(decimalsOf(35.15)).toBe(2);
    expect(decimalsOf(1e-7)).toBe(6);
    // A converter's arithmetic noise is capped rather than taken for a publication.
    expect(decimalsOf(0.1 + 0.2)).toBe(6);
  });
});
