"""
The bankseg pipeline in Polars + scikit-learn with bankseg's own k-means strategy: the benchmark's strongest
reference (issue 13). It follows docs/data-model.md exactly: the reading rules (a record is one line, plausible
values; reading_rules.py), cleaning rules 1-10 with the customer key, the customer features, the model space, and the
sampled k-means with restarts, contests and stability (sampled_kmeans.py). Written the way a Polars user would: the
file read as lines and split in Polars (the few lines with quotes or a wrong field count in Python), every rule a
vectorized expression, dates parsed once per distinct text, group_by for the customers. Polars and scikit-learn use
every core, as they do by default.

Usage: .venv/bin/python bench/polars_reference.py --input FILE [--k 4] [--seed 42] [--sample 10000] [--k-min 2]
       [--k-max 10] [--cap-quantile 0.999] [--top-locations 10] [--as-of YYYY-MM-DD] [--dump-features FILE]
Prints one JSON line on stdout in the shape of bench/reference.py's: {stages, total, maxRssMB, rowsKept, ...}.
"""
import time

_T_START = time.perf_counter()

import argparse
import datetime
import io
import json
import math
import resource
import sys

import numpy as np
import polars as pl

import reading_rules as rules
import sampled_kmeans as skm
from reading_rules import AMOUNT, BALANCE, CUST, DATE, DOB, GENDER, ID, LOCATION, SOURCE_COLUMNS, TIME, InputError

_T_IMPORTED = time.perf_counter()

# The lists of src/preprocess/feature_registry.ts (test/feature_registry.test.ts checks they agree).
NUMERIC_FEATURES = ['recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age']
MODEL_FEATURES = ['recencyDays', 'monetaryTotal', 'balance', 'age']
LOG_FEATURES = ['monetaryTotal', 'monetaryMean', 'balance']
GENDERS = ['F', 'M']
MAX_AGE = 100
MIN_AGE = 10
TIME_OF_DAY = ['night', 'morning', 'afternoon', 'evening']


# ---------------------------------------------------------------------------------------------------------
# Reading (section 1)
# ---------------------------------------------------------------------------------------------------------

def _lines(path):
    """The file's lines (line ends removed), with their 0-based index `i`. Plain UTF-8 files are read by Polars itself."""
    with open(path, 'rb') as f:
        head = f.read(4)
    plain = head[:2] not in (b'\x1f\x8b', b'\xff\xfe', b'\xfe\xff') and head[:3] != b'\xef\xbb\xbf'
    if plain:
        try:
            return pl.read_lines(path, row_index_name='i')
        except pl.exceptions.ComputeError:
            pass  # not valid UTF-8: decoded with replacement characters below
    data, _ = rules.utf8_text(path)
    return pl.read_lines(io.BytesIO(data), row_index_name='i')


def _missing(e):
    return (e == '') | (e.str.to_lowercase() == 'nan')


def read_transactions(path):
    """
    The valid rows as a DataFrame (text columns trimmed, `date` a day number, `time`, `amount`, `balance` typed;
    rows in file order, `row` their index) and the malformed count.
    """
    lines = _lines(path)
    blank = lines['line'].str.contains(r'^[ \t\r]*$')
    first = blank.arg_min() if len(lines) else None
    if first is None or blank[first]:
        raise InputError(f'{path}: file is empty')
    longest = lines['line'].str.len_chars().max()
    if longest > rules.MAX_ROW_CHARS:
        at = int(lines['line'].str.len_chars().arg_max())
        raise InputError(f'{path}:{at + 1}: line longer than {rules.MAX_ROW_CHARS} characters (not a transactions file, or line ends other than \\n?)')
    names = rules.header_fields(path, lines['line'][first], first + 1)
    layout = rules.header_layout(path, names, first + 1)
    body = lines.slice(first + 1).filter(~blank.slice(first + 1))
    is_plain = ~pl.col('line').str.contains('"', literal=True) & (pl.col('line').str.count_matches(',', literal=True) == len(names) - 1)
    body = body.with_columns(plain=is_plain)
    fields = pl.col('line').str.split_exact(',', len(names) - 1)
    rows = body.filter('plain').select(
        'i', *[fields.struct.field(f'field_{j}').str.strip_chars(rules.EDGE_CHARS).alias(c) for c, j in zip(SOURCE_COLUMNS, layout)])
    others = body.filter(~pl.col('plain'))
    malformed = 0
    if len(others):
        kept = []
        for i, line in others.select('i', 'line').iter_rows():
            f = rules.split_line(line)
            if f is None or len(f) != len(names):
                malformed += 1
            else:
                kept.append([i, *[f[j] for j in layout]])
        if kept:
            extra = pl.DataFrame(kept, schema=rows.schema, orient='row')
            rows = pl.concat([rows, extra]).sort('i')

    miss = {c: _missing(pl.col(c)) for c in SOURCE_COLUMNS}
    dates = rows.select(pl.col(DATE).unique())[DATE].to_list()
    day_of = {t: rules.transaction_day(t) for t in dates}
    dobs = rows.select(pl.col(DOB).unique())[DOB].to_list()
    dob_valid = {t: rules.is_missing(t) or rules.is_valid_dob(t) for t in dobs}
    decimal = lambda c: pl.when(pl.col(c).str.contains(rules.DECIMAL_PATTERN)).then(pl.col(c).cast(pl.Float64, strict=False))
    plausible = lambda e: pl.when(e.abs() <= rules.MAX_ABS_INR).then(e)
    rows = rows.with_columns(
        date=pl.col(DATE).replace_strict(day_of, default=None, return_dtype=pl.Int32),
        time=pl.when(pl.col(TIME).str.contains(rules.TIME_PATTERN)).then(pl.col(TIME).cast(pl.Int64, strict=False)),
        amount=plausible(decimal(AMOUNT)),
        balance=plausible(decimal(BALANCE)),
        dob_ok=pl.col(DOB).replace_strict(dob_valid, return_dtype=pl.Boolean),
    )
    t = pl.col('time')
    good = (~miss[ID] & ~miss[CUST] & pl.col('date').is_not_null()
            & t.is_not_null() & (t <= 235959) & ((t // 100) % 100 < 60) & (t % 100 < 60)
            & pl.col('amount').is_not_null() & (miss[BALANCE] | pl.col('balance').is_not_null()) & pl.col('dob_ok'))
    n = len(rows)
    rows = rows.filter(good)
    malformed += n - len(rows)
    rows = rows.select(
        row=pl.int_range(pl.len(), dtype=pl.Int64),
        cust=pl.col(CUST),
        dob=pl.when(~miss[DOB]).then(pl.col(DOB)),
        gender=pl.when(~miss[GENDER]).then(pl.col(GENDER)),
        location=pl.when(~miss[LOCATION]).then(pl.col(LOCATION)),
        balance='balance', date='date', time='time', amount='amount',
    )
    return rows, malformed


# ---------------------------------------------------------------------------------------------------------
# Cleaning (section 2)
# ---------------------------------------------------------------------------------------------------------

def _dob_table(dobs):
    """Per distinct DOB text: its day if the year stands as written, in 19yy and in 20yy, and 2000 + yy (rules 3-4)."""
    out = {'dob': [], 'as_is': [], 'd19': [], 'd20': [], 'y20': []}
    for text in dobs:
        day, month, year, two = rules.parse_day_first(text)
        out['dob'].append(text)
        out['as_is'].append(None if two or year == 1800 else rules.day_number(year, month, day))
        out['d19'].append(rules.day_number(1900 + year, month, day) if two else None)
        out['d20'].append(rules.day_number(2000 + year, month, day) if two else None)
        out['y20'].append(2000 + year if two else None)
    return pl.DataFrame(out, schema={'dob': pl.String, 'as_is': pl.Int32, 'd19': pl.Int32, 'd20': pl.Int32, 'y20': pl.Int32})


def clean_transactions(rows, cap_quantile=0.999):
    """Rules 1-10: returns the cleaned rows (with `age`, `g`, `key`) and the caps."""
    rows = rows.filter(pl.col('amount') >= 0)
    dobs = _dob_table(rows['dob'].drop_nulls().unique().to_list())
    rows = rows.join(dobs, on='dob', how='left', maintain_order='left')
    tx_year = (pl.col('date').cast(pl.Date)).dt.year()
    birth = (pl.when(pl.col('y20').is_null()).then(pl.col('as_is'))
             .when(pl.col('y20') > tx_year).then(pl.col('d19')).otherwise(pl.col('d20')))
    age = ((pl.col('date') - birth) / 365.25).floor()
    caps = {'amount': math.inf, 'balance': math.inf}
    if cap_quantile < 1:
        caps = {'amount': rows['amount'].quantile(cap_quantile, 'linear'), 'balance': rows['balance'].quantile(cap_quantile, 'linear')}
    capped = lambda c: pl.when(pl.col(c) > caps[c]).then(caps[c]).otherwise(pl.col(c))
    rows = rows.with_columns(birth=birth).with_columns(
        age=pl.when((age >= MIN_AGE) & (age <= MAX_AGE)).then(age),
        g=pl.when(pl.col('gender').is_in(GENDERS)).then(pl.col('gender')),
        amount=capped('amount'),
        balance=capped('balance') if caps['balance'] is not None else pl.col('balance'),  # None: no balance at all
    )
    return rows, caps


# ---------------------------------------------------------------------------------------------------------
# Customer features (section 3)
# ---------------------------------------------------------------------------------------------------------

def customer_features(rows, top_locations=10, as_of=None):
    """One row per customer, in order of first kept row; the latest transaction is the greatest (date, time, row)."""
    end_date = rows['date'].max() if len(rows) else 0
    if as_of is not None:
        if len(rows) and as_of < end_date:
            raise InputError(f'--as-of {rules.iso_day(as_of)} is before the last transaction date {rules.iso_day(end_date)}')
        end_date = as_of
    latest = lambda c: pl.col(c).last(ignore_nulls=True)
    hour_bin = pl.col('time') // 60000
    f = (rows.sort('date', 'time', 'row')
         # Rule 10: a customer is (CustomerID, birth date, gender); an unknown part matches only unknown (null).
         .group_by('cust', 'birth', 'g')
         .agg(first=pl.col('row').min(), last_date=pl.col('date').last(), frequency=pl.len(),
              monetaryTotal=pl.col('amount').sum(), balance=latest('balance'), age=latest('age'),
              gender=latest('g'), loc=latest('location'),
              **{f'b{b}': (hour_bin == b).sum() for b in range(4)})
         .sort('first'))
    top = (f.drop_nulls('loc').group_by('loc').len().sort(['len', 'loc'], descending=[True, False]).head(top_locations)['loc'])
    f = f.with_columns(
        recencyDays=(end_date - pl.col('last_date')).cast(pl.Float64),
        frequency=pl.col('frequency').cast(pl.Float64),
        monetaryMean=pl.col('monetaryTotal') / pl.col('frequency'),
        location=pl.when(pl.col('loc').is_in(top.implode())).then(pl.col('loc')).otherwise(pl.lit('OTHER')),
        timeOfDay=pl.concat_list([f'b{b}' for b in range(4)]).list.arg_max(),
    )
    return f, end_date


def feature_summary(f):
    sums = {c: float(f[c].cast(pl.Float64).sum()) for c in NUMERIC_FEATURES}
    sums['balanceKnown'] = int(f['balance'].is_not_null().sum())
    sums['ageKnown'] = int(f['age'].is_not_null().sum())
    g = f['gender']
    counts = {
        'gender': {'F': int((g == 'F').sum()), 'M': int((g == 'M').sum()), 'unknown': int(g.is_null().sum())},
        'location': {k: int(v) for k, v in sorted(f['location'].value_counts().rows())},
        'timeOfDay': {TIME_OF_DAY[b]: int((f['timeOfDay'] == b).sum()) for b in range(4)},
    }
    return sums, counts


def model_space(f):
    """
    log1p(max(x, 0)) on the money features (a negative balance, an overdraft, reads as 0: bankseg's modelLog1p),
    median imputation, z-scores with the population std (1 for a constant column).
    """
    cols = [pl.col(c).cast(pl.Float64).clip(lower_bound=0).log1p() if c in LOG_FEATURES else pl.col(c).cast(pl.Float64) for c in MODEL_FEATURES]
    x = f.select(cols)
    x = x.with_columns([pl.col(c).fill_null(pl.col(c).median()) for c in MODEL_FEATURES])
    sd = lambda c: pl.when(pl.col(c).std(ddof=0) > 0).then(pl.col(c).std(ddof=0)).otherwise(1.0)
    x = x.with_columns([(pl.col(c) - pl.col(c).mean()) / sd(c) for c in MODEL_FEATURES])
    return np.ascontiguousarray(x.to_numpy(), dtype=np.float64)


# ---------------------------------------------------------------------------------------------------------

def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--input', required=True)
    p.add_argument('--k', type=int, default=4)
    p.add_argument('--n-init', type=int, default=skm.N_INIT, help='restarts at least (bankseg: 8)')
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--sample', type=int, default=skm.SILHOUETTE_SAMPLE_SIZE)
    p.add_argument('--k-min', type=int, default=2)
    p.add_argument('--k-max', type=int, default=10)
    p.add_argument('--cap-quantile', type=float, default=0.999)
    p.add_argument('--top-locations', type=int, default=10)
    p.add_argument('--as-of')
    p.add_argument('--dump-features')
    p.add_argument('--start-centroids', help='JSON file with bankseg\'s delivered centroids (model space, row-major '
                   'k x d): print only what scikit-learn makes of them (same-start check) and stop')
    a = p.parse_args(argv)
    skm.N_INIT = a.n_init
    skm.MAX_RESTARTS = max(skm.MAX_RESTARTS, a.n_init)

    stages, cpu = {}, {}
    t, c = time.perf_counter(), time.process_time()

    def lap(name):
        nonlocal t, c
        now, now_cpu = time.perf_counter(), time.process_time()
        stages[name], cpu[name] = now - t, now_cpu - c
        t, c = now, now_cpu

    rows, malformed = read_transactions(a.input)
    rows_read = len(rows)
    lap('read')
    clean, caps = clean_transactions(rows, a.cap_quantile)
    del rows
    lap('preprocess')
    as_of = None if a.as_of is None else datetime.date.fromisoformat(a.as_of).toordinal() - rules.EPOCH_ORDINAL
    feats, _ = customer_features(clean, a.top_locations, as_of)
    rows_kept = len(clean)
    del clean
    z = model_space(feats)
    lap('features')
    if a.start_centroids:
        print(json.dumps(skm.same_start(z, a.start_centroids)))
        return 0
    sweep, fits = skm.sweep(z, a.k_min, min(a.k_max, len(z) - 1), a.seed, a.sample)
    lap('kSweep')
    start = fits[a.k]['centers'] if a.k in fits else skm.fit_detailed(z, a.k, a.seed, z[skm.sample_distinct(len(z), skm.SCORING_SAMPLE_SIZE, skm.SCORING_SEED)])['centers']
    centers, labels, inertia, iterations = skm.converge(z, start)
    lap('finalFit')
    metrics = skm.scores(z, labels, a.sample)
    lap('metrics')

    sums, counts = feature_summary(feats)
    import sklearn
    out = {
        'side': 'polars',
        'stages': stages,
        'total': sum(stages.values()),
        'cpuStages': cpu,
        'startup': _T_IMPORTED - _T_START,
        'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'rowsRead': rows_read,
        'malformed': malformed,
        'rowsKept': rows_kept,
        'customers': len(feats),
        'featureSums': sums,
        'categoryCounts': counts,
        'caps': caps,
        'k': a.k,
        'inertia': inertia,
        'iterations': iterations,
        **metrics,
        'sweep': sweep,
        'versions': {'python': sys.version.split()[0], 'polars': pl.__version__, 'numpy': np.__version__, 'sklearn': sklearn.__version__},
    }
    if a.dump_features:
        key = pl.format('{}|{}|{}', 'cust', pl.col('birth').cast(pl.Date).cast(pl.String).fill_null('?'), pl.col('g').fill_null('?'))
        feats.select(key.alias('customerId'), *NUMERIC_FEATURES, 'gender', 'location',
                     timeOfDay=pl.col('timeOfDay').replace_strict(list(range(4)), TIME_OF_DAY)).write_csv(a.dump_features)
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except InputError as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(1)
