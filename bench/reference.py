#!/usr/bin/python3
"""
The reference implementation of the bankseg pipeline in pandas + scikit-learn, for the benchmark.

It follows docs/data-model.md (the contract the TypeScript side implements too): reading rules, cleaning
rules 1-9, customer features, model space, k-means sweep and metrics. Written the way a pandas user would
write it: read_csv with dtype hints, categoricals for the repetitive text columns (so date and DOB text is
parsed once per distinct value, not once per row), groupby, numpy; scikit-learn for scaling, k-means and
the metrics.

Usage: /usr/bin/python3 bench/reference.py --input FILE [--k 4] [--n-init 4] [--seed 42] [--sample 10000]
       [--k-min 2] [--k-max 10] [--cap-quantile 0.999] [--top-locations 10] [--as-of YYYY-MM-DD]
       [--dump-features FILE]
Prints one JSON line on stdout: {stages, total, maxRssMB, rowsKept, customers, featureSums, ...}.
"""
import time

_T_START = time.perf_counter()

import argparse
import contextlib
import csv
import datetime
import gzip
import io
import itertools
import json
import math
import re
import resource
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin_min
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

_T_IMPORTED = time.perf_counter()

ID, CUST, DOB, GENDER, LOCATION, BALANCE, DATE, TIME, AMOUNT = (
    'TransactionID',
    'CustomerID',
    'CustomerDOB',
    'CustGender',
    'CustLocation',
    'CustAccountBalance',
    'TransactionDate',
    'TransactionTime',
    'TransactionAmount (INR)',
)
SOURCE_COLUMNS = [ID, CUST, DOB, GENDER, LOCATION, BALANCE, DATE, TIME, AMOUNT]
# Few distinct values: read as categoricals, so each distinct text is parsed once. CustomerID has ~900k distinct
# values, where pd.factorize (first-appearance order, no sorting) is much cheaper than a categorical.
CATEGORY_COLUMNS = [DOB, GENDER, LOCATION, DATE]
NUMBER_COLUMNS = [BALANCE, TIME, AMOUNT]

# The lists of src/preprocess/feature_registry.ts (test/feature_registry.test.ts checks they agree).
NUMERIC_FEATURES = ['recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age']
MODEL_FEATURES = ['recencyDays', 'monetaryTotal', 'balance', 'age']
LOG_FEATURES = ['monetaryTotal', 'monetaryMean', 'balance']
GENDERS = ['F', 'M']
MAX_AGE = 100
MIN_AGE = 10  # rule 5: younger is too young to transact alone (RBI, 2014)
ADULT_AGE = 18
TIME_OF_DAY = ['night', 'morning', 'afternoon', 'evening']
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


class InputError(Exception):
    """Bad input: printed as one line, exit code 1."""


# ---------------------------------------------------------------------------------------------------------
# Reading (docs/data-model.md section 1)
# ---------------------------------------------------------------------------------------------------------

def _is_gzip(path):
    with open(path, 'rb') as f:
        return f.read(2) == b'\x1f\x8b'


def _header(path, gz):
    opener = gzip.open if gz else open
    with opener(path, 'rt', newline='') as f:
        line = f.readline()
    return [name.strip() for name in next(csv.reader([line]))]


def _missing_text(values):
    """Boolean mask over an Index of (stripped) strings: empty or `nan` in any case is missing."""
    return (values == '') | (values.str.lower() == 'nan')


_DAY_FIRST = re.compile(r'(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})')
_ISO = re.compile(r'(\d{4})-(\d{1,2})-(\d{1,2})')


def _valid_day(year, month, day):
    """Whole days since 1970-01-01, or None when the calendar date does not exist."""
    if year < 1 or not 1 <= month <= 12 or day < 1:
        return None
    try:
        return datetime.date(year, month, day).toordinal() - EPOCH_ORDINAL
    except ValueError:
        return None


def parse_day_first(text):
    """`(day, month, year, two_digit_year)` for a day-first date text, or None (the rules of src/collect/dates.ts)."""
    m = _DAY_FIRST.fullmatch(text)
    if m:
        day, month, year, two = int(m.group(1)), int(m.group(3)), int(m.group(4)), len(m.group(4)) == 2
    else:
        m = _ISO.fullmatch(text)
        if not m:
            return None
        year, month, day, two = int(m.group(1)), int(m.group(2)), int(m.group(3)), False
    if not 1 <= month <= 12 or day < 1:
        return None
    check_year = 2000 + year if two else year
    # datetime cannot hold year 0; 2000 has the same calendar (leap), so validate against it.
    if _valid_day(check_year if check_year > 0 else 2000, month, day) is None:
        return None
    return day, month, year, two


def _transaction_year(parsed):
    """The calendar year of a parsed transaction date: a two-digit year `yy` is 20yy."""
    if parsed is None:
        return None
    year, two = parsed[2], parsed[3]
    return 2000 + year if two else year


def _transaction_day(parsed):
    """Day number of a parsed transaction date, or None."""
    return None if parsed is None else _valid_day(_transaction_year(parsed), parsed[1], parsed[0])


# `nan` in any case is missing (the contract); pandas' default NA list (NA, null, N/A, ...) is not used.
_NAN_SPELLINGS = sorted({''.join(p) for p in itertools.product('nN', 'aA', 'nN')})


def _read_fast(path, gz, names):
    """read_csv with the numeric columns parsed by the C engine; raises ValueError if one holds a non-number."""
    dtype = {ID: object, CUST: object, BALANCE: np.float64, TIME: np.int64, AMOUNT: np.float64}
    dtype.update({c: 'category' for c in CATEGORY_COLUMNS})
    return _read_csv(path, gz, names, dtype, na_values=['', *_NAN_SPELLINGS])


def _read_slow(path, gz, names):
    """The fallback when a numeric column holds text: everything as text, converted per value."""
    dtype = {c: object for c in [ID, CUST, *NUMBER_COLUMNS]}
    dtype.update({c: 'category' for c in CATEGORY_COLUMNS})
    return _read_csv(path, gz, names, dtype, na_values=['', *_NAN_SPELLINGS])


def _read_csv(path, gz, names, dtype, na_values):
    """Rows with too many fields are skipped by the C engine; its warnings are counted as malformed rows."""
    warnings = io.StringIO()
    with contextlib.redirect_stderr(warnings):
        df = pd.read_csv(
            path,
            compression='gzip' if gz else None,
            header=0,
            names=names,
            # No usecols: with it the C engine lets rows with too many fields through instead of flagging them.
            dtype=dtype,
            keep_default_na=False,
            na_values=na_values,
            skipinitialspace=True,
            on_bad_lines='warn',
            engine='c',
        )
    skipped = sum(line.count('Skipping line') for line in warnings.getvalue().splitlines())
    return df, skipped


def _clean_categories(series):
    """Codes and values of a categorical, its values trimmed and `nan`/empty ones made missing (per distinct value)."""
    return _clean_codes(series.cat.codes.to_numpy(), series.cat.categories.astype(str))


def _factorize_text(series):
    """Codes in order of first appearance and the trimmed distinct values, `nan`/empty ones missing."""
    codes, uniques = pd.factorize(series)
    return _clean_codes(codes, pd.Index(uniques).astype(str))


def _clean_codes(codes, cats):
    stripped = cats.str.strip()
    missing = _missing_text(stripped)
    if (stripped == cats).all() and not missing.any():
        return codes, list(cats)
    uniques, remap = np.unique(np.asarray(stripped), return_inverse=True)
    remap = np.where(np.asarray(missing), -1, remap)
    new_codes = np.where(codes < 0, -1, remap[np.maximum(codes, 0)])
    return new_codes.astype(np.int32), list(uniques)


def read_transactions(path):
    """
    The transactions file as columns: category codes for the text columns, float/int arrays for the numbers,
    malformed rows removed and counted. Cost: O(rows) in the C parser, O(distinct values) in Python.
    """
    gz = _is_gzip(path)
    names = _header(path, gz)
    missing_cols = [c for c in SOURCE_COLUMNS if c not in names]
    if missing_cols:
        raise InputError(f'{path}: line 1: missing column(s): {", ".join(missing_cols)}')
    try:
        df, skipped = _read_fast(path, gz, names)
        slow = False
    except (ValueError, OverflowError):
        df, skipped = _read_slow(path, gz, names)
        slow = True
    n = len(df)
    bad = np.zeros(n, dtype=bool)

    # skipinitialspace turns a blank field into '' and so into NaN.
    bad |= df[ID].isna().to_numpy()

    text = {c: _clean_categories(df[c]) for c in CATEGORY_COLUMNS}
    text[CUST] = _factorize_text(df[CUST])
    bad |= text[CUST][0] < 0

    # Dates: parse each distinct text once.
    date_codes, date_values = text[DATE]
    parsed = [parse_day_first(v) for v in date_values]
    years = [_transaction_year(p) for p in parsed]
    days = [_transaction_day(p) for p in parsed]
    date_ok = np.array([d is not None for d in days] or [False])
    date_day = np.array([0 if d is None else d for d in days] or [0], dtype=np.int64)
    date_year = np.array([0 if y is None else y for y in years] or [0], dtype=np.int64)
    bad |= (date_codes < 0) | ~date_ok[np.maximum(date_codes, 0)]

    dob_codes, dob_values = text[DOB]
    dob_parsed = [parse_day_first(v) for v in dob_values]
    dob_ok = np.array([p is not None for p in dob_parsed] or [False])
    bad |= (dob_codes >= 0) & ~dob_ok[np.maximum(dob_codes, 0)]

    if slow:
        amount = pd.to_numeric(df[AMOUNT].str.strip(), errors='coerce').to_numpy(np.float64)
        balance_text = df[BALANCE]
        balance = pd.to_numeric(balance_text.str.strip(), errors='coerce').to_numpy(np.float64)
        balance_given = ~(balance_text.isna().to_numpy())
        bad |= balance_given & np.isnan(balance)
        time_text = df[TIME].str.strip()
        time_ok = time_text.str.fullmatch(r'\d{1,6}').fillna(False).to_numpy(bool)
        tx_time = np.where(time_ok, pd.to_numeric(time_text.where(time_ok, '0')), -1).astype(np.int64)
    else:
        amount = df[AMOUNT].to_numpy(np.float64)
        balance = df[BALANCE].to_numpy(np.float64)
        tx_time = df[TIME].to_numpy(np.int64)
    bad |= np.isnan(amount)
    bad |= (tx_time < 0) | (tx_time > 235959) | ((tx_time // 100) % 100 >= 60) | (tx_time % 100 >= 60)

    keep = ~bad
    dc = date_codes[keep]
    return {
        'rows': int(keep.sum()),
        'malformed': int(bad.sum()) + skipped,
        'customer': text[CUST][0][keep],
        'customerIds': text[CUST][1],
        'dobCode': dob_codes[keep],
        'dobParsed': dob_parsed,
        'gender': text[GENDER][0][keep],
        'genderValues': text[GENDER][1],
        'location': text[LOCATION][0][keep],
        'locationValues': text[LOCATION][1],
        'balance': balance[keep],
        'date': date_day[dc],
        'year': date_year[dc],
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
                d = _valid_day(century + year, month, day)
                table[i] = np.nan if d is None else d
        else:
            placeholder[i] = year == 1800
            d = _valid_day(year, month, day)
            day_as_is[i] = np.nan if d is None else d
    return day_as_is, day19, day20, yy, two, placeholder


def _iso_day(day):
    """`YYYY-MM-DD` of a day number, `?` when unknown (NaN)."""
    if np.isnan(day):
        return '?'
    return datetime.date.fromordinal(int(day) + EPOCH_ORDINAL).isoformat()


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
    day_text = np.array([_iso_day(d) for d in dob_day[first_row]], dtype=object)
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
            raise InputError(f'--as-of {_iso_day(as_of)} is before the last transaction date {_iso_day(end_date)}')
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
    """log1p on the money features, median imputation, StandardScaler (ddof 0). Returns the n x d matrix."""
    x = f['numeric'][MODEL_FEATURES].copy()
    logged = [c for c in MODEL_FEATURES if c in LOG_FEATURES]
    x[logged] = np.log1p(x[logged])
    x = x.fillna(x.median())
    return StandardScaler().fit_transform(x.to_numpy(np.float64))


def fit_kmeans(z, k, n_init, seed):
    return KMeans(n_clusters=k, init='k-means++', n_init=n_init, random_state=seed).fit(z)


def same_start(z, centroids_file):
    """
    What scikit-learn makes of bankseg's delivered centroids on this side's own model space: the inertia of the
    nearest-centroid labelling (no iteration), and Lloyd started from them until no customer changes segment (tol=0),
    as bankseg's delivered fit: how many customers move. The same start leaves no room for a different local optimum,
    so the two must agree to rounding; k-means restarts on different random numbers need not.
    """
    with open(centroids_file, encoding='utf-8') as fh:
        flat = np.asarray(json.load(fh), dtype=np.float64)
    d = z.shape[1]
    if flat.size == 0 or flat.size % d:
        raise InputError(f'{centroids_file}: {flat.size} centroid values do not make rows of {d} model features')
    c = flat.reshape(-1, d)
    start_labels, dist = pairwise_distances_argmin_min(z, c)
    km = KMeans(n_clusters=len(c), init=c, n_init=1, tol=0, max_iter=300, algorithm='lloyd').fit(z)
    return {'sameStart': {
        'k': len(c),
        'inertiaAtStart': float(np.dot(dist, dist)),
        'inertiaRefined': float(km.inertia_),
        'iterations': int(km.n_iter_),
        'moved': int(np.count_nonzero(km.labels_ != start_labels)),
    }}


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
    p.add_argument('--n-init', type=int, default=4)
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
    as_of = None if a.as_of is None else datetime.date.fromisoformat(a.as_of).toordinal() - EPOCH_ORDINAL
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
        'side': 'python',
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
