import type { Frequency } from "../schema/indicator";

/** A period in SDMX form with the dates it covers (inclusive). */
export interface Period {
  period: string;
  frequency: Frequency;
  start: string;
  end: string;
}

export class PeriodError extends Error {
  constructor(readonly input: string) {
    super(
      `"${input}" is not a period: use SDMX form, e.g. 2024 (year), 2024-S1 (half), 2024-Q3 (quarter), 2024-07 (month), 2024-07-14 (day), or 2017/2021 (span)`,
    );
    this.name = "PeriodError";
  }
}

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * Parses `2024`, `2024-S1`, `2024-Q3` (also INSEE's `2024-T3`), `2024-07`, `2024-07-14` and spans
 * `2017/2021`. Throws PeriodError for anything else, including `2024-Q5` or `2024-13`.
 */
export function parsePeriod(input: string): Period {
  const s = input.trim();
  let m = /^(\d{4})$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    return { period: s, frequency: "A", start: iso(y, 1, 1), end: iso(y, 12, 31) };
  }
  m = /^(\d{4})-([SQT])(\d)$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    const n = Number(m[3]);
    const half = m[2] === "S";
    if (n < 1 || n > (half ? 2 : 4)) throw new PeriodError(input);
    const months = half ? 6 : 3;
    const first = (n - 1) * months + 1;
    const last = first + months - 1;
    const code = half ? "S" : "Q";
    return {
      period: `${y}-${code}${n}`,
      frequency: half ? "S" : "Q",
      start: iso(y, first, 1),
      end: iso(y, last, lastDay(y, last)),
    };
  }
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw new PeriodError(input);
    return { period: s, frequency: "M", start: iso(y, mo, 1), end: iso(y, mo, lastDay(y, mo)) };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > lastDay(y, mo)) throw new PeriodError(input);
    return { period: s, frequency: "D", start: s, end: s };
  }
  m = /^(\d{4})\/(\d{4})$/.exec(s);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (b < a) throw new PeriodError(input);
    return { period: s, frequency: "P", start: iso(a, 1, 1), end: iso(b, 12, 31) };
  }
  throw new PeriodError(input);
}
