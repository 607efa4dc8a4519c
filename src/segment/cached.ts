/**
 * The segmentation from the stage cache (src/io/cache.ts): `segmentCustomers` (the k sweep and the final fit, the
 * expensive part: ~10 s at 884k customers) computed once per feature table, options and segmentation code:
 *   data/processed/segment-<hash>/ segmentation.arrow, manifest.json
 * The features are keyed by content (an O(n) hash of every column, ~0.1 s for 900k customers), so the entry follows
 * whatever produced them; the code is src/segment/index.ts with everything it imports, so editing a naming rule or
 * a figure keeps the entry. Names, actions and profiles are derived afterwards (src/insights/), never cached.
 */
import * as crypto from 'node:crypto';
import { decodeTable, encodeTable } from '../io/arrow';
import type { ColumnValue } from '../io/arrow';
import { cachedStage } from '../io/cache';
import type { CacheOptions, CacheStatus } from '../io/cache';
import { toJson } from '../io/json';
import { FEATURE_NAMES } from '../preprocess/feature_registry';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { keysJoined } from '../table';
import type { DictColumn } from '../table';
import { segmentCustomers } from './index';
import type { SegmentOptions } from './index';
import type { Segmentation } from './types';

export type CachedSegmentation = Segmentation & { readonly cache: CacheStatus };

/** The module whose code (with its imports) the segmentation entries are keyed on. */
export const SEGMENT_MODULE = 'src/segment/index.ts';

/**
 * `segmentCustomers(features, opts)`, from the cache when the same features, options and segmentation code were
 * seen before. Callbacks in `opts` (progress) do not take part in the key.
 */
export function cachedSegmentation(features: CustomerFeatures, opts: SegmentOptions = {}, cache: CacheOptions = {}): Promise<CachedSegmentation> {
  return cachedSegmentationWith(features, opts, segmentCustomers, cache);
}

/** `cachedSegmentation` with the segmentation function given (tests pass a stub); options are keyed by their JSON. */
export async function cachedSegmentationWith<O>(
  features: CustomerFeatures,
  opts: O,
  compute: (features: CustomerFeatures, opts: O) => Segmentation | Promise<Segmentation>,
  cache: CacheOptions = {},
): Promise<CachedSegmentation> {
  const { result, status } = await cachedStage<Segmentation>(
    {
      kind: 'segment',
      module: SEGMENT_MODULE,
      inputs: [featuresDigest(features), toJson(opts ?? null)],
      folders: { 'data/processed': ['segmentation.arrow'] },
      manifest: { features: features.n, options: opts ?? null },
      compute: () => compute(features, opts),
      encode: (seg) => ({ 'data/processed': { 'segmentation.arrow': encodeSegmentation(seg) } }),
      decode: (read) => decodeSegmentation(read('data/processed', 'segmentation.arrow')),
    },
    cache,
  );
  return { ...result, cache: status };
}

/** A hash of every value of the customer features (typed-array bytes, ids, dictionaries). O(n). */
export function featuresDigest(f: CustomerFeatures): string {
  const hash = crypto.createHash('sha256');
  const bytes = (a: ArrayBufferView) => hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const dict = (d: DictColumn) => {
    bytes(d.codes);
    hash.update(d.values.join('\0')).update('\u0001');
  };
  hash.update(`${f.n}\0${f.endDate}\0`);
  // The key texts joined by NUL, made 65,536 at a time (the keys may be numbers, their texts made on demand).
  for (let start = 0; start < f.customerId.length; start += 65_536) {
    hash.update((start > 0 ? '\0' : '') + keysJoined(f.customerId, start, Math.min(start + 65_536, f.customerId.length), '\0'));
  }
  hash.update('\u0001');
  for (const name of FEATURE_NAMES) {
    const column = f[name];
    if (column instanceof Float64Array) bytes(column);
    else dict(column);
  }
  return hash.digest('hex');
}

/** The segmentation as one row per customer (segment label, z coordinates); everything small in the metadata. */
export function encodeSegmentation(seg: Segmentation): Uint8Array {
  const { n, d, features } = seg.space;
  const columns: Record<string, ColumnValue> = { segment: seg.fit.labels };
  for (let j = 0; j < d; j++) {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = seg.space.X[i * d + j];
    columns[`z_${features[j]}`] = z;
  }
  const meta = { ...seg, space: { ...seg.space, X: null }, fit: { ...seg.fit, labels: null } };
  return encodeTable(columns, meta);
}

/** Inverse of `encodeSegmentation`. O(n·d). */
export function decodeSegmentation(bytes: Uint8Array): Segmentation {
  const t = decodeTable(bytes);
  const meta = t.meta as Segmentation;
  const { n, d, features } = meta.space;
  const X = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const z = t.f64(`z_${features[j]}`);
    for (let i = 0; i < n; i++) X[i * d + j] = z[i];
  }
  return { ...meta, space: { ...meta.space, X }, fit: { ...meta.fit, labels: t.i32('segment') } };
}
