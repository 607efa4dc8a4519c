"""
The reading rules of docs/data-model.md section 1, shared by the benchmark's two Python references
(reference.py: pandas + scikit-learn; polars_reference.py: Polars + scikit-learn). Plain Python, no data library:
what is decided once per line that needs a closer look (quotes, a wrong field count) or once per distinct text
(dates), never per row. Each function says which TypeScript code it follows (src/collect/).
"""
import codecs
import datetime
import gzip
import re

SOURCE_COLUMNS = [
    'TransactionID', 'CustomerID', 'CustomerDOB', 'CustGender', 'CustLocation',
    'CustAccountBalance', 'TransactionDate', 'TransactionTime', 'TransactionAmount (INR)',
]
ID, CUST, DOB, GENDER, LOCATION, BALANCE, DATE, TIME, AMOUNT = SOURCE_COLUMNS

# Plausible values (src/collect/rows.ts).
MAX_ABS_INR = 1e12
TRANSACTION_YEARS = (1900, 2100)
DOB_YEARS = (1800, 2100)
# A line longer than this stops reading (src/collect/csv.ts MAX_ROW_CHARS).
MAX_ROW_CHARS = 1 << 20
# Trimmed from both ends of a field in a line without quotes: every character up to the space (csv.ts).
EDGE_CHARS = ''.join(chr(c) for c in range(33))
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


class InputError(Exception):
    """Bad input: printed as one line, exit code 1."""


# ---------------------------------------------------------------------------------------------------------
# Bytes to text (src/collect/read.ts: gzip by its magic bytes, UTF-16 by its byte order mark, UTF-8 BOM dropped)
# ---------------------------------------------------------------------------------------------------------

def utf8_text(path):
    """
    The file as UTF-8 bytes without a byte order mark: gunzipped when it starts with gzip's magic bytes, decoded from
    UTF-16 when a byte order mark says so; invalid UTF-8 becomes U+FFFD as Node's decoder makes it. Returns
    (bytes, same_as_file): same_as_file when the bytes are the file's own, so a library may read the path instead.
    """
    with open(path, 'rb') as f:
        data = f.read()
    same = True
    if data[:2] == b'\x1f\x8b':
        data, same = gzip.decompress(data), False
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encoding = 'utf-16-le' if data[:2] == codecs.BOM_UTF16_LE else 'utf-16-be'
        return data[2:].decode(encoding, errors='replace').encode('utf-8'), False
    if data[:3] == codecs.BOM_UTF8:
        data, same = data[3:], False
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        data, same = data.decode('utf-8', errors='replace').encode('utf-8'), False
    return data, same


# ---------------------------------------------------------------------------------------------------------
# Lines and fields (src/collect/csv.ts)
# ---------------------------------------------------------------------------------------------------------

def is_blank(line):
    """A line with nothing but spaces, tabs and CRs holds no record (CsvSplitter: a NUL is content)."""
    return line.strip(' \t\r') == ''


def split_plain_line(line):
    """The fields of a line without quotes: split at commas, each trimmed of characters <= space."""
    return [f.strip(EDGE_CHARS) for f in line.split(',')]


def split_quoted_line(line):
    """
    The fields of a line that has a quote (CsvSplitter.splitQuotedLine + fieldText), or None when the line is
    malformed: an unclosed quote (a quoted value cannot span lines), a quote inside an unquoted field, or text after a
    closing quote. `line` is without its line end; a final CR is not part of the row.
    """
    if line.endswith('\r'):
        line = line[:-1]
    fields = []
    p, to = 0, len(line)
    while True:
        while p < to and line[p] in ' \t':
            p += 1
        if p < to and line[p] == '"':
            start = p + 1
            end = -1
            p = start
            while p < to:
                if line[p] != '"':
                    p += 1
                    continue
                if p + 1 < to and line[p + 1] == '"':
                    p += 2
                    continue
                end = p
                p += 1
                break
            if end == -1:
                return None  # unclosed quote
            while p < to and line[p] <= ' ':
                p += 1
            if p < to and line[p] != ',':
                return None  # text after the closing quote
            fields.append(line[start:end].strip(EDGE_CHARS).replace('""', '"'))
        else:
            start = p
            while p < to and line[p] != ',':
                if line[p] == '"':
                    return None  # a quote inside an unquoted field
                p += 1
            fields.append(line[start:p].rstrip(EDGE_CHARS))
        if p >= to:
            return fields
        p += 1  # past the comma


def split_line(line):
    """The fields of any line, or None when its quoting is malformed."""
    return split_quoted_line(line) if '"' in line else split_plain_line(line)


def header_layout(path, names, line_number):
    """
    Index of each source column in the header's fields (src/collect/read.ts columnLayout): a lacking column or one of
    the nine named twice is an InputError; extra columns, repeated or not, are ignored.
    """
    lacking = [c for c in SOURCE_COLUMNS if c not in names]
    if lacking:
        hint = '; the file looks like UTF-16 without a byte order mark: save it as UTF-8' if any('\0' in n for n in names) else ''
        raise InputError(f'{path}: header lacks column(s) {", ".join(lacking)} (expected: {", ".join(SOURCE_COLUMNS)}){hint}')
    for c in SOURCE_COLUMNS:
        at = names.index(c)
        if c in names[at + 1:]:
            again = names.index(c, at + 1)
            raise InputError(f'{path}:{line_number}: header has column {c} twice (fields {at + 1} and {again + 1})')
    return [names.index(c) for c in SOURCE_COLUMNS]


def header_fields(path, line, line_number):
    fields = split_line(line)
    if fields is None:
        raise InputError(f'{path}:{line_number}: header has an unclosed or stray quote')
    return fields


# ---------------------------------------------------------------------------------------------------------
# Values (src/collect/rows.ts, dates.ts, csv.ts parseDecimal)
# ---------------------------------------------------------------------------------------------------------

def is_missing(text):
    """Empty or `nan` in any case (rows.ts isMissing)."""
    return text == '' or (len(text) == 3 and text.lower() == 'nan')


_DAY_FIRST = re.compile(r'([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})')
_ISO = re.compile(r'([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})')


def day_number(year, month, day):
    """Days since 1970-01-01 of a calendar date (proleptic Gregorian, year >= 1), None when it does not exist."""
    try:
        return datetime.date(year, month, day).toordinal() - EPOCH_ORDINAL
    except ValueError:
        return None


def parse_day_first(text):
    """`(day, month, year, two_digit_year)` of a day-first date text, or None (dates.ts parseDayFirst)."""
    text = text.strip(' \t')
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
    check = 2000 + year if two else year
    try:
        datetime.date(check if check > 0 else 2000, month, day)
    except ValueError:
        return None
    return day, month, year, two


def transaction_day(text):
    """Day number of a transaction date text (a two-digit year is 20yy; years 1900..2100), or None."""
    p = parse_day_first(text)
    if p is None:
        return None
    day, month, year, two = p
    year = 2000 + year if two else year
    if not TRANSACTION_YEARS[0] <= year <= TRANSACTION_YEARS[1]:
        return None
    return day_number(year, month, day)


def is_valid_dob(text):
    """A day-first date with a four-digit year in 1800..2100, or any two-digit year (rows.ts isValidDob)."""
    p = parse_day_first(text)
    return p is not None and (p[3] or DOB_YEARS[0] <= p[2] <= DOB_YEARS[1])


def dob_day(parsed, transaction_year):
    """
    The birth day of a parsed DOB at a transaction in `transaction_year` (cleaning rules 3-4): None for the 1800
    placeholder and for a day that does not exist in the resolved century; a two-digit year is 20yy unless that is
    after the transaction year, then 19yy.
    """
    day, month, year, two = parsed
    if not two:
        return None if year == 1800 else day_number(year, month, day)
    century = 1900 if 2000 + year > transaction_year else 2000
    return day_number(century + year, month, day)


DECIMAL = re.compile(r'[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?')
# The same as a regular expression for the data libraries' string functions (anchored).
DECIMAL_PATTERN = r'^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$'
TIME_PATTERN = r'^[0-9]{1,9}$'


def money(text):
    """A plain decimal within +-1e12 INR as a float, else None (rows.ts parseMoney)."""
    if not DECIMAL.fullmatch(text):
        return None
    v = float(text)
    return v if -MAX_ABS_INR <= v <= MAX_ABS_INR else None


def time_of_text(text):
    """HHMMSS as an integer (digits only, 0..235959, minutes and seconds < 60), else None (rows.ts parseTime)."""
    if not re.fullmatch(TIME_PATTERN, text):
        return None
    v = int(text)
    return v if v <= 235959 and (v // 100) % 100 < 60 and v % 100 < 60 else None


def iso_day(day):
    """`YYYY-MM-DD` of a day number; `?` (an unknown part of the customer key) for None or NaN."""
    if day is None or day != day:
        return '?'
    return datetime.date.fromordinal(int(day) + EPOCH_ORDINAL).isoformat()
