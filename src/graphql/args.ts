import { InvalidDateError, InvalidPeriodError, InvalidRangeError } from "../errors";
import { type Period, PeriodError, parsePeriod } from "../period";

/** Parses a period argument, turning a bad one into an INVALID_PERIOD error naming the argument. */
export function periodArg(input: string | null | undefined, argument: string): Period | undefined {
  if (input === null || input === undefined) return undefined;
  try {
    return parsePeriod(input);
  } catch (error) {
    if (error instanceof PeriodError) throw new InvalidPeriodError(input, argument);
    throw error;
  }
}

/** A `from`/`to` period range as the dates it covers; either end may be open. */
export function periodRange(
  from: string | null | undefined,
  to: string | null | undefined,
): { from?: Period; to?: Period } {
  const f = periodArg(from, "from");
  const t = periodArg(to, "to");
  if (f && t && f.start > t.end) throw new InvalidRangeError(f.period, t.period);
  return { from: f, to: t };
}

/**
 * An `asOf` argument as the instant it stands for. A bare date means what was known by the end of that
 * day (UTC), which is what "as published on 31 May" means to a reader.
 */
export function instantArg(input: string | null | undefined, argument: string): Date | undefined {
  if (input === null || input === undefined) return undefined;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input);
  const date = day ? new Date(`${input}T23:59:59.999Z`) : new Date(input);
  if (
    Number.isNaN(date.getTime()) ||
    (day && date.toISOString().slice(0, 10) !== input) ||
    (!day && !/^\d{4}-\d{2}-\d{2}T/.test(input))
  )
    throw new InvalidDateError(input, argument);
  return date;
}
