/**
 * Day-first date text as found in the transactions file (`2/8/16`, `10/1/1994`, `02-08-2016`, `2016-08-02`).
 * Parsing only: the century of a two-digit year depends on context (transaction vs birth date), so the caller decides it.
 */

/** A calendar date read from text. For a two-digit year, `year` is that number (0..99) and `twoDigitYear` is true. */
export interface DayFirstDate {
  readonly day: number;
  readonly month: number;
  readonly year: number;
  readonly twoDigitYear: boolean;
}

const DIGIT_0 = 48;
const SLASH = 47;
const DASH = 45;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_0 + 9;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

/** Gregorian leap year. */
function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1..12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parses a day-first date: `d/m/yy`, `d/m/yyyy`, `dd-mm-yyyy`, `d-m-yy` (day and month with 1 or 2 digits,
 * one separator `/` or `-` used twice) or ISO `yyyy-mm-dd`. Surrounding spaces are ignored.
 * Returns undefined for anything else, including dates that do not exist (`31/2/16`, `29/2/17`).
 * A two-digit year is validated as 20yy: `29/2/00` is accepted (2000 is a leap year; if the caller later chooses 1900,
 * which is not, it must re-check with `daysInMonth`).
 * Cost: O(length of text).
 * @example parseDayFirst('2/8/16') // { day: 2, month: 8, year: 16, twoDigitYear: true }
 */
export function parseDayFirst(text: string): DayFirstDate | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;

  // Split into three digit groups with the same separator between them.
  const groups: number[] = [0, 0, 0];
  const widths: number[] = [0, 0, 0];
  let separator = -1;
  let g = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (widths[g] === 4) return undefined;
      groups[g] = groups[g] * 10 + (c - DIGIT_0);
      widths[g]++;
    } else if (c === SLASH || c === DASH) {
      if (separator === -1) separator = c;
      else if (c !== separator) return undefined;
      if (widths[g] === 0 || g === 2) return undefined;
      g++;
    } else {
      return undefined;
    }
  }
  if (g !== 2 || widths[2] === 0) return undefined;

  let day: number;
  let month: number;
  let year: number;
  let twoDigitYear: boolean;
  if (widths[0] === 4) {
    // ISO yyyy-mm-dd (dash only, as ISO 8601 writes it).
    if (separator !== DASH || widths[1] > 2 || widths[2] > 2) return undefined;
    [year, month, day] = groups;
    twoDigitYear = false;
  } else {
    if (widths[0] > 2 || widths[1] > 2 || (widths[2] !== 2 && widths[2] !== 4)) return undefined;
    [day, month, year] = groups;
    twoDigitYear = widths[2] === 2;
  }
  if (month < 1 || month > 12 || day < 1) return undefined;
  const checkYear = twoDigitYear ? 2000 + year : year;
  if (day > daysInMonth(checkYear, month)) return undefined;
  return { day, month, year, twoDigitYear };
}
