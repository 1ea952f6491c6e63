"""tests/e2e/kafka/tools.py — helpers of the Kafka end-to-end tests.

  rows FILE             weir console json lines -> "p o k v" sorted by (p, o)
  ordered FILE          exit 1 unless each partition's offsets ascend in
                        output order
  ranges CKPT SOURCE    each logged epoch's ranges: "epoch topic p from until"
  check CKPT SOURCE OUT every output row (epoch, topic, p, o) lies in its
                        epoch's logged range, and each range is read whole
  committed DIR         a file sink's committed rows, with "epoch" added
  split LIMIT B0 B1 ..  Spark's rateLimit under available-now: the end
                        offsets of each epoch for partitions with backlogs
                        B0, B1, ... starting at 0 ("e: u0 u1 ...")
"""
import json
import math
import os
import sys


def load_rows(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def ckpt_ranges(ckpt, source):
    """{epoch: {(topic, p): (from, until)}} from offsets/N."""
    res = {}
    d = os.path.join(ckpt, "offsets")
    for name in sorted(os.listdir(d), key=lambda n: int(n.split(".")[0])):
        if not name.isdigit():
            continue
        epoch = None
        for line in open(os.path.join(d, name)):
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            if "epoch" in o:
                epoch = o["epoch"]
            elif o.get("source") == source:
                start, end = o["start"] or {}, o["end"] or {}
                rng = {}
                for t, parts in end.items():
                    for p, v in parts.items():
                        if isinstance(v, list):
                            a, b = v
                        else:
                            s = start[t][p]
                            a, b = (s[1] if isinstance(s, list) else s), v
                        rng[(t, int(p))] = (a, b)
                res[epoch] = rng
    return res


def main():
    cmd = sys.argv[1]
    if cmd == "rows":
        rows = load_rows(sys.argv[2])
        rows.sort(key=lambda r: (r.get("p"), r.get("o")))
        for r in rows:
            print(r.get("p"), r.get("o"), r.get("k"), r.get("v"))
    elif cmd == "ordered":
        last = {}
        for r in load_rows(sys.argv[2]):
            key = (r.get("t"), r.get("p"))
            if key in last and r["o"] <= last[key]:
                print("out of order:", key, last[key], r["o"])
                sys.exit(1)
            last[key] = r["o"]
    elif cmd == "ranges":
        for e, rng in sorted(ckpt_ranges(sys.argv[2], sys.argv[3]).items()):
            for (t, p), (a, b) in sorted(rng.items()):
                print(e, t, p, a, b)
    elif cmd == "check":
        rng = ckpt_ranges(sys.argv[2], sys.argv[3])
        seen = {}
        bad = 0
        for r in load_rows(sys.argv[4]):
            e, key, o = r["epoch"], (r["t"], r["p"]), r["o"]
            a, b = rng.get(e, {}).get(key, (0, 0))
            if not a <= o < b:
                print("epoch %d: %s offset %d outside [%d, %d)" % (e, key, o, a, b))
                bad += 1
            seen.setdefault((e, key), set()).add(o)
        for e, parts in rng.items():
            for key, (a, b) in parts.items():
                got = seen.get((e, key), set())
                if got != set(range(a, b)):
                    print("epoch %d: %s read %d of [%d, %d)" % (e, key, len(got), a, b))
                    bad += 1
        print("checked %d epochs" % len(rng))
        sys.exit(1 if bad else 0)
    elif cmd == "committed":
        d = sys.argv[2]
        log = os.path.join(d, "_weir_log")
        # N and N.compact only: N.tmp-PID is a write a kill -9 interrupted
        names = [n for n in os.listdir(log)
                 if n.isdigit() or (n.endswith(".compact") and n[:-8].isdigit())]
        names.sort(key=lambda n: int(n.split(".")[0]))
        compact = [n for n in names if n.endswith(".compact")]
        start = int(compact[-1].split(".")[0]) if compact else -1
        files = []
        for n in names:
            e = int(n.split(".")[0])
            if e < start or (e == start and not n.endswith(".compact")):
                continue
            lines = open(os.path.join(log, n)).read().splitlines()
            files += [json.loads(l) for l in lines[1:] if l]
        for f in sorted(files, key=lambda f: f["path"]):
            for line in open(os.path.join(d, f["path"])):
                r = json.loads(line)
                out = {"epoch": f["epoch"]} if "epoch" in f else {}
                out.update(r)
                print(json.dumps(out))
    elif cmd == "split":
        limit = int(sys.argv[2])
        ends = [int(x) for x in sys.argv[3:]]
        cur = [0] * len(ends)
        e = 0
        while cur != ends:
            sizes = [u - f for f, u in zip(cur, ends)]
            total = float(sum(s for s in sizes if s > 0))
            nxt = []
            for f, u, s in zip(cur, ends, sizes):
                if s <= 0:
                    nxt.append(u)
                    continue
                pr = limit * (s / total)
                share = math.ceil(pr) if pr < 1 else math.floor(pr)
                nxt.append(min(u, f + share))
            cur = nxt
            print("%d: %s" % (e, " ".join(str(x) for x in cur)))
            e += 1
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
