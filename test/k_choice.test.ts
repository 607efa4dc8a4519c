/**
 * Another k than the recommended one never reads as the recommendation: the sentence (kChoice) and the k-selection
 * figure show the k in use and, separately, the recommended one. Expected strings written out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kChoice } from '../src/segment/k_choice';
import { kSelection } from '../src/visualize/segments';
import { SWEEP } from './helpers/figure_input';

const REASON = { k: 3, reason: 'k = 3 is next to the inertia elbow.' };

test('kChoice: the k in use, and the recommended one with its reason, in Markdown and in text', () => {
  assert.equal(kChoice(3, REASON), '**k = 3**, the recommended number of segments: k = 3 is next to the inertia elbow.');
  assert.equal(kChoice(4, REASON), '**k = 4**, as requested; the sweep recommends **k = 3**: k = 3 is next to the inertia elbow.');
  assert.equal(kChoice(3, REASON, 'text'), 'k = 3 in use, as recommended: k = 3 is next to the inertia elbow.');
  assert.equal(kChoice(4, REASON, 'text'), 'k = 4 in use, as requested. Recommended: k = 3 is next to the inertia elbow.');
  // A reason that does not name its k: the k is said in front of it; no reason, just the k.
  assert.equal(kChoice(2, { k: 3, reason: 'best silhouette' }, 'text'), 'k = 2 in use, as requested. Recommended k = 3: best silhouette');
  assert.equal(kChoice(3, { k: 3, reason: 'best silhouette' }, 'text'), 'k = 3 in use, as recommended: best silhouette');
  assert.equal(kChoice(2, { k: 3 }), '**k = 2**, as requested; the sweep recommends **k = 3**');
});

test('kSelection marks the recommended k (dashed) and, when another, the k in use (solid), and says which is which', () => {
  const same = kSelection(SWEEP, REASON);
  const labels = (fig: typeof same) => (fig.layout.annotations as { text: string }[]).map((a) => a.text);
  const lines = (fig: typeof same) => (fig.layout.shapes as { x0: number; line: { dash: string } }[]).map((s) => [s.x0, s.line.dash]);
  const subtitle = (fig: typeof same) => (fig.layout.title as { subtitle: { text: string } }).subtitle.text.replace(/<br>/g, ' ');
  assert.deepEqual(labels(same), ['<b>recommended k = 3</b>']);
  assert.deepEqual(lines(same), [[3, 'dash']]);
  assert.equal(subtitle(same), 'k = 3 in use, as recommended: k = 3 is next to the inertia elbow.');

  const other = kSelection(SWEEP, REASON, 4);
  assert.deepEqual(labels(other), ['<b>recommended k = 3</b>', '<b>in use k = 4</b>']);
  assert.deepEqual(lines(other), [[3, 'dash'], [4, 'solid']]);
  assert.equal(subtitle(other), 'k = 4 in use, as requested. Recommended: k = 3 is next to the inertia elbow.');
  // Both points stand out on every panel: k = 3 (recommended) and k = 4 (in use), k = 2 does not.
  assert.deepEqual((other.data[0] as { marker: { size: number[] } }).marker.size, [9, 15, 15]);
});
