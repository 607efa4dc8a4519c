/**
 * The parameters cell at the top of each notebook: the few things a reader changes to explore (the input file,
 * the number of segments, the model's features, the seed), checked and said back in one line, then handed to
 * `load` and `segment`. Edit the cell, then run it and everything below. The cell is tagged `parameters`, so
 * papermill can set them from outside too.
 */
import { DEFAULT_SEED } from '../config';
import { checkModelFeatures, DEFAULT_MODEL_FEATURES } from '../preprocess/feature_registry';
import type { ModelFeature } from '../preprocess/feature_registry';
import { checkSeed } from '../stats/random';
import { describeSource } from './data';

/** What a notebook runs with. Structurally a `SegmentOptions`, so `segment(features, params)` takes it as is. */
export interface NotebookParameters {
  /** A transactions CSV (plain or .gz, relative to the project root) read instead of BANKSEG_INPUT / BANKSEG_URL. */
  readonly input?: string;
  /** The number of segments, or `'auto'`: the k the sweep recommends. */
  readonly k: number | 'auto';
  /** The features of the model space. */
  readonly features: readonly ModelFeature[];
  /** Seeds k-means and every sample (a whole number in 0..2^32−1). */
  readonly seed: number;
}

/** What a parameters cell may set; anything left out takes the project's default. */
export interface ParameterChoices {
  readonly input?: string;
  readonly k?: number | 'auto';
  readonly features?: readonly string[];
  readonly seed?: number;
}

/**
 * The notebook's parameters, checked (one-line errors naming what is wrong and what is allowed), with the
 * project's defaults for what is not set, printed in one line. O(features).
 * @example const params = parameters({ k: 5 }); // k = 5, the registry's model features, seed 42
 */
export function parameters(choices: ParameterChoices = {}, env: NodeJS.ProcessEnv = process.env): NotebookParameters {
  const k = choices.k ?? 'auto';
  if (k !== 'auto' && !(Number.isInteger(k) && k >= 2)) throw new RangeError(`k must be 'auto' or a whole number ≥ 2, got ${JSON.stringify(k)}`);
  const features = choices.features ?? DEFAULT_MODEL_FEATURES;
  if (features.length === 0) throw new RangeError('features: the model needs at least one feature');
  checkModelFeatures(features);
  const seed = choices.seed ?? DEFAULT_SEED;
  checkSeed(seed);
  const input = choices.input?.trim() || undefined;
  if (choices.input !== undefined && !input) throw new RangeError('input: give a file path, or leave input out to use BANKSEG_INPUT / BANKSEG_URL');
  const params: NotebookParameters = Object.freeze({ ...(input ? { input } : {}), k, features: Object.freeze([...features]), seed });
  console.log(`Parameters: ${describeParameters(params, env)}`);
  return params;
}

/** The parameters in words, as printed by `parameters`. */
export function describeParameters(p: NotebookParameters, env: NodeJS.ProcessEnv = process.env): string {
  const from = p.input ? `input ${p.input}` : `input: ${describeSource(env)}`;
  const k = p.k === 'auto' ? "k 'auto' (the recommended number of segments)" : `k = ${p.k}`;
  return `${from}; ${k}; features ${p.features.join(', ')}; seed ${p.seed}`;
}
