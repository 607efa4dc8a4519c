/**
 * A saved model's scoring as SQL: the transform of each model feature and the distances to the k centroids as
 * expressions over the per-customer aggregate (features.ts), the nearest centroid, the RFM segment by the model's
 * cut points, and the statement that writes every customer's segment into a table. The TypeScript twin, which the
 * tests hold this equal to customer by customer, is src/model/score.ts (docs/model.md, "The transform").
 *
 * Per model feature j and customer (x the feature's value, NULL when unknown):
 *   t_j = median_j if x is NULL, else (log1p'd features) CASE WHEN x > 0 THEN ln(1 + x) ELSE 0 END, else x
 *   z_j = (t_j − mean_j) / std_j
 *   d²_c = Σ_j (z_j − centroid_c,j)², added in feature order as the TypeScript loop adds them
 * segment = the c of the smallest d²_c (a tie to the lower c), distance = sqrt(d²_segment).
 *
 * Where it runs (docs/database.md): the z_j and every d²_c are in the select list of the per-customer aggregate, so
 * on a sharded table postgres_fdw sends them to the shards with the aggregate (partitionwise); the smallest of the k
 * numbers is taken with LEAST, which postgres_fdw does not ship, so on the coordinator as each customer's row arrives
 * (O(k)), with the segment name and the key's text (date formatting does not ship either).
 *
 * Same arithmetic as TypeScript, in the same order, on IEEE doubles, so distances agree to the last bits; the one
 * difference is ln(1 + x) for log1p(x) (PostgreSQL has no log1p), which can move the last bit of a coordinate.
 */
import { rfmSegmentOf, RFM_BINS, RFM_SEGMENTS } from '../../insights/rfm';
import type { ModelFeature } from '../../preprocess/feature_registry';
import { GENDERS } from '../../table';
import { numericFeatureSql } from './features';
import type { FeatureInputs } from './features';
import { sqlTable, TableName } from './connection';
import { BIRTH_DAY, float8Literal, GENDER_CODE, KEPT, sourceRowsSql } from './rules_sql';

/** What scoring reads of a saved model (model.json, docs/model.md): a SegmentModel is one. */
export interface ScoringModel {
  readonly k: number;
  /** The model features in centroid-coordinate order, each with its transform. */
  readonly features: readonly {
    readonly name: ModelFeature;
    readonly log1p: boolean;
    readonly median: number;
    readonly mean: number;
    readonly std: number;
  }[];
  readonly segments: readonly { readonly id: number; readonly name: string; readonly centroid: readonly number[] }[];
  /** The training caps (INR; null: none), applied to the new rows as they are. */
  readonly cleaning: { readonly caps: { readonly amount: number | null; readonly balance: number | null } };
  /** RFM cut points of R (recency, days; lower is better) and M (money moved; higher is better), RFM_BINS − 1 each. */
  readonly rfm: { readonly recencyCuts: readonly (number | null)[]; readonly monetaryCuts: readonly (number | null)[] };
}

/** The caps of `model` as the features statement takes them (NaN: nothing capped). */
export function modelCaps(model: ScoringModel): Pick<FeatureInputs, 'amountCap' | 'balanceCap'> {
  const cap = (x: number | null) => (x === null ? NaN : x);
  return { amountCap: cap(model.cleaning.caps.amount), balanceCap: cap(model.cleaning.caps.balance) };
}

/** A SQL text literal. Model names are bankseg's own words, but quote them properly anyway. */
function textLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** z_j of `feature` for the customer whose value is the float8 expression `x` (see the module comment). */
export function coordinateSql(feature: ScoringModel['features'][number], x: string): string {
  const t = feature.log1p ? `CASE WHEN ${x} > 0 THEN ln(1 + ${x}) ELSE 0 END` : x;
  return `((CASE WHEN ${x} IS NULL THEN ${float8Literal(feature.median)} ELSE ${t} END - ${float8Literal(feature.mean)}) / ${float8Literal(feature.std)})`;
}

/** d²_c: the squared distance of the coordinates `z` (SQL expressions) to centroid c, summed in feature order. */
export function squaredDistanceSql(z: readonly string[], centroid: readonly number[]): string {
  return z.map((zj, j) => `(${zj} - ${float8Literal(centroid[j])}) * (${zj} - ${float8Literal(centroid[j])})`).join('\n           + ');
}

/** The RFM score 1..RFM_BINS of the value `x` by cut points (a cut reached counts one; see insights/rfm.ts). */
function rfmScoreSql(x: string, cuts: readonly (number | null)[], higherIsBetter: boolean): string {
  const reached = cuts.filter((c): c is number => c !== null).map((c) => `CASE WHEN ${x} ${higherIsBetter ? '>=' : '<='} ${float8Literal(c)} THEN 1 ELSE 0 END`);
  return `(1${reached.map((r) => ` + ${r}`).join('')})`;
}

/**
 * The RFM segment's position (1-based) in rfmSegmentTable's array, from recency, frequency and money moved: one
 * integer, (repeat · RFM_BINS + R − 1) · RFM_BINS + M, so that the rules themselves stay in insights/rfm.ts.
 */
function rfmIndexSql(model: ScoringModel, recency: string, frequency: string, monetary: string): string {
  const r = rfmScoreSql(recency, model.rfm.recencyCuts, false);
  const m = rfmScoreSql(monetary, model.rfm.monetaryCuts, true);
  return `((CASE WHEN ${frequency} >= 2 THEN 1 ELSE 0 END * ${RFM_BINS} + ${r} - 1) * ${RFM_BINS} + ${m})`;
}

/** The named RFM segment of every (repeat, R, M), in rfmIndexSql's order, as a SQL text array. */
function rfmSegmentTable(): string {
  const names: string[] = [];
  for (const repeat of [false, true]) {
    for (let r = 1; r <= RFM_BINS; r++) for (let m = 1; m <= RFM_BINS; m++) names.push(RFM_SEGMENTS[rfmSegmentOf(r, m, repeat)]);
  }
  return `ARRAY[${names.map(textLiteral).join(', ')}]::text[]`;
}

/**
 * The scoring statement's per-customer part: one row per customer with kept rows, grouped by the customer key (so
 * partitionwise on a table sharded by customer), with the key's parts, d2_0 … d2_{k−1} and the RFM index.
 */
export function scoredCustomersSql(table: TableName, model: ScoringModel, inputs: FeatureInputs): string {
  const features = numericFeatureSql(inputs);
  const value = (name: ModelFeature): string => `(${features[name]})::float8`;
  const z = model.features.map((f) => coordinateSql(f, value(f.name)));
  const distances = model.segments.map((s) => `(${squaredDistanceSql(z, s.centroid)}) AS d2_${s.id}`);
  const rfm = rfmIndexSql(model, value('recencyDays'), value('frequency'), value('monetaryTotal'));
  return `SELECT s.customer_id,
         ${BIRTH_DAY} AS birth_day,
         ${GENDER_CODE} AS gender_key,
         ${distances.join(',\n         ')},
         ${rfm} AS rfm_index
    FROM ${sourceRowsSql(sqlTable(table))}
   WHERE s.readable
   GROUP BY s.customer_id, ${BIRTH_DAY}, ${GENDER_CODE}
  HAVING count(*) FILTER (WHERE ${KEPT}) > 0`;
}

/**
 * The whole assignment as one SELECT: per customer its key (text `CustomerID|YYYY-MM-DD|G` and the CustomerID), the
 * segment id and name, the distance to its centroid and the RFM segment; the columns of CUSTOMER_SEGMENTS_COLUMNS.
 * The nearest centroid is LEAST over the arrays [d²_c, c]: arrays compare element by element, so the smallest
 * distance wins and a tie goes to the lower c, as in TypeScript's strict `<` over c = 0, 1, ….
 */
export function assignmentSql(table: TableName, model: ScoringModel, inputs: FeatureInputs): string {
  const best = `LEAST(${model.segments.map((s) => `ARRAY[c.d2_${s.id}, ${s.id}]`).join(', ')})`;
  const names = `ARRAY[${model.segments.map((s) => textLiteral(s.name)).join(', ')}]::text[]`;
  const gender = `CASE c.gender_key ${GENDERS.map((g, i) => `WHEN ${i} THEN '${g}'`).join(' ')} ELSE '?' END`;
  return `SELECT c.customer_id || '|' || CASE WHEN c.birth_day IS NULL THEN '?' ELSE to_char(DATE '1970-01-01' + c.birth_day, 'YYYY-MM-DD') END
              || '|' || ${gender} AS customer,
       c.customer_id,
       b.best[2]::int4 AS segment,
       (${names})[b.best[2]::int4 + 1] AS segment_name,
       sqrt(b.best[1]) AS distance,
       (${rfmSegmentTable()})[c.rfm_index] AS rfm_segment
  FROM (
${scoredCustomersSql(table, model, inputs)}
  ) c
  CROSS JOIN LATERAL (SELECT ${best} AS best) b`;
}

/** The columns of a customer_segments table, in order, with their types. */
export const CUSTOMER_SEGMENTS_COLUMNS = [
  ['customer', 'text NOT NULL'],
  ['customer_id', 'text NOT NULL'],
  ['segment', 'integer NOT NULL'],
  ['segment_name', 'text NOT NULL'],
  ['distance', 'double precision NOT NULL'],
  ['rfm_segment', 'text NOT NULL'],
] as const;
