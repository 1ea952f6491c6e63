"""event_time_model.py -- an independent model of Spark Structured
Streaming's event-time rules, for tests/e2e/event_time.sh: the expected
output of weir, epoch by epoch, on the rate source's data.

It follows SEMANTICS.md and Spark's own code (EventTimeWatermarkExec and
WatermarkTracker: watermark = max event time - delay, min/max policy, in
force from the next epoch; TimeWindowing: window assignment;
StateStoreSaveExec: append / update / complete, late = window end <=
watermark; StreamingDeduplicateExec and ...WithinWatermarkExec), and
shares no code with weir. Rows come from the test's `select`, mirrored by
a Python function; output lines are what weir's console format = json
prints.
"""
import datetime, json

S = 1000000
T0 = 1767225600 * S  # 2026-01-01T00:00:00Z


def iso(us):  # timestamps as weir's JSON prints them (ms, or µs if needed)
    sec, rem = divmod(us, S)
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
    frac = ".%03d" % (rem // 1000) if rem % 1000 == 0 else ".%06d" % rem
    return d.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def rate_epochs(n, k, rps=1):  # available-now, max_rows_per_trigger = k
    rows = [(v, T0 + (v // rps) * S) for v in range(n)]
    return [rows[i:i + k] for i in range(0, n, k)]


def windows(t, size, slide):  # [start, start + size) containing t
    last = t - (t % slide)  # Python's % is already non-negative
    starts = [last - i * slide for i in range(-(-size // slide))]
    return [s for s in starts if s <= t < s + size]


def value_out(col, v):
    return iso(v) if col.startswith("ts") and v is not None else v


def render(row, cols):
    return [(c, value_out(c, row[c])) for c in cols]


def sort_key(v):
    return (0,) if v is None else (1, v)


class Agg:
    def __init__(self, text):
        if "(" in text:
            self.fn, self.col = text[:-1].split("(")
        else:
            self.fn, self.col = "count", None
        self.name = text

    def result(self, rows):
        if self.fn == "count":
            return len(rows) if self.col is None else \
                len([r for r in rows if r[self.col] is not None])
        vals = [r[self.col] for r in rows if r[self.col] is not None]
        if self.fn in ("first", "last"):
            vals = [r[self.col] for r in rows]
            return value_out(self.col, vals[0 if self.fn == "first" else -1])
        if not vals:
            return None
        if self.fn == "sum":
            return sum(vals)
        if self.fn == "avg":
            return float(sum(vals)) / len(vals)
        return value_out(self.col, min(vals) if self.fn == "min" else max(vals))


class Aggregate:
    """groupBy(keys[, window]).agg(...) with Spark's output modes."""

    def __init__(self, mode, keys, aggs, window=None, ev=None, in_cols=()):
        self.mode, self.keys, self.window, self.ev = mode, keys, window, ev
        self.aggs = [Agg(a) for a in aggs]
        self.in_cols = in_cols
        self.state = {}  # (window start, key values) -> rows

    def group_time(self, g):  # what makes a group final, or None
        if self.ev == "window":
            return g[0] + self.window[1]
        return g[1][self.keys.index(self.ev)] if self.ev else None

    def final(self, wm):
        return [g for g in self.state
                if self.group_time(g) is not None and self.group_time(g) <= wm]

    def wants_epoch(self, wm):
        return self.mode != "complete" and bool(self.final(wm))

    def emit(self, g):
        o = []
        if self.window:
            o.append(("window", {"start": iso(g[0]),
                                 "end": iso(g[0] + self.window[1])}))
        o += [(k, value_out(k, v)) for k, v in zip(self.keys, g[1])]
        return o + [(a.name, a.result(self.state[g])) for a in self.aggs]

    def epoch(self, rows, wm):
        touched, late_groups, late_rows = set(), set(), []
        drops = self.mode != "complete" and self.ev is not None
        for r in rows:
            if self.window:
                if r[self.window[0]] is None:
                    continue
                starts = windows(r[self.window[0]], self.window[1],
                                 self.window[2])
            else:
                starts = [0]
            merged = dropped = False
            for s in starts:
                g = (s, tuple(r[k] for k in self.keys))
                t = self.group_time(g)
                if drops and t is not None and t <= wm:
                    late_groups.add(g)
                    dropped = True
                    continue
                self.state.setdefault(g, []).append(r)
                touched.add(g)
                merged = True
            if dropped and not merged:
                late_rows.append(render(r, self.in_cols))
        if not self.keys and not self.window:  # a global aggregation
            self.state.setdefault((0, ()), [])
            touched.add((0, ()))
        order = lambda g: (g[0], tuple(sort_key(v) for v in g[1]))
        if self.mode == "complete":
            out = [self.emit(g) for g in sorted(self.state, key=order)]
        elif self.mode == "update":
            out = [self.emit(g) for g in sorted(touched, key=order)]
            for g in self.final(wm):
                del self.state[g]
        else:
            closed = sorted(self.final(wm), key=order)
            out = [self.emit(g) for g in closed]
            for g in closed:
                del self.state[g]
        return out, late_rows, len(late_groups)


class Dedup:
    """dropDuplicates(keys) / dropDuplicatesWithinWatermark(keys)."""

    def __init__(self, keys, ev=None, delay=0, within=False, in_cols=()):
        self.keys, self.ev, self.delay, self.within = keys, ev, delay, within
        self.in_cols = in_cols
        self.state = {}  # key -> expiry, or None: kept forever

    def wants_epoch(self, wm):
        return any(e is not None and e <= wm for e in self.state.values())

    def epoch(self, rows, wm):
        out, late = [], []
        for r in rows:
            t = r[self.ev] if self.ev else None
            if t is not None and t <= wm:  # late: older than the watermark
                late.append(render(r, self.in_cols))
                continue
            k = tuple(r[c] for c in self.keys)
            if k in self.state:
                continue
            if self.within:
                self.state[k] = (t or 0) + self.delay
            else:
                self.state[k] = t if self.ev in self.keys else None
            out.append(render(r, self.in_cols))
        for k in [k for k, e in self.state.items() if e is not None and e <= wm]:
            del self.state[k]
        return out, late, len(late)


class Engine:
    """Epochs: every data epoch of the source, then the no-data epoch the
    last watermark asks for; watermark operators on one stream."""

    def __init__(self, op, epochs, make_row, watermarks, policy="min"):
        self.lines, self.late_lines, self.progress = [], [], []
        maxes = [None] * len(watermarks)
        wm, last_wm, n = 0, None, 0
        data = list(epochs)
        while True:
            if data:
                rows = [r for r in (make_row(v, t) for v, t in data.pop(0))
                        if r is not None]
            elif last_wm is not None and wm > last_wm and op.wants_epoch(wm):
                rows = []
            else:
                break
            last_wm = wm
            out, late, dropped = op.epoch(rows, wm)
            dump = lambda o: json.dumps(dict([("epoch", n)] + o),
                                        separators=(",", ":"))
            self.lines += [dump(o) for o in out]
            self.late_lines += [dump(o) for o in late]
            self.progress.append({"watermark": iso(wm) if watermarks else None,
                                  "dropped": dropped,
                                  "total": len(op.state)})
            for i, (col, delay) in enumerate(watermarks):
                ts = [r[col] for r in rows if r[col] is not None]
                if ts and (maxes[i] is None or max(ts) > maxes[i]):
                    maxes[i] = max(ts)
            cands = [m - d for m, (c, d) in zip(maxes, watermarks)
                     if m is not None]
            if cands and not (policy == "min" and None in maxes):
                wm = max(wm, min(cands) if policy == "min" else max(cands))
            n += 1


# ---- the seed application on Kafka (tests/e2e/kafka_seed.sh) -------------
# examples/events-per-minute.ini: kafka -> json (PERMISSIVE) -> watermark
# 5 minutes -> count by window(timestamp, 1 minute), event_type -> update
# mode -> console, run under available-now on one checkpoint, several
# times. The records are the exact texts produced into the topic; each
# run's epochs come from Spark's rateLimit split of max_offsets_per_trigger
# (KafkaMicroBatchStream.rateLimit); the expected stdout is Spark's console
# sink (Dataset.showString, truncate = 20).
import math, re

MIN = 60 * S
_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?"
                 r"(Z|[+-]\d\d:\d\d)?$")


def parse_iso(s):  # ISO-8601 text -> µs, or None when it is not a timestamp
    m = _TS.match(s)
    if not m:
        return None
    y, mo, d, h, mi = (int(x) for x in m.groups()[:5])
    sec = int(m.group(6) or 0)
    frac = int((m.group(7) or "0").ljust(6, "0"))
    try:
        t = datetime.datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return None
    us = int((t - datetime.datetime(1970, 1, 1)).total_seconds()) * S + frac
    z = m.group(8)
    if z and z != "Z":
        off = (int(z[1:3]) * 60 + int(z[4:6])) * MIN
        us -= off if z[0] == "+" else -off
    return us


def from_json_event(text):
    """from_json(value, 'event_type STRING, user_id STRING, timestamp
    TIMESTAMP'), PERMISSIVE: (row, malformed). Invalid JSON or not an
    object: every column null; a value that does not fit: null, the others
    kept (Spark 3's partial results)."""
    nulls = {"event_type": None, "user_id": None, "timestamp": None}
    try:
        obj = json.loads(text)
    except ValueError:
        return nulls, True
    if not isinstance(obj, dict):
        return nulls, True
    row, bad = dict(nulls), False
    for c in ("event_type", "user_id"):
        v = obj.get(c)
        row[c] = v if v is None or isinstance(v, str) else \
            json.dumps(v, separators=(",", ":"))
    v = obj.get("timestamp")
    if isinstance(v, str):
        row["timestamp"] = parse_iso(v)
        bad = row["timestamp"] is None
    elif isinstance(v, bool) or not (v is None or isinstance(v, (int, float))):
        bad = True
    elif v is not None:  # a number: seconds since the epoch
        row["timestamp"] = int(v * S)
    return row, bad


def rate_limit(limit, start, end):
    """One epoch's end offsets: Spark's rateLimit over {p: offset}."""
    sizes = {p: end[p] - start[p] for p in end}
    total = float(sum(s for s in sizes.values() if s > 0))
    nxt = {}
    for p in end:
        if sizes[p] <= 0:
            nxt[p] = end[p]
            continue
        pr = limit * (sizes[p] / total)
        nxt[p] = min(end[p], start[p] + (math.ceil(pr) if pr < 1 else math.floor(pr)))
    return nxt


def kafka_epochs(parts, start, limit=None):
    """available-now over parts = {p: [record, ...]} from offsets start:
    [(end offsets, [(p, offset, record), ...]), ...], one per epoch."""
    end = {p: len(r) for p, r in parts.items()}
    cur, out = dict(start), []
    while cur != end:
        nxt = rate_limit(limit, cur, end) if limit else dict(end)
        recs = [(p, o, parts[p][o]) for p in sorted(parts)
                for o in range(cur[p], nxt[p])]
        out.append((nxt, recs))
        cur = nxt
    return out


def spark_ts(us):  # Cast(timestamp AS STRING): fraction without trailing 0s
    sec, rem = divmod(us, S)
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
    frac = ("%06d" % rem).rstrip("0")
    return d.strftime("%Y-%m-%d %H:%M:%S") + ("." + frac if frac else "")


def show(batch, header, rows, truncate=20, num_rows=20):
    """Spark's console sink for one epoch: the banner, then showString
    (ASCII cells; right-aligned when truncating)."""
    def cell(v):
        s = "null" if v is None else str(v)
        return s[:truncate - 3] + "..." if truncate and len(s) > truncate else s
    cells = [[cell(v) for v in r] for r in rows[:num_rows]]
    w = [max([3, len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    sep = "+" + "+".join("-" * n for n in w) + "+\n"
    line = lambda r: "|" + "|".join(
        (c.rjust if truncate else c.ljust)(n) for c, n in zip(r, w)) + "|\n"
    text = "-" * 43 + "\nBatch: %d\n" % batch + "-" * 43 + "\n"
    text += sep + line(header) + sep + "".join(line(r) for r in cells) + sep
    if len(rows) > num_rows:
        text += "only showing top %d %s\n" % (num_rows, "row" if num_rows == 1 else "rows")
    return text + "\n"


class Seed:
    """The seed query across runs on one checkpoint. run() takes the
    epochs of one available-now run (kafka_epochs) and returns, per epoch
    (the trailing no-data epoch included), what the console prints and
    what progress should say."""

    def __init__(self, delay=5 * MIN, size=1 * MIN):
        self.op = Aggregate("update", ["event_type"], ["count"],
                            window=("timestamp", size, size), ev="window")
        self.delay, self.max_seen = delay, None
        self.wm, self.last_wm, self.batch = 0, None, 0
        self.ends = {}

    def _epoch(self, recs):
        rows, malformed = [], 0
        for _, _, text in recs:
            r, bad = from_json_event(text)
            rows.append(r)
            malformed += bad
        wm = self.wm
        removed = len(self.op.final(wm))  # late rows never make a final group
        out, _, dropped = self.op.epoch(rows, wm)
        ts = [r["timestamp"] for r in rows if r["timestamp"] is not None]
        table = [("{%s, %s}" % (spark_ts(parse_iso(o[0][1]["start"])),
                                spark_ts(parse_iso(o[0][1]["end"]))),
                  o[1][1], o[2][1]) for o in out]
        e = {"batchId": self.batch, "numInputRows": len(recs),
             "numMalformedRecords": malformed, "watermark": iso(wm),
             "min": iso(min(ts)) if ts else None,
             "max": iso(max(ts)) if ts else None,
             "avg_us": sum(ts) / len(ts) if ts else None,
             "numRowsDroppedByWatermark": dropped,
             "numRowsTotal": len(self.op.state),
             "numRowsUpdated": len(out), "numRowsRemoved": removed,
             "numOutputRows": len(out), "endOffsets": dict(self.ends),
             "console": show(self.batch, ["window", "event_type", "count"], table)}
        if ts and (self.max_seen is None or max(ts) > self.max_seen):
            self.max_seen = max(ts)
        if self.max_seen is not None:
            self.wm = max(self.wm, self.max_seen - self.delay)
        self.last_wm = wm
        self.batch += 1
        return e

    def run(self, epochs):
        res = []
        for ends, recs in epochs:
            self.ends = dict(ends)
            res.append(self._epoch(recs))
        if self.last_wm is not None and self.wm > self.last_wm and \
                self.op.wants_epoch(self.wm):
            res.append(self._epoch([]))
        return res
