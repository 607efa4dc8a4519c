/**
 * Drift of new data from a saved model's training data, the way banks monitor models: the population stability index
 * (stats/psi.ts) of every model feature, over the training bins the model holds, and of the segment shares; each
 * with its reading (< 0.1 stable, 0.1–0.25 watch, > 0.25 refit), the PSI sampling alone would give at these sizes,
 * and one recommendation in one line.
 */
import { count, num } from '../format';
import { featureWords } from '../preprocess/feature_registry';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import type { SegmentModel } from '../model/model';
import { binCounts, labelCounts, psi, psiNoise, psiReading, PSI_REFIT, PSI_STABLE } from '../stats/psi';
import type { PsiReading } from '../stats/psi';

/** One bin of a PSI: its label and the training and new customers in it. */
export interface PsiBin {
  readonly bin: string;
  readonly training: number;
  readonly current: number;
}

/** The PSI of one variable (a model feature, or the segment shares). */
export interface VariableDrift {
  /** A model feature's name, or `segment shares`. */
  readonly variable: string;
  readonly psi: number;
  readonly reading: PsiReading | undefined;
  /** The PSI sampling alone gives on average at these sizes (stats/psi.ts psiNoise). */
  readonly noise: number;
  readonly bins: readonly PsiBin[];
}

export interface Drift {
  readonly features: readonly VariableDrift[];
  readonly segments: VariableDrift;
  /** The recommendation, one line: keep the model, watch, or refit, and why. */
  readonly recommendation: string;
  /** The overall reading: the worst one. */
  readonly reading: PsiReading | undefined;
}

const money = (x: number): string => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(4))));

/** Labels of the bins a model's reference cut points make (x ≤ c₁, c₁ < x ≤ c₂, …, x > c_m, missing). */
export function binLabels(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['all', 'missing'];
  const labels = [`≤ ${money(cuts[0])}`];
  for (let j = 1; j < cuts.length; j++) labels.push(`${money(cuts[j - 1])}–${money(cuts[j])}`);
  labels.push(`> ${money(cuts[cuts.length - 1])}`, 'missing');
  return labels;
}

function variableDrift(variable: string, labels: readonly string[], training: readonly number[], current: readonly number[]): VariableDrift {
  const value = psi(training, current);
  const nTraining = training.reduce((a, b) => a + b, 0);
  const nCurrent = current.reduce((a, b) => a + b, 0);
  const bins = training.filter((c) => c > 0).length;
  return {
    variable,
    psi: value,
    reading: psiReading(value),
    noise: psiNoise(bins, nTraining, nCurrent),
    bins: labels.map((bin, b) => ({ bin, training: training[b], current: current[b] })),
  };
}

/**
 * The PSI of every model feature (over the model's training bins, missing values as a bin of their own) and of the
 * segment shares (`labels`: the segments of the new customers), with their readings and the recommendation. O(n·d).
 */
export function measureDrift(model: SegmentModel, features: CustomerFeatures, labels: Int32Array): Drift {
  const featureDrift = model.features.map((f) =>
    variableDrift(f.name, binLabels(f.reference.cuts), f.reference.counts, binCounts(features[f.name], f.reference.cuts)),
  );
  const segments = variableDrift(
    'segment shares',
    model.segments.map((s) => `${s.id} ${s.name}`),
    model.segments.map((s) => s.customers),
    labelCounts(labels, model.k),
  );
  return { features: featureDrift, segments, ...recommend([...featureDrift, segments], features.n) };
}

const READING_ORDER: readonly (PsiReading | undefined)[] = [undefined, 'stable', 'watch', 'refit'];

/** `balance (0.41)`: a variable and its PSI, in words. */
function named(v: VariableDrift): string {
  const what = v.variable === 'segment shares' ? 'the segment shares' : featureWords(v.variable);
  return `${what} (${num(v.psi, 3)})`;
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The worst reading and the one-line recommendation. */
function recommend(all: readonly VariableDrift[], customers: number): { reading: PsiReading | undefined; recommendation: string } {
  if (customers === 0) return { reading: undefined, recommendation: 'No customers to compare: the drift cannot be measured.' };
  const reading = all.reduce<PsiReading | undefined>((worst, v) => (READING_ORDER.indexOf(v.reading) > READING_ORDER.indexOf(worst) ? v.reading : worst), undefined);
  const of = (r: PsiReading) => all.filter((v) => v.reading === r).sort((a, b) => b.psi - a.psi).map(named);
  const noise = Math.max(...all.map((v) => v.noise));
  const small = noise >= PSI_STABLE / 2 ? ` (with ${count(customers)} customers, sampling alone gives a PSI of about ${num(noise, 2)}: read it with care)` : '';
  if (reading === 'refit') {
    return {
      reading,
      recommendation: `Refit: PSI above ${PSI_REFIT} for ${list(of('refit'))}; the population has moved too far from the training data for its segments to mean what they meant${small}.`,
    };
  }
  if (reading === 'watch') {
    return {
      reading,
      recommendation: `Watch: PSI between ${PSI_STABLE} and ${PSI_REFIT} for ${list(of('watch'))}; keep the model, and refit if it grows next period${small}.`,
    };
  }
  const largest = [...all].sort((a, b) => b.psi - a.psi)[0];
  return { reading, recommendation: `Keep the model: every PSI is below ${PSI_STABLE} (largest: ${named(largest)})${small}.` };
}
