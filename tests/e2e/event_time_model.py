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
