"""
The data stages of docs/data-model.md (sections 1-4: read, clean, customer features, model space) in Polars eager,
written the way a Polars user would, for bench/data_stages.ts to time against bankseg's. Not the whole pipeline (no
k-means): the reference for issue 13's goal 2, "read + clean + features <= 1.0x Polars".

Usage: PYTHON bench/polars_stages.py FILE   (PYTHON: an environment with polars)
Prints one JSON line: stage wall times (s), CPU time of the process, peak RSS (MB), and agreement figures
(rows kept, customers, feature sums, gender and time-of-day counts).

Faithful to the reading rules where the default and real files exercise them (trimmed text, `nan`/empty missing,
day-first dates parsed once per distinct text, year and money ranges, time HHMMSS); quoting errors and ragged lines,
which those files do not have, are left to Polars' own CSV reader.
"""
import json, resource, sys, time
import polars as pl

path = sys.argv[1]
S = ['TransactionID','CustomerID','CustomerDOB','CustGender','CustLocation','CustAccountBalance','TransactionDate','TransactionTime','TransactionAmount (INR)']
t0 = time.perf_counter(); c0 = time.process_time()
# Section 1: everything as text, trimmed; '' and 'nan' (any case) missing.
df = pl.read_csv(path, infer_schema=False, columns=S)
txt = lambda c: pl.col(c).str.strip_chars()
miss = lambda e: e.is_null() | (e == '') | (e.str.to_lowercase() == 'nan')
opt = lambda c: pl.when(miss(txt(c))).then(None).otherwise(txt(c))
def day_first(e):
    # d/m/yy, d/m/yyyy, dd-mm-yyyy, d-m-yy (same separator twice) or yyyy-mm-dd -> Date (null if no such day)
    dm = e.str.extract_groups(r'^(\d{1,2})([/-])(\d{1,2})[/-](\d{2}|\d{4})$')
    iso = e.str.extract_groups(r'^(\d{4})-(\d{1,2})-(\d{1,2})$')
    same_sep = e.str.count_matches('/') .is_in([0, 2]) & e.str.count_matches('-').is_in([0, 2])
    y = pl.coalesce(dm.struct[3].cast(pl.Int32), iso.struct[0].cast(pl.Int32))
    two = dm.struct[3].str.len_chars() == 2
    m = pl.coalesce(dm.struct[2].cast(pl.Int32), iso.struct[1].cast(pl.Int32))
    d = pl.coalesce(dm.struct[0].cast(pl.Int32), iso.struct[2].cast(pl.Int32))
    return y, two.fill_null(False), m, d, same_sep
def to_date(y, m, d):
    return pl.format('{}-{}-{}', y.cast(pl.String).str.zfill(4), m.cast(pl.String).str.zfill(2), d.cast(pl.String).str.zfill(2)).str.to_date('%Y-%m-%d', strict=False)
dates = df.select(pl.col('TransactionDate').unique())
y, two, m, d, ok = day_first(txt('TransactionDate'))
ty = pl.when(two).then(y + 2000).otherwise(y)
dates = dates.with_columns(date=pl.when(ok & ty.is_between(1900, 2100)).then(to_date(ty, m, d)).otherwise(None))
df = df.join(dates, on='TransactionDate', how='left', maintain_order='left')
df = df.with_row_index('row').with_columns(
    id=opt('TransactionID'), cust=opt('CustomerID'), dob=opt('CustomerDOB'), gender=opt('CustGender'), loc=opt('CustLocation'),
    balance=opt('CustAccountBalance').cast(pl.Float64, strict=False), bal_bad=~miss(txt('CustAccountBalance')) & opt('CustAccountBalance').cast(pl.Float64, strict=False).is_null(),
    time=txt('TransactionTime').cast(pl.Int64, strict=False), amount=txt('TransactionAmount (INR)').cast(pl.Float64, strict=False),
)
# DOB validity (per distinct text): a real day-first date
dy, dtwo, dmn, dd, dok = day_first(pl.col('dob'))
dobs = df.select(pl.col('dob').unique()).drop_nulls().with_columns(dy=dy, dtwo=dtwo, dm=dmn, dd=dd, dok=dok)
dobs = dobs.with_columns(dvalid=dok & (pl.col('dtwo') | pl.col('dy').is_between(1800, 2100))
                         & to_date(pl.when(pl.col('dtwo')).then(pl.col('dy') + 2000).otherwise(pl.col('dy')), pl.col('dm'), pl.col('dd')).is_not_null())
df = df.join(dobs, on='dob', how='left', maintain_order='left')
t_ok = pl.col('time').is_between(0, 235959) & ((pl.col('time') // 100 % 100) < 60) & (pl.col('time') % 100 < 60)
good = (pl.col('id').is_not_null() & pl.col('cust').is_not_null() & pl.col('date').is_not_null() & t_ok & pl.col('amount').is_not_null()
        & (pl.col('amount').abs() <= 1e12) & ~pl.col('bal_bad') & (pl.col('balance').is_null() | (pl.col('balance').abs() <= 1e12))
        & (pl.col('dob').is_null() | pl.col('dvalid').fill_null(False)))
n_read = df.height
df = df.filter(good)
t_read = time.perf_counter()
# Section 2: cleaning.
df = df.filter(pl.col('amount') >= 0)
tyear = pl.col('date').dt.year()
by = pl.when(pl.col('dtwo')).then(pl.when(pl.col('dy') + 2000 > tyear).then(pl.col('dy') + 1900).otherwise(pl.col('dy') + 2000)).otherwise(pl.col('dy'))
dob_day = pl.when(pl.col('dy') == 1800).then(None).otherwise(to_date(by, pl.col('dm'), pl.col('dd')))
age = ((pl.col('date') - dob_day).dt.total_days() / 365.25).floor()
amount_cap = df['amount'].quantile(0.999, 'linear'); balance_cap = df['balance'].drop_nulls().quantile(0.999, 'linear')
df = df.with_columns(age=pl.when(age.is_between(0, 100)).then(age).otherwise(None),
                     g=pl.when(pl.col('gender').is_in(['F', 'M'])).then(pl.col('gender')).otherwise(None),
                     amount=pl.when(pl.col('amount') > amount_cap).then(amount_cap).otherwise(pl.col('amount')), balance=pl.when(pl.col('balance') > balance_cap).then(balance_cap).otherwise(pl.col('balance')),
                     bin=(pl.col('time') // 60000))
t_clean = time.perf_counter()
# Section 3: features, customers in order of first appearance; latest = greatest (date, time, row).
df = df.sort(pl.col('date').cast(pl.Int64) * (240000 * 2**21) + pl.col('time') * 2**21 + pl.col('row'))
last_known = lambda c: pl.col(c).last(ignore_nulls=True)
f = df.group_by('cust').agg(first=pl.col('row').min(), last_date=pl.col('date').last(), frequency=pl.len(), monetaryTotal=pl.col('amount').sum(),
                            balance=last_known('balance'), age=last_known('age'), gender=last_known('g'), loc=last_known('loc'),
                            **{f'b{k}': (pl.col('bin') == k).sum() for k in range(4)}).sort('first')
end = df['date'].max()
top = (f.drop_nulls('loc').group_by('loc').len().sort(['len', 'loc'], descending=[True, False]).head(10)['loc'])
f = f.with_columns(recencyDays=(pl.lit(end) - pl.col('last_date')).dt.total_days().cast(pl.Float64),
                   monetaryMean=pl.col('monetaryTotal') / pl.col('frequency'),
                   location=pl.when(pl.col('loc').is_in(top.implode())).then(pl.col('loc')).otherwise(pl.lit('OTHER')),
                   timeOfDay=pl.concat_list([f'b{k}' for k in range(4)]).list.arg_max())
t_feat = time.perf_counter()
# Section 4: model space (log1p on money, median imputation, population std).
NUM = ['recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age']
X = f.select([pl.col(c).cast(pl.Float64).log1p() if c in ('monetaryTotal', 'monetaryMean', 'balance') else pl.col(c).cast(pl.Float64) for c in NUM])
X = X.with_columns([pl.col(c).fill_null(pl.col(c).median()) for c in NUM])
X = X.with_columns([(pl.col(c) - pl.col(c).mean()) / pl.col(c).std(ddof=0) for c in NUM]).to_numpy()
t_space = time.perf_counter(); c_end = time.process_time()
sums = {c: f[c].cast(pl.Float64).sum() for c in NUM}
print(json.dumps({'stages': {'read': t_read - t0, 'clean': t_clean - t_read, 'features': t_feat - t_clean, 'space': t_space - t_feat},
                  'wall': t_space - t0, 'cpu': c_end - c0, 'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  'rowsRead': n_read, 'rowsKept': df.height, 'customers': f.height, 'featureSums': sums,
                  'gender': {str(k): v for k, v in f['gender'].value_counts().rows()},
                  'timeOfDay': {['night', 'morning', 'afternoon', 'evening'][k]: v for k, v in f['timeOfDay'].value_counts().rows()},
                  'version': pl.__version__}))
