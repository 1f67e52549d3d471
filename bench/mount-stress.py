#!/usr/bin/env python3
"""8 concurrent readers of a checkpointable mount doing N reads in total (default 100,000) across processes
that come and go. A read = open, read to EOF, close of one file picked at random: DIR/PID/checkpointable,
reasons, checkpointable.json or fdinfo/N, of a PID listed in DIR a moment ago. ENOENT (the process or fd is
gone) is expected; any other error counts. Prints errors, reads and the daemon's RSS as it goes.
usage: mount-stress.py DIR DAEMON_PID [TOTAL_READS] [READERS]"""
import errno, multiprocessing as mp, os, random, sys, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])

def reader(args):
    root, n, seed = args
    rnd = random.Random(seed)
    ok = gone = 0
    errors = []
    pids = []
    for i in range(n):
        if i % 50 == 0 or not pids:
            pids = [p for p in os.listdir(root) if p.isdigit()]
        pid = rnd.choice(pids)
        kind = rnd.randrange(4)
        try:
            if kind == 3:
                fds = os.listdir(f"{root}/{pid}/fdinfo")
                path = f"{root}/{pid}/fdinfo/{rnd.choice(fds)}" if fds else f"{root}/{pid}/checkpointable"
            else:
                path = f"{root}/{pid}/" + ("checkpointable", "reasons", "checkpointable.json")[kind]
            with open(path, "rb") as f:
                data = f.read()
            if kind == 0 and data.count(b"\n") != 9:
                errors.append(f"{path}: {data[:80]!r}")
            else:
                ok += 1
        except OSError as e:
            if e.errno == errno.ENOENT:
                gone += 1
            else:
                errors.append(f"{pid}: {e}")
    return ok, gone, errors

def main():
    root, daemon = sys.argv[1], int(sys.argv[2])
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    readers = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    rounds = 10
    per = total // readers // rounds
    ok = gone = 0
    errors = []
    start = time.monotonic()
    print(f"round reads ok gone errors rss_kib seconds", flush=True)
    print(f"0 0 0 0 0 {rss_kib(daemon)} 0.0", flush=True)
    with mp.Pool(readers) as pool:
        for r in range(1, rounds + 1):
            for o, g, e in pool.map(reader, [(root, per, r * 100 + k) for k in range(readers)]):
                ok += o; gone += g; errors += e
            print(f"{r} {ok + gone + len(errors)} {ok} {gone} {len(errors)} {rss_kib(daemon)} {time.monotonic() - start:.1f}", flush=True)
    for e in errors[:10]:
        print("error:", e)
    print(f"total: {ok + gone + len(errors)} reads, {ok} ok, {gone} gone (ENOENT), {len(errors)} errors; daemon alive: {os.path.exists(f'/proc/{daemon}')}")
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
