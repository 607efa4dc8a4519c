/**
 * Segment names derived from the profile by rules, never hard-coded per k.
 *
 * Each feature whose standardized difference (lift) is at least STRONG in size gives a trait word
 * (age: young/senior, balance: affluent/low-balance, recency: lapsed/recently active, frequency: frequent/one-off,
 * money: big-ticket/small-ticket). The noun says what the segment does: `savers` (high balance, money not high),
 * `spenders` (money or frequency high), otherwise `customers`. The two strongest traits are shown, in a fixed
 * English order; a segment with no strong trait is `mainstream customers`. Clashing names get the next trait,
 * then a number.
 */
import type { NumericFeature } from '../preprocess/feature_registry';
import type { SegmentProfile } from './types';

/** A lift at least this large (in standard deviations) is a defining trait. */
export const STRONG = 0.5;
/** Weaker traits, used only to tell apart segments that would share a name. */
export const WEAK = 0.25;

interface Trait {
  readonly word: string;
  readonly strength: number;
  /** Position in the displayed name (English adjective order: when, age, how often, wealth, ticket size). */
  readonly order: number;
}

type Lift = SegmentProfile['lift'];

const liftOf = (lift: Lift, f: NumericFeature): number => lift[f] ?? 0;

/** The larger-in-size of the two money lifts (total and per transaction), keeping its sign. */
function moneyLift(lift: Lift): number {
  const total = liftOf(lift, 'monetaryTotal');
  const mean = liftOf(lift, 'monetaryMean');
  return Math.abs(total) >= Math.abs(mean) ? total : mean;
}

/** Every trait with |lift| >= threshold, strongest first. */
export function traits(lift: Lift, threshold: number): Trait[] {
  const out: Trait[] = [];
  const add = (x: number, high: string, low: string, order: number): void => {
    if (Math.abs(x) >= threshold) out.push({ word: x > 0 ? high : low, strength: Math.abs(x), order });
  };
  add(liftOf(lift, 'recencyDays'), 'lapsed', 'recently active', 0);
  add(liftOf(lift, 'age'), 'senior', 'young', 1);
  add(liftOf(lift, 'frequency'), 'frequent', 'one-off', 2);
  add(liftOf(lift, 'balance'), 'affluent', 'low-balance', 3);
  add(moneyLift(lift), 'big-ticket', 'small-ticket', 4);
  return out.sort((a, b) => b.strength - a.strength || a.order - b.order);
}

/** What the segment mostly does, from its lifts. */
export function segmentNoun(lift: Lift): string {
  const money = moneyLift(lift);
  if (liftOf(lift, 'balance') >= STRONG && money < STRONG) return 'savers';
  if (money >= STRONG || liftOf(lift, 'frequency') >= STRONG) return 'spenders';
  return 'customers';
}

/** The name from the `count` strongest traits (strong ones first, then weak ones if `count` asks for more). */
function nameWith(lift: Lift, count: number): string {
  const strong = traits(lift, STRONG);
  const weak = traits(lift, WEAK).filter((t) => !strong.some((s) => s.word === t.word));
  const chosen = [...strong, ...weak].slice(0, count);
  const noun = segmentNoun(lift);
  if (chosen.length === 0) return noun === 'customers' ? 'mainstream customers' : noun;
  const words = chosen.sort((a, b) => a.order - b.order).map((t) => t.word);
  return [...words, noun].join(' ');
}

/** The rule-based name of one segment (two strongest traits + noun). */
export function segmentName(lift: Lift): string {
  return nameWith(lift, Math.min(2, traits(lift, STRONG).length));
}

/**
 * Names for all segments, unique: segments that would share a name get one more trait at a time (up to four);
 * any still equal are numbered (`… 1`, `… 2`, in segment order). O(k²).
 */
export function nameSegments(segments: readonly Pick<SegmentProfile, 'lift'>[]): string[] {
  const names = segments.map((s) => segmentName(s.lift));
  for (let extra = 3; extra <= 4; extra++) {
    const clash = duplicated(names);
    if (clash.size === 0) return names;
    segments.forEach((s, c) => {
      if (clash.has(names[c])) names[c] = nameWith(s.lift, extra);
    });
  }
  const clash = duplicated(names);
  const seen = new Map<string, number>();
  return names.map((name) => {
    if (!clash.has(name)) return name;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${name} ${n}`;
  });
}

function duplicated(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const name of names) (seen.has(name) ? dup : seen).add(name);
  return dup;
}
