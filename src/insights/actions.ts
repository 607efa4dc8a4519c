/**
 * A concrete recommended action per segment, chosen by rules from its profile and stated with the numbers behind it.
 *
 * Rules, first match wins (lifts in standard deviations, "index" = share of money or balances ÷ share of customers):
 *  1. lapsed (recency lift >= 0.5) and valuable (money or balance index >= 1.2) → win-back (reactivation with an offer)
 *  2. lapsed → low-cost reactivation (automated nudges)
 *  3. frequency lift >= 0.5 and at least the money lift → cross-sell (cards, autopay) on an existing habit
 *  4. money index >= 1.5 or money lift >= 0.5 → retention (reward and protect the big movers)
 *  5. balance index >= 1.5 or balance lift >= 0.5 → upsell (put idle balances to work: deposits, investments)
 *  6. age lift <= −0.5 → growth (digital onboarding, starter products)
 *  7. age lift >= 0.5 → deepen (senior-citizen deposits, assisted service)
 *  8. money lift <= −0.5 → share of wallet (move everyday payments to the bank)
 *  9. balance lift <= −0.5 → low-cost service with a savings nudge
 * 10. recency lift <= −0.5 → engage (recently active: offer the next product while attention is high)
 * 11. otherwise → nurture on low-cost channels and test offers
 */
import type { NumericFeature } from '../preprocess/feature_registry';
import { count, inr, num, pct } from '../format';
import type { SegmentFacts } from './types';
import { STRONG } from './naming';

/** Money or balance share at least this multiple of the customer share marks a valuable segment. */
export const VALUABLE_INDEX = 1.2;
/** … and at least this multiple marks where the money or balances concentrate. */
export const CONCENTRATED_INDEX = 1.5;

/** The action category of a segment (the rule that fired). */
export type ActionKind =
  | 'win-back'
  | 'reactivation'
  | 'retention'
  | 'upsell'
  | 'cross-sell'
  | 'growth'
  | 'deepen'
  | 'share of wallet'
  | 'savings nudge'
  | 'engage'
  | 'nurture';

const lift = (f: SegmentFacts, feature: NumericFeature): number => f.lift[feature] ?? 0;

/** Share of money (or balances) per share of customers: 2 means twice its weight. */
export function valueIndex(f: Pick<SegmentFacts, 'share' | 'monetaryShare' | 'balanceShare'>): { money: number; balance: number } {
  return {
    money: f.share > 0 ? f.monetaryShare / f.share : 0,
    balance: f.share > 0 ? f.balanceShare / f.share : 0,
  };
}

/** Which rule fires for the segment (see the module comment). */
export function actionKind(f: SegmentFacts): ActionKind {
  const index = valueIndex(f);
  const lapsed = lift(f, 'recencyDays') >= STRONG;
  const moneyLift = Math.max(lift(f, 'monetaryTotal'), lift(f, 'monetaryMean'));
  if (lapsed && (index.money >= VALUABLE_INDEX || index.balance >= VALUABLE_INDEX)) return 'win-back';
  if (lapsed) return 'reactivation';
  if (lift(f, 'frequency') >= STRONG && lift(f, 'frequency') >= moneyLift) return 'cross-sell';
  if (index.money >= CONCENTRATED_INDEX || moneyLift >= STRONG) return 'retention';
  if (index.balance >= CONCENTRATED_INDEX || lift(f, 'balance') >= STRONG) return 'upsell';
  if (lift(f, 'age') <= -STRONG) return 'growth';
  if (lift(f, 'age') >= STRONG) return 'deepen';
  if (Math.min(lift(f, 'monetaryTotal'), lift(f, 'monetaryMean')) <= -STRONG) return 'share of wallet';
  if (lift(f, 'balance') <= -STRONG) return 'savings nudge';
  if (lift(f, 'recencyDays') <= -STRONG) return 'engage';
  return 'nurture';
}

/** The recommended action for a segment, one or two sentences with its numbers. */
export function recommendAction(f: SegmentFacts): string {
  const p = f.profile;
  const who = `${count(f.size)} customers (${pct(f.share)})`;
  const carries = `move ${pct(f.monetaryShare)} of the money and hold ${pct(f.balanceShare)} of balances`;
  const idle = `${num(p.recencyDays, 0)} days`;
  switch (actionKind(f)) {
    case 'win-back':
      return `Win-back: ${who} ${carries}, but their last transaction was a median ${idle} before the end of the data; call or message them with a personal offer (fee waiver, bonus deposit rate) before the balance (median ${inr(p.balance)}) leaves.`;
    case 'reactivation':
      return `Reactivation: ${who} have been idle a median ${idle} and spend a median ${inr(p.monetaryMean)} per transaction; send automated app/SMS nudges with cashback on the next transaction and stop paid outreach for those who do not respond.`;
    case 'retention':
      return `Retention: ${who} ${carries} (median ${inr(p.monetaryTotal)} moved, ${inr(p.monetaryMean)} per transaction); protect them with a premium card, cashback on large payments and a relationship manager, and watch their activity monthly for early churn.`;
    case 'upsell':
      return `Upsell: ${who} hold ${pct(f.balanceShare)} of balances (median ${inr(p.balance)}) but move ${pct(f.monetaryShare)} of the money; offer fixed deposits, mutual funds or a sweep-in account to put idle balances to work.`;
    case 'cross-sell':
      return `Cross-sell: ${who} transact a median ${p.frequency} times and ${carries}; build on the habit with a credit card, UPI autopay and rewards on recurring payments.`;
    case 'growth':
      return `Growth: ${who}, median age ${num(p.age, 0)}, median balance ${inr(p.balance)}; onboard them to digital savings goals, a starter credit card and small monthly SIPs while their banking habits form.`;
    case 'deepen':
      return `Deepen: ${who}, median age ${num(p.age, 0)}, median balance ${inr(p.balance)}; offer senior-citizen deposit rates, pension and health-insurance products with assisted (branch/phone) service.`;
    case 'share of wallet':
      return `Share of wallet: ${who} ${carries}, with small payments (median ${inr(p.monetaryMean)} per transaction); reward everyday use (UPI and bill-pay cashback above a monthly threshold) to move more of their spending to the bank.`;
    case 'savings nudge':
      return `Savings nudge: ${who} keep a median balance of ${inr(p.balance)}; serve them on low-cost digital channels and nudge a savings habit (round-up or auto-sweep into a recurring deposit).`;
    case 'engage':
      return `Engage: ${who} transacted a median ${idle} before the end of the data and ${carries}; use the moment with in-app offers tied to their last payment (card upgrade, recurring deposit) and measure the take-up against a hold-out group.`;
    case 'nurture':
      return `Nurture: ${who} ${carries}, with no strongly distinctive trait; keep them on low-cost digital channels and test one upsell offer on a small random group to measure uplift before rolling it out.`;
  }
}
