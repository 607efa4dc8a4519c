/**
 * One fitting action per segment, distinct while fitting ones are left, sized in customers and money at stake.
 *
 * Each segment lists the actions that fit it, from the words of its name (what holds for most of its members) and
 * then from where it stands against all customers (median balance and money moved); segments choose in order of
 * the money they carry (balances held + money moved), each taking the first action on its list that no segment
 * took before; when none is left, test and learn (it fits any segment) repeats. Amounts carry no debit/credit
 * direction in this data, so no action assumes money was spent.
 *
 * | action | fits | money at stake |
 * |---|---|---|
 * | reactivation | lapsed | balances held |
 * | engage | recent | money moved |
 * | senior deposits | senior (60+), with high balances | balances held |
 * | retirement planning | older (45–59), with high balances | balances held |
 * | grow balances | high-balance or affluent | balances held |
 * | relationship review | high-value | money moved |
 * | digital starter | young with a low balance or low value | customers |
 * | savings habit | low-balance | customers (balances are small) |
 * | low-cost service | low-value | money moved |
 * | test and learn | nothing distinctive | customers |
 */
import { count, inr, num, pct } from '../format';
import type { SegmentFacts } from './types';
import type { WordShare } from './naming';

export const ACTION_KINDS = [
  'reactivation',
  'engage',
  'senior deposits',
  'retirement planning',
  'grow balances',
  'relationship review',
  'digital starter',
  'savings habit',
  'low-cost service',
  'test and learn',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** What a segment's action is chosen from. */
export interface ActionInput extends SegmentFacts {
  readonly words: readonly WordShare[];
}

/** Medians of all customers, to place a segment above or below the base. */
export interface ActionBase {
  readonly medianBalance: number;
  readonly medianMoney: number;
  /** The as-of date recency counts from (YYYY-MM-DD), for the action texts. */
  readonly asOf: string;
}

/** The actions that fit a segment, best first; test and learn, which fits any segment, last. */
export function fittingActions(s: ActionInput, base: ActionBase): ActionKind[] {
  const has = (w: string): boolean => s.words.some((x) => x.word === w);
  const out: ActionKind[] = [];
  const add = (kind: ActionKind, fits: boolean): void => {
    if (fits && !out.includes(kind)) out.push(kind);
  };
  const rich = has('high-balance') || has('affluent');
  add('reactivation', has('lapsed'));
  add('senior deposits', has('senior') && rich);
  add('retirement planning', has('older') && rich);
  add('grow balances', rich);
  add('relationship review', has('high-value'));
  add('digital starter', has('young') && (has('low-balance') || has('low-value')));
  add('engage', has('recent'));
  add('savings habit', has('low-balance'));
  add('low-cost service', has('low-value'));
  // Then by where the segment's medians stand against everyone's.
  const richer = s.profile.balance >= base.medianBalance;
  const moves = s.profile.monetaryTotal >= base.medianMoney;
  add('grow balances', richer);
  add('relationship review', moves);
  add('savings habit', !richer);
  add('low-cost service', !moves);
  // Nothing else: an action that does not fit is never given, even to keep actions distinct.
  add('test and learn', true);
  return out;
}

/**
 * Distinct actions for all segments: in order of the money they carry, each segment takes the first action on its
 * list not yet taken (test and learn, which fits any segment, repeats when no fitting action is left). O(k² · kinds).
 */
export function assignActions(segments: readonly ActionInput[], base: ActionBase): ActionKind[] {
  const order = segments.map((_, c) => c).sort((a, b) => carried(segments[b]) - carried(segments[a]) || a - b);
  const taken = new Set<ActionKind>();
  const kinds = new Array<ActionKind>(segments.length);
  for (const c of order) {
    const kind = fittingActions(segments[c], base).find((k) => !taken.has(k)) ?? 'test and learn';
    taken.add(kind);
    kinds[c] = kind;
  }
  return kinds;
}

function carried(s: SegmentFacts): number {
  return s.balancesHeld + s.moneyMoved;
}

/** The action's text: who, how many, the money at stake, what to do, and how to tell whether it worked. */
export function actionText(kind: ActionKind, s: ActionInput, base: ActionBase): string {
  const p = s.profile;
  const who = `${count(s.size)} customers (${pct(s.share)})`;
  const balances = `${inr(s.balancesHeld)} of balances (${pct(s.balanceShare)} of all)`;
  const moved = `${inr(s.moneyMoved)} moved in the window (${pct(s.monetaryShare)} of all)`;
  switch (kind) {
    case 'reactivation':
      return `Reactivation: ${who} last transacted a median ${num(p.recencyDays, 0)} days before ${base.asOf} and hold ${balances}. Send a reactivation message with a fee waiver or a bonus deposit rate; success is the share transacting again within 30 days, against a hold-out group.`;
    case 'engage':
      return `Engage while active: ${who} transacted a median ${num(p.recencyDays, 0)} days before ${base.asOf}; at stake ${moved}. Offer the next product in the app at the moment of use (recurring deposit, card upgrade); success is take-up against a hold-out group.`;
    case 'senior deposits':
      return `Senior deposits: ${who}, median age ${num(p.age, 0)}, hold ${balances}, median balance ${inr(p.balance)}. Offer senior-citizen fixed-deposit rates with assisted (branch or phone) service; success is balances kept and moved into term deposits.`;
    case 'retirement planning':
      return `Retirement planning: ${who}, median age ${num(p.age, 0)}, hold ${balances}, median balance ${inr(p.balance)}. Offer a retirement plan (NPS or pension products, term deposits laddered to retirement, health cover) with an advisor call; success is balances kept and moved into long-term products.`;
    case 'grow balances':
      return `Grow balances: ${who} hold ${balances}, median balance ${inr(p.balance)}. Offer fixed deposits, a sweep-in account or monthly mutual-fund SIPs so idle balances earn more with the bank; success is the balance moved into term products.`;
    case 'relationship review':
      return s.words.some((x) => x.word === 'high-value')
        ? `Relationship review: ${who} account for ${moved}, a median ${inr(p.monetaryTotal)} each (the data does not say whether money came in or went out). Review their large transactions with them: fee waivers on large transfers, a premium account package; success is their transaction value kept over the next quarter.`
        : `Relationship review: ${who} account for ${moved}, a median ${inr(p.monetaryTotal)} each against ${inr(base.medianMoney)} for all customers (the data does not say whether money came in or went out). Ask what they use the account for and offer the package that fits (fee waivers on regular transfers, a linked card); success is their transaction value kept over the next quarter.`;
    case 'digital starter':
      return `Digital starter: ${who}, median age ${num(p.age, 0)}, median balance ${inr(p.balance)}. Onboard them to the app with a zero-balance digital account and a small monthly recurring deposit while their banking habits form; success is active app users after 90 days.`;
    case 'savings habit':
      return `Savings habit: ${who} keep a median balance of ${inr(p.balance)} (they hold ${balances}). Nudge an automatic round-up or a monthly recurring deposit on low-cost channels; success is the median balance after three months.`;
    case 'low-cost service':
      return `Low-cost service: ${who} move a median ${inr(p.monetaryTotal)} each (${moved}). Serve them through digital self-service and keep paid outreach for other segments; success is the cost to serve per customer.`;
    case 'test and learn':
      return `Test and learn: ${who} (${balances}) have no trait that sets them apart. Test one offer on a random tenth (${count(Math.round(s.size / 10))} customers) against the rest before rolling it out.`;
  }
}
