/**
 * Numbers as the sources publish them. A series keeps the decimals its source publishes (`decimals`);
 * values and the changes computed from them are served rounded to it, so the difference of 9.1 and 8.8
 * reads 0.3, never 0.29999999999999893. Kept apart from the queries so any reader of values can call it.
 */

/** Relative changes (percent) are given to one decimal, as INSEE gives its evolutions. */
export const PERCENT_DECIMALS = 1;
/** Shares of a target achieved and of its time elapsed: fractions to four decimals (0.1234 = 12.34 %). */
export const SHARE_DECIMALS = 4;
/** Where a series' precision is unknown: twelve significant digits, well above any publication, below float noise. */
const SIGNIFICANT_DIGITS = 12;

/** `value` rounded to `decimals` places, or to twelve significant digits when `decimals` is unknown. */
export function roundTo(value: number | null, decimals: number | null | undefined): number | null {
  if (value === null || !Number.isFinite(value)) return value;
  const rounded =
    decimals === null || decimals === undefined
      ? Number(value.toPrecision(SIGNIFICANT_DIGITS))
      : Number(value.toFixed(Math.max(0, Math.min(decimals, 20))));
  // -0 would print as "-0" in some clients; a rounded tiny negative is zero.
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** A relative change in percent, to the documented precision. */
export const roundPercent = (value: number | null) => roundTo(value, PERCENT_DECIMALS);
