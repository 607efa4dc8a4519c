"""
The bankseg pipeline in pandas + scikit-learn as a usual notebook writes it: the benchmark's "usual" reference
(bench/polars_reference.py is the strong one, with bankseg's own k-means strategy).

It follows docs/data-model.md exactly (the contract the TypeScript side implements too): the reading rules (a record
is one line, plausible values; reading_rules.py), cleaning rules 1-10 with the customer key, the customer features
and the model space. Then it does what a notebook usually does: scikit-learn's KMeans with n_init restarts, every one
on all customers, for each k of the sweep and again for the final k, and the sampled silhouette. pandas reads every
column as text (pandas 3: Arrow strings), the rules are vectorized string functions and numpy, dates are parsed once
per distinct text; the few lines pandas' reader cannot be told about (quotes, a wrong field count) are sorted out first.

Usage: .venv/bin/python bench/reference.py --input FILE [--k 4] [--n-init 8] [--seed 42] [--sample 10000]
       [--k-min 2] [--k-max 10] [--cap-quantile 0.999] [--top-locations 10] [--as-of YYYY-MM-DD]
       [--dump-features FILE]
Prints one JSON line on stdout: {stages, total, maxRssMB, rowsKept, customers, featureSums, ...}.
"""
import time

_T_START = time.perf_counter()

import argparse
import csv
import datetime
import io
import json
import math
import resource
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

import reading_rules as rules
from sampled_kmeans import same_start
from reading_rules import AMOUNT, BALANCE, CUST, DATE, DOB, GENDER, ID, LOCATION, SOURCE_COLUMNS, TIME, InputError

_T_IMPORTED = time.perf_counter()

# The lists of src/preprocess/feature_registry.ts (test/feature_registry.test.ts checks they agree).
NUMERIC_FEATURES = ['recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age']
MODEL_FEATURES = ['recencyDays', 'monetaryTotal', 'balance', 'age']
LOG_FEATURES = ['monetaryTotal', 'monetaryMean', 'balance']
GENDERS = ['F', 'M']
MAX_AGE = 100
MIN_AGE = 10  # rule 5: younger is too young to transact alone (RBI, 2014)
ADULT_AGE = 18
TIME_OF_DAY = ['night', 'morning', 'afternoon', 'evening']


# ---------------------------------------------------------------------------------------------------------
# Reading (docs/data-model.md section 1; the per-line and per-value rules are in reading_rules.py)
# ---------------------------------------------------------------------------------------------------------

def _line_bounds(a):
    """Start and end (exclusive, without the `\n`) of every line of the byte array `a`. O(bytes) in numpy."""
    ends = np.flatnonzero(a == 10)
    if len(a) and a[-1] != 10:
        ends = np.append(ends, len(a))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    return starts, ends


def _lines_of(a, positions, ends):
    """The line index of each byte position."""
    return np.searchsorted(ends, positions, side='left')


def split_records(path):
    """
    A record is one line (docs/data-model.md section 1), which pandas' CSV reader cannot be told: it lets a quoted value
    run over line ends and pads short rows. So the lines are sorted out first, vectorized over the bytes: lines with
    no quote, no lone CR and the header's number of commas go to pandas as they are; the rest (a few) are read by
    reading_rules.split_line: blank ones hold no record, malformed ones are counted, the others become rows.
    Returns (source for pandas (a path or a bytes buffer holding the header and the plain lines), line index of each of
    its data rows, the other rows as {line index: fields}, the column layout, the malformed count).
    """
    data, same = rules.utf8_text(path)
    a = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _line_bounds(a)
    text_of = lambda i: data[starts[i]:ends[i]].decode('utf-8')
    long_lines = np.flatnonzero(ends - starts > rules.MAX_ROW_CHARS)
    for i in long_lines:
        if len(text_of(i)) > rules.MAX_ROW_CHARS:
            raise InputError(f'{path}:{i + 1}: line longer than {rules.MAX_ROW_CHARS} characters (not a transactions file, or line ends other than \\n?)')
    h = 0
    while h < len(starts) and rules.is_blank(text_of(h)):
        h += 1
    if h == len(starts):
        raise InputError(f'{path}: file is empty')
    names = rules.header_fields(path, text_of(h), h + 1)
    layout = rules.header_layout(path, names, h + 1)
    commas = np.diff(np.concatenate(([0], np.searchsorted(np.flatnonzero(a == 44), ends))))
    special = commas != len(names) - 1
    special[_lines_of(a, np.flatnonzero(a == 34), ends)] = True
    cr = np.flatnonzero(a == 13)
    lone_cr = cr[(cr + 1 < len(a)) & (a[np.minimum(cr + 1, len(a) - 1)] != 10) | (cr + 1 == len(a))]
    special[_lines_of(a, lone_cr, ends)] = True
    special[:h + 1] = False
    other_rows, malformed = {}, 0
    for i in np.flatnonzero(special):
        line = text_of(i)
        if rules.is_blank(line):
            continue
        fields = rules.split_line(line)
        if fields is None or len(fields) != len(names):
            malformed += 1
        else:
            other_rows[int(i)] = fields
    plain = np.arange(h + 1, len(starts))
    if special.any() or h > 0:
        plain = plain[~special[h + 1:]]
        pieces = [data[starts[h]:ends[h]]] + [data[s:e] for s, e in _runs(plain, starts, ends)]
        source = io.BytesIO(b'\n'.join(pieces) + b'\n')
    else:
        source = path if same else io.BytesIO(data)
    return source, plain, other_rows, layout, malformed


def _runs(lines, starts, ends):
    """Byte ranges covering runs of consecutive line indices (so the plain lines are copied in few pieces)."""
    if len(lines) == 0:
        return []
    breaks = np.flatnonzero(np.diff(lines) != 1)
    first = np.concatenate(([0], breaks + 1))
    last = np.concatenate((breaks, [len(lines) - 1]))
    return [(starts[lines[f]], ends[lines[l]]) for f, l in zip(first, last)]


def _missing(s):
    """Boolean array: the (trimmed) text is empty or `nan` in any case."""
    return ((s == '') | (s.str.lower() == 'nan')).to_numpy(bool)


def read_transactions(path):
    """
    The transactions file as columns: codes for the text columns, float/int arrays for the numbers, malformed rows
    removed and counted, rows in file order. Every column is read as text (pandas 3's Arrow strings) and trimmed;
    the rules of reading_rules.py are applied vectorized, dates once per distinct text. O(rows) in pandas/Arrow.
    """
    source, plain_lines, other_rows, layout, malformed = split_records(path)
    df = pd.read_csv(source, header=0, usecols=layout, dtype=str, keep_default_na=False, na_filter=False,
                     engine='c', quoting=csv.QUOTE_MINIMAL)
    # usecols keeps file order: name the nine by position.
    df = df.iloc[:, np.argsort(np.argsort(layout))]
    df.columns = SOURCE_COLUMNS
    for c in SOURCE_COLUMNS:
        df[c] = df[c].str.strip(rules.EDGE_CHARS)
    if other_rows:
        extra = pd.DataFrame([[fields[j] for j in layout] for fields in other_rows.values()], columns=SOURCE_COLUMNS, dtype=str)
        line = np.concatenate((plain_lines, np.fromiter(other_rows.keys(), dtype=np.int64)))
        df = pd.concat([df, extra], ignore_index=True).iloc[np.argsort(line, kind='stable')].reset_index(drop=True)
    n = len(df)
    bad = _missing(df[ID]) | _missing(df[CUST])

    # Dates: parse each distinct text once.
    date_codes, date_values = pd.factorize(df[DATE])
    days = [rules.transaction_day(v) for v in date_values]
    date_ok = np.array([d is not None for d in days] + [False])
    date_day = np.array([0 if d is None else d for d in days] + [0], dtype=np.int64)
    bad |= ~date_ok[date_codes]
    dob_missing = _missing(df[DOB])
    dob_codes, dob_values = pd.factorize(df[DOB].where(~dob_missing))
    dob_parsed = [rules.parse_day_first(v) if rules.is_valid_dob(v) else None for v in dob_values]
    dob_ok = np.array([p is not None for p in dob_parsed] + [True])
    bad |= ~dob_ok[dob_codes]

    time_text = df[TIME]
    time_ok = time_text.str.fullmatch(rules.TIME_PATTERN).to_numpy(bool)
    tx_time = np.where(time_ok, time_text.where(time_ok, '0').astype(np.int64), -1)
    bad |= (tx_time < 0) | (tx_time > 235959) | ((tx_time // 100) % 100 >= 60) | (tx_time % 100 >= 60)

    def money(s):
        ok = s.str.fullmatch(rules.DECIMAL_PATTERN).to_numpy(bool)
        v = s.where(ok).astype(np.float64).to_numpy()
        return np.where(ok & (np.abs(v) <= rules.MAX_ABS_INR), v, np.nan)

    amount = money(df[AMOUNT])
    bad |= np.isnan(amount)
    balance_missing = _missing(df[BALANCE])
    balance = money(df[BALANCE])
    bad |= ~balance_missing & np.isnan(balance)

    keep = ~bad
    customer, customer_ids = pd.factorize(df[CUST][keep])
    gender, gender_values = pd.factorize(df[GENDER][keep].where(~_missing(df[GENDER])[keep]))
    location, location_values = pd.factorize(df[LOCATION][keep].where(~_missing(df[LOCATION])[keep]))
    dc = date_codes[keep]
    years = np.array([0 if d is None else datetime.date.fromordinal(d + rules.EPOCH_ORDINAL).year for d in days] + [0])
    return {
        'rows': int(keep.sum()),
        'malformed': int(bad.sum()) + malformed,
        'customer': customer,
        'customerIds': list(customer_ids),
        'dobCode': np.where(dob_codes[keep] >= 0, dob_codes[keep], -1),
        'dobParsed': dob_parsed,
        'gender': gender,
        'genderValues': list(gender_values),
        'location': location,
        'locationValues': list(location_values),
        'balance': balance[keep],
        'date': date_day[dc],
        'year': years[dc],
        'time': tx_time[keep],
        'amount': amount[keep],
    }


# ---------------------------------------------------------------------------------------------------------
# Cleaning (section 2)
# ---------------------------------------------------------------------------------------------------------

def _dob_tables(dob_parsed):
    """Per distinct DOB text: day number if the year is taken as written / 19yy / 20yy (NaN if not a date), flags."""
    m = len(dob_parsed)
    day_as_is, day19, day20 = (np.full(max(m, 1), np.nan) for _ in range(3))
    yy = np.zeros(max(m, 1), dtype=np.int64)
    two = np.zeros(max(m, 1), dtype=bool)
    placeholder = np.zeros(max(m, 1), dtype=bool)
    for i, p in enumerate(dob_parsed):
        if p is None:
            continue
        day, month, year, is_two = p
        if is_two:
            two[i] = True
            yy[i] = year
            for table, century in ((day19, 1900), (day20, 2000)):
                d = rules.day_number(century + year, month, day)
                table[i] = np.nan if d is None else d
        else:
            placeholder[i] = year == 1800
            d = rules.day_number(year, month, day)
            day_as_is[i] = np.nan if d is None else d
    return day_as_is, day19, day20, yy, two, placeholder


def type7_quantile(values, q):
    """Type-7 (linear interpolation) quantile of the non-missing values; NaN if there are none."""
    v = values[~np.isnan(values)]
    return float(np.quantile(v, q)) if v.size else math.nan


def clean_transactions(raw, cap_quantile=0.999):
    """The cleaning rules 1-10 on the columns from read_transactions; returns (columns, quality counts). O(rows)."""
    q = {}
    keep = ~(raw['amount'] < 0)  # rule 1
    q['dropped.negativeAmount'] = int((~keep).sum())
    r = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in raw.items()}

    # Rules 2-5: DOB -> age, century from the transaction year.
    day_as_is, day19, day20, yy, two, placeholder = _dob_tables(r['dobParsed'])
    code = r['dobCode']
    known = code >= 0
    c = np.maximum(code, 0)
    is_two = known & two[c]
    use19 = is_two & (2000 + yy[c] > r['year'])
    dob_day = np.where(is_two, np.where(use19, day19[c], day20[c]), day_as_is[c])
    is_placeholder = known & placeholder[c]
    dob_day = np.where(known & ~is_placeholder, dob_day, np.nan)
    age = np.floor((r['date'] - dob_day) / 365.25)
    impossible = (age < 0) | (age > MAX_AGE) | (known & ~is_placeholder & np.isnan(dob_day))
    too_young = (age >= 0) & (age < MIN_AGE)
    minors = (age >= MIN_AGE) & (age < ADULT_AGE)
    age[impossible | too_young] = np.nan
    q['keptMissing.dob'] = int((~known).sum())
    q['changed.dobPlaceholder'] = int(is_placeholder.sum())
    q['counted.dobCenturyResolved'] = int(is_two.sum())
    q['changed.ageImpossible'] = int(impossible.sum())
    q['changed.ageTooYoung'] = int(too_young.sum())
    q['counted.minors'] = int(minors.sum())

    # Rule 6: gender.
    gvals = r['genderValues']
    gmap = np.array([GENDERS.index(v) if v in GENDERS else -1 for v in gvals] + [-1], dtype=np.int8)
    gender = np.where(r['gender'] >= 0, gmap[r['gender']], -1).astype(np.int8)
    q['changed.genderOther'] = int(((r['gender'] >= 0) & (gender < 0)).sum())
    q['keptMissing.gender'] = int((r['gender'] < 0).sum())
    q['keptMissing.location'] = int((r['location'] < 0).sum())  # rule 7
    q['keptMissing.balance'] = int(np.isnan(r['balance']).sum())  # rule 8

    # Rule 9: caps at the type-7 quantile of the kept, non-missing values.
    amount, balance = r['amount'], r['balance']
    caps = {'amount': math.inf, 'balance': math.inf}
    if cap_quantile < 1:
        caps = {'amount': type7_quantile(amount, cap_quantile), 'balance': type7_quantile(balance, cap_quantile)}
        q['changed.amountCapped'] = int((amount > caps['amount']).sum())
        q['changed.balanceCapped'] = int((balance > caps['balance']).sum())
        amount = np.minimum(amount, caps['amount'])
        balance = np.where(balance > caps['balance'], caps['balance'], balance)
    # Rule 10: a customer is (CustomerID, resolved birth date, gender); the birth day stays even when the age is
    # impossible (it still tells people apart). One integer per row: the ID code, the day, the gender.
    birth = np.where(np.isnan(dob_day), 2 ** 22, dob_day + 2 ** 21).astype(np.int64)
    key = (r['customer'].astype(np.int64) << 26) | (birth << 2) | (gender.astype(np.int64) + 1)
    customer, uniques = pd.factorize(key)  # first-appearance order
    first_row = pd.Series(np.arange(len(key))).groupby(customer).first().to_numpy()
    key_id = r['customer'][first_row]
    per_id = np.bincount(key_id, minlength=len(r['customerIds'])) if len(key_id) else np.zeros(0, dtype=np.int64)
    q['counted.reusedIds'] = int((per_id > 1).sum())
    ids = np.array(r['customerIds'], dtype=object)
    day_text = np.array([rules.iso_day(d) for d in dob_day[first_row]], dtype=object)
    gender_text = np.array(['?', *GENDERS], dtype=object)[gender[first_row] + 1]
    keys = [f'{i}|{d}|{g}' for i, d, g in zip(ids[key_id], day_text, gender_text)]

    q['inputRows'] = raw['rows']
    q['outputRows'] = int(keep.sum())
    clean = {
        'rows': int(keep.sum()),
        'customer': customer.astype(np.int64),
        'customerIds': keys,
        'date': r['date'],
        'time': r['time'],
        'amount': amount,
        'balance': balance,
        'age': age,
        'gender': gender,
        'location': r['location'],
        'locationValues': r['locationValues'],
    }
    return clean, q, caps


# ---------------------------------------------------------------------------------------------------------
# Customer features (section 3)
# ---------------------------------------------------------------------------------------------------------

def customer_features(clean, top_locations=10, as_of=None):
    """
    One row per customer, in order of first appearance; recency counts from `as_of` (a day number, default the last
    date in the data). Cost: O(rows log rows) for the latest-value sort.
    """
    cust, _ = pd.factorize(clean['customer'])  # codes in order of first appearance
    tx = pd.DataFrame({
        'cust': cust,
        'date': clean['date'],
        'time': clean['time'],
        'amount': clean['amount'],
        'balance': clean['balance'],
        'age': clean['age'],
        'gender': np.where(clean['gender'] >= 0, clean['gender'], np.nan),
        'location': np.where(clean['location'] >= 0, clean['location'], np.nan),
    })
    end_date = int(tx['date'].max()) if len(tx) else 0
    if as_of is not None:
        if len(tx) and as_of < end_date:
            raise InputError(f'--as-of {rules.iso_day(as_of)} is before the last transaction date {rules.iso_day(end_date)}')
        end_date = as_of
    per = tx.groupby('cust', sort=True).agg(
        lastDate=('date', 'max'), frequency=('amount', 'size'), monetaryTotal=('amount', 'sum'))
    # "Latest that has one": sort by (date, time, row), then groupby.last skips missing values.
    latest = (tx.sort_values(['date', 'time'], kind='stable')
                .groupby('cust', sort=True)[['balance', 'age', 'gender', 'location']].last())
    n = len(per)

    feats = pd.DataFrame({
        'recencyDays': (end_date - per['lastDate']).astype(np.float64),
        'frequency': per['frequency'].astype(np.float64),
        'monetaryTotal': per['monetaryTotal'],
        'monetaryMean': per['monetaryTotal'] / per['frequency'],
        'balance': latest['balance'],
        'age': latest['age'],
    })

    # Time of day: most frequent 6-hour bin, ties to the earlier bin (argmax takes the first maximum).
    bins = (clean['time'] // 10000) // 6
    counts = np.bincount(cust * 4 + bins, minlength=4 * n).reshape(n, 4)
    time_of_day = counts.argmax(axis=1)

    # Location: top N by number of customers (ties alphabetical) keep their name, the rest become OTHER.
    loc_values = clean['locationValues']
    loc_code = latest['location'].to_numpy()
    known = ~np.isnan(loc_code)
    per_loc = pd.Series(np.array(loc_values, dtype=object)[loc_code[known].astype(np.int64)]).value_counts()
    ranked = sorted(per_loc.items(), key=lambda kv: (-kv[1], kv[0]))[:top_locations]
    top = {name for name, _ in ranked}
    names = np.array(loc_values + ['OTHER'], dtype=object)
    location = names[np.where(known, loc_code, len(loc_values)).astype(np.int64)]
    location = np.where(pd.Series(location).isin(top), location, 'OTHER')

    gender_code = latest['gender'].to_numpy()
    return {
        'n': n,
        'customerId': np.array(clean['customerIds'], dtype=object)[pd.unique(clean['customer'])] if n else [],
        'numeric': feats,
        'gender': np.where(np.isnan(gender_code), -1, gender_code).astype(np.int8),
        'location': location,
        'timeOfDay': time_of_day,
        'endDate': end_date,
    }


def feature_summary(f):
    """The figures both implementations must agree on: sums of every numeric feature and category counts."""
    num = f['numeric']
    sums = {c: float(np.nansum(num[c].to_numpy())) for c in NUMERIC_FEATURES}
    sums['balanceKnown'] = int(num['balance'].notna().sum())
    sums['ageKnown'] = int(num['age'].notna().sum())
    g = f['gender']
    counts = {
        'gender': {'F': int((g == 0).sum()), 'M': int((g == 1).sum()), 'unknown': int((g < 0).sum())},
        'location': {k: int(v) for k, v in sorted(pd.Series(f['location']).value_counts().items())},
        'timeOfDay': {TIME_OF_DAY[i]: int((f['timeOfDay'] == i).sum()) for i in range(4)},
    }
    return sums, counts


# ---------------------------------------------------------------------------------------------------------
# Model space and k-means (section 4)
# ---------------------------------------------------------------------------------------------------------

def model_space(f):
    """
    log1p(max(x, 0)) on the money features (a negative balance, an overdraft, reads as 0: bankseg's modelLog1p),
    median imputation, StandardScaler (ddof 0). Returns the n x d matrix.
    """
    x = f['numeric'][MODEL_FEATURES].copy()
    logged = [c for c in MODEL_FEATURES if c in LOG_FEATURES]
    x[logged] = np.log1p(x[logged].clip(lower=0))
    x = x.fillna(x.median())
    return StandardScaler().fit_transform(x.to_numpy(np.float64))


def fit_kmeans(z, k, n_init, seed):
    return KMeans(n_clusters=k, init='k-means++', n_init=n_init, random_state=seed).fit(z)


def scores(z, labels, sample, seed):
    return {
        'silhouette': float(silhouette_score(z, labels, sample_size=min(sample, len(z)), random_state=seed)),
        'daviesBouldin': float(davies_bouldin_score(z, labels)),
        'calinskiHarabasz': float(calinski_harabasz_score(z, labels)),
    }


# ---------------------------------------------------------------------------------------------------------

def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--input', required=True)
    p.add_argument('--k', type=int, default=4)
    p.add_argument('--n-init', type=int, default=8)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--sample', type=int, default=10000)
    p.add_argument('--k-min', type=int, default=2)
    p.add_argument('--k-max', type=int, default=10)
    p.add_argument('--cap-quantile', type=float, default=0.999)
    p.add_argument('--top-locations', type=int, default=10)
    p.add_argument('--as-of', help='YYYY-MM-DD: recency counts from this day (default: the last date in the data)')
    p.add_argument('--dump-features', help='also write the customer features to this CSV (for checks)')
    p.add_argument('--start-centroids', help='JSON file with bankseg\'s delivered centroids (model space, row-major '
                   'k x d): print only what scikit-learn makes of them (same-start check) and stop')
    a = p.parse_args(argv)

    stages, cpu = {}, {}
    t, c = time.perf_counter(), time.process_time()

    def lap(name):
        nonlocal t, c
        now, now_cpu = time.perf_counter(), time.process_time()
        stages[name], cpu[name] = now - t, now_cpu - c
        t, c = now, now_cpu

    raw = read_transactions(a.input)
    lap('read')
    clean, quality, caps = clean_transactions(raw, a.cap_quantile)
    lap('preprocess')
    as_of = None if a.as_of is None else datetime.date.fromisoformat(a.as_of).toordinal() - rules.EPOCH_ORDINAL
    feats = customer_features(clean, a.top_locations, as_of)
    z = model_space(feats)
    lap('features')
    if a.start_centroids:
        print(json.dumps(same_start(z, a.start_centroids)))
        return 0
    sweep = []
    for k in range(a.k_min, min(a.k_max, feats['n'] - 1) + 1):
        km = fit_kmeans(z, k, a.n_init, a.seed)
        sweep.append({'k': k, 'inertia': float(km.inertia_), **scores(z, km.labels_, a.sample, a.seed)})
    lap('kSweep')
    final = fit_kmeans(z, a.k, a.n_init, a.seed)
    lap('finalFit')
    metrics = scores(z, final.labels_, a.sample, a.seed)
    lap('metrics')

    sums, counts = feature_summary(feats)
    out = {
        'side': 'pandas',
        'stages': stages,
        'total': sum(stages.values()),
        'cpuStages': cpu,  # CPU seconds of all threads (scikit-learn's OpenMP threads included)
        'startup': _T_IMPORTED - _T_START,
        'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'rowsRead': raw['rows'],
        'malformed': raw['malformed'],
        'rowsKept': clean['rows'],
        'customers': feats['n'],
        'featureSums': sums,
        'categoryCounts': counts,
        'quality': quality,
        'caps': caps,
        'k': a.k,
        'inertia': float(final.inertia_),
        'iterations': int(final.n_iter_),
        **metrics,
        'sweep': sweep,
        'versions': {'python': sys.version.split()[0], 'pandas': pd.__version__, 'numpy': np.__version__,
                     'sklearn': __import__('sklearn').__version__},
    }
    if a.dump_features:
        d = feats['numeric'].copy()
        d.insert(0, 'customerId', feats['customerId'])
        d['gender'] = np.array(['', 'F', 'M'], dtype=object)[feats['gender'] + 1]
        d['location'] = feats['location']
        d['timeOfDay'] = np.array(TIME_OF_DAY, dtype=object)[feats['timeOfDay']]
        d.to_csv(a.dump_features, index=False)
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except InputError as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(1)
