"""
bankseg's k-means strategy (docs/data-model.md section 4; src/segment/kmeans.ts, select.ts, stability.ts) in numpy +
scikit-learn, for the benchmark's Polars reference: the same restarts on samples, the same adaptive number of
restarts, contests between near-equal solutions, the stability of the delivered partition and the sampled scores.
Only the random numbers differ (numpy's generator, not bankseg's), so the two agree as two honest runs of one method
do: inertia and silhouette within the bench's tolerances, not digit for digit.

Every fit is scikit-learn's (KMeans with init = given centroids, n_init = 1, Lloyd; kmeans_plusplus for the seeds),
and it uses scikit-learn's threads (OpenMP) as scikit-learn does by default.
"""
import json
import math

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.metrics import pairwise_distances_argmin_min

# src/segment/kmeans.ts KMEANS_DEFAULTS and stability.ts.
N_INIT = 8
MAX_RESTARTS = 24
MAX_ITER = 300
TOL = 1e-4
SAMPLE_SIZE = 20_000
SEEDING_SAMPLE_SIZE = 5_000
SCORING_SAMPLE_SIZE = 50_000
SCORING_SEED = 0x5C0E
EVALUATION_SEED = 0xE7A1
SILHOUETTE_SAMPLE_SIZE = 10_000
STABLE_ARI = 0.9
RIVAL_MARGIN = 0.01
CONFIRMATIONS = 3


def sample_distinct(n, m, seed):
    """m distinct indices of 0..n-1 in increasing order (all when m >= n), from a seeded generator."""
    if m >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=m, replace=False))


def lloyd(x, centers, tol=TOL, max_iter=MAX_ITER):
    """Lloyd's k-means on x from the given centroids: (centroids, labels, inertia, iterations)."""
    km = KMeans(n_clusters=len(centers), init=centers, n_init=1, max_iter=max_iter, tol=tol, algorithm='lloyd').fit(x)
    return km.cluster_centers_, km.labels_, float(km.inertia_), int(km.n_iter_)


def nearest(x, centers):
    """Labels of the nearest centroid and the inertia of that labelling."""
    labels, dist = pairwise_distances_argmin_min(x, centers)
    return labels, float(np.dot(dist, dist))


def sample_fit(z, k, seed, r):
    """Restart r: its own sample (20,000 customers, or half of them), k-means++ seeds on 5,000 of them, Lloyd on the sample."""
    rng = np.random.default_rng([seed, k, r])
    n = len(z)
    size = max(min(SAMPLE_SIZE, math.ceil(n / 2)), k)
    rows = z[sample_distinct(n, size, rng.integers(2 ** 32))]
    seeding = rows[sample_distinct(len(rows), max(SEEDING_SAMPLE_SIZE, k), rng.integers(2 ** 32))]
    centers, _ = kmeans_plusplus(seeding, k, random_state=int(rng.integers(2 ** 32)))
    # ml-kmeans, which bankseg seeds with, takes one Lloyd step on the seeding sample after k-means++.
    centers, _, _, _ = lloyd(seeding, centers, max_iter=1)
    centers, _, _, iterations = lloyd(rows, centers)
    return centers, iterations


def nearest_rival(inertias, labels, best, margin=RIVAL_MARGIN):
    """The lowest-inertia solution within `margin` of the best whose partition differs (ARI < 0.9): (gap, ari) or None."""
    rival = None
    for r, inertia in enumerate(inertias):
        if r == best:
            continue
        gap = inertia / inertias[best] - 1
        if not gap <= margin or (rival and gap >= rival[0]):
            continue
        ari = adjusted_rand_score(labels[r], labels[best])
        if ari < STABLE_ARI:
            rival = (max(0.0, gap), ari)
    return rival


def fit_detailed(z, k, seed, scoring):
    """
    kmeans.ts fitKMeansDetailed: at least N_INIT restarts, more (up to MAX_RESTARTS) until CONFIRMATIONS of them reach
    the best solution on the scoring sample or a rival appears; near-equal restarts that split the scoring sample
    differently are refined there and the lowest inertia wins; the chosen solution is refined on all customers.
    """
    restarts, scores, labels = [], [], []
    best = chosen = 0
    start = None
    verdict = {}
    rival = None
    confirmed = 0

    def near(r):
        return verdict.get(r) != 'worse' and scores[r] <= scores[best] * (1 + RIVAL_MARGIN)

    def agrees(r):
        return r == chosen or verdict.get(r) == 'same' or adjusted_rand_score(labels[r], labels[chosen]) >= STABLE_ARI

    for r in range(MAX_RESTARTS):
        centers, _ = sample_fit(z, k, seed, r)
        lab, inertia = nearest(scoring, centers)
        restarts.append(centers)
        labels.append(lab)
        scores.append(inertia)
        if scores[r] < scores[best]:
            best = chosen = r
            start = None
            verdict = {}
        if r + 1 < N_INIT:
            continue
        differing = [q for q in range(r + 1) if near(q) and not agrees(q)]
        if differing:
            ids = [chosen, *differing]
            refined = [lloyd(scoring, restarts[q]) for q in ids]
            w = min(range(len(ids)), key=lambda i: (refined[i][2], i))
            rival = nearest_rival([f[2] for f in refined], [f[1] for f in refined], w)
            if ids[w] != chosen:
                verdict = {}
            chosen = ids[w]
            start = refined[w][0]
            for i, q in enumerate(ids):
                if i == w:
                    continue
                same = refined[i][2] <= refined[w][2] * (1 + RIVAL_MARGIN) and adjusted_rand_score(refined[i][1], refined[w][1]) >= STABLE_ARI
                verdict[q] = 'same' if same else 'worse'
        confirmed = sum(1 for q in range(r + 1) if near(q) and agrees(q))
        if rival or confirmed >= CONFIRMATIONS:
            break
    centers, lab, inertia, iterations = lloyd(z, restarts[chosen] if start is None else start)
    return {
        'centers': centers, 'labels': lab, 'inertia': inertia, 'iterations': iterations,
        'restarts': restarts, 'scores': scores, 'chosen': chosen, 'confirmedBy': confirmed, 'rival': rival,
    }


def sweep(z, k_min, k_max, seed, silhouette_sample=SILHOUETTE_SAMPLE_SIZE):
    """
    select.ts sweepFits: every k of k_min..k_max fitted as above and scored: inertia, Davies-Bouldin, Calinski-Harabasz
    on all customers, silhouette and the stability of the delivered partition on one evaluation sample (fixed seed).
    Returns (scores per k, fits by k).
    """
    n = len(z)
    scoring = z[sample_distinct(n, SCORING_SAMPLE_SIZE, SCORING_SEED)]
    evaluation = sample_distinct(n, silhouette_sample, EVALUATION_SEED)
    ze = z[evaluation]
    out, fits = [], {}
    for k in range(k_min, k_max + 1):
        f = fit_detailed(z, k, seed, scoring)
        fits[k] = f
        delivered = f['labels'][evaluation]
        best = min(f['scores'])
        refits = [nearest(ze, c)[0] for r, c in enumerate(f['restarts'])
                  if r != f['chosen'] and f['scores'][r] <= best * (1 + RIVAL_MARGIN)]
        agreement = [adjusted_rand_score(lab, delivered) for lab in refits]
        stability = float(np.mean(agreement)) if agreement else math.nan
        rival = f['rival']
        out.append({
            'k': k,
            'inertia': f['inertia'],
            'silhouette': float(silhouette_score(ze, delivered)) if len(set(delivered)) > 1 else 0.0,
            'daviesBouldin': float(davies_bouldin_score(z, f['labels'])),
            'calinskiHarabasz': float(calinski_harabasz_score(z, f['labels'])),
            'stability': stability,
            'restarts': len(f['restarts']),
            'confirmedBy': f['confirmedBy'],
            'rivalGap': rival[0] if rival else None,
            'rivalAri': rival[1] if rival else None,
            'stable': bool(stability >= STABLE_ARI and rival is None and f['confirmedBy'] >= CONFIRMATIONS),
        })
    return out, fits


def converge(z, centers):
    """The delivered fit (src/segment/index.ts): Lloyd on all customers until no customer changes segment."""
    return lloyd(z, centers, tol=0)


def scores(z, labels, silhouette_sample=SILHOUETTE_SAMPLE_SIZE):
    """Silhouette on the evaluation sample, Davies-Bouldin and Calinski-Harabasz on all customers."""
    evaluation = sample_distinct(len(z), silhouette_sample, EVALUATION_SEED)
    return {
        'silhouette': float(silhouette_score(z[evaluation], labels[evaluation])),
        'daviesBouldin': float(davies_bouldin_score(z, labels)),
        'calinskiHarabasz': float(calinski_harabasz_score(z, labels)),
    }


def same_start(z, centroids_file):
    """
    What scikit-learn makes of bankseg's delivered centroids on this side's own model space z: the inertia of the
    nearest-centroid labelling (no iteration), and Lloyd started from them until no customer changes segment (tol=0),
    as bankseg's delivered fit: how many customers move. The same start leaves no room for a different local optimum,
    so the two must agree to rounding; k-means restarts on different random numbers need not.
    """
    with open(centroids_file, encoding='utf-8') as fh:
        flat = np.asarray(json.load(fh), dtype=np.float64)
    d = z.shape[1]
    if flat.size == 0 or flat.size % d:
        raise ValueError(f'{centroids_file}: {flat.size} centroid values do not make rows of {d} model features')
    c = flat.reshape(-1, d)
    start_labels, inertia_at_start = nearest(z, c)
    km = KMeans(n_clusters=len(c), init=c, n_init=1, tol=0, max_iter=MAX_ITER, algorithm='lloyd').fit(z)
    return {'sameStart': {
        'k': len(c),
        'inertiaAtStart': inertia_at_start,
        'inertiaRefined': float(km.inertia_),
        'iterations': int(km.n_iter_),
        'moved': int(np.count_nonzero(km.labels_ != start_labels)),
    }}
