/**
 * Is the delivered partition reproducible? Checks about the fit that is delivered, not about pairs of restarts.
 * Every restart of a fit is an independent refit: k-means++ and Lloyd on its own random sample of customers
 * (20,000, or half of them), with its own seed.
 *
 * - **found reliably**: at least CONFIRMATIONS restarts (the delivered one included) reach the delivered solution,
 *   i.e. come within RIVAL_MARGIN of its inertia with the same partition. Restarts that end in a clearly worse local
 *   optimum (more than 1% worse) are what the best-of-restarts rule exists to discard; they do not count against it.
 * - **refit agreement**: the refits within RIVAL_MARGIN of the best inertia label an evaluation sample; each is
 *   compared with the delivered labels of the same customers by the adjusted Rand index (1 = the same segments).
 *   Low agreement means equally good fits on other samples give other segments.
 * - **no rival**: no different partition (ARI < STABLE_ARI with the delivered one) lies within RIVAL_MARGIN of its
 *   inertia. k-means cannot choose between such solutions on its own criterion, so which one is delivered is luck.
 *
 * A k is stable when all three hold.
 */
import { adjustedRandIndex } from '../stats/ari';
import { createRng } from '../stats/random';

/** Agreement (ARI) the refits must reach on average, and below which two solutions are "different". */
export const STABLE_ARI = 0.9;
/** Solutions within this relative inertia of each other are near-equal for k-means (1%). */
export const RIVAL_MARGIN = 0.01;
/** Restarts that must find the delivered solution (it included) before it counts as found reliably. */
export const CONFIRMATIONS = 3;

/** A different solution of nearly the same inertia. */
export interface Rival {
  /** Its inertia relative to the delivered one, minus 1 (0.0025 = 0.25% worse) on the sample that compared them. */
  readonly inertiaGap: number;
  /** ARI between it and the delivered solution. */
  readonly ari: number;
}

/**
 * The ARI between each refit's labels of the evaluation rows and the delivered labels of the same rows.
 * O(refits · m).
 */
export function refitAgreement(delivered: Int32Array, refits: readonly Int32Array[]): number[] {
  return refits.map((labels) => adjustedRandIndex(labels, delivered));
}

/** Mean of the refit agreements; NaN when there are none. */
export function meanAgreement(agreement: readonly number[]): number {
  return agreement.length === 0 ? NaN : agreement.reduce((s, a) => s + a, 0) / agreement.length;
}

/**
 * The lowest-inertia solution that differs from the best one (ARI < STABLE_ARI) while its inertia is within
 * `margin` of it, among solutions given by their inertias and labels of the same rows; undefined when there is none.
 * O(solutions · m).
 */
export function nearestRival(
  inertias: readonly number[],
  labels: readonly Int32Array[],
  best: number,
  margin = RIVAL_MARGIN,
): Rival | undefined {
  let rival: Rival | undefined;
  for (let r = 0; r < inertias.length; r++) {
    if (r === best) continue;
    const gap = inertias[r] / inertias[best] - 1;
    if (!(gap <= margin) || (rival && gap >= rival.inertiaGap)) continue;
    const ari = adjustedRandIndex(labels[r], labels[best]);
    if (ari < STABLE_ARI) rival = { inertiaGap: Math.max(0, gap), ari };
  }
  return rival;
}

/** Whether a k passes the three checks (see the module comment). NaN agreement (not measured) does not pass. */
export function isStable(agreement: number, rival: Rival | undefined, confirmedBy: number): boolean {
  return agreement >= STABLE_ARI && rival === undefined && confirmedBy >= CONFIRMATIONS;
}

/**
 * Two disjoint halves of 0..n−1 drawn at random (sizes ⌊n/2⌋ and ⌈n/2⌉), each in increasing order. O(n).
 */
export function splitHalves(n: number, seed: number): [Int32Array, Int32Array] {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const half = n >> 1;
  return [order.slice(0, half).sort(), order.slice(half).sort()];
}
