#!/usr/bin/env python3
"""Runs CRIU's zdtm static suite with criu_wrapper.py as --criu-bin, then prints one row per dump and the counts.

Usage (as root; see conformance/README.md):
  CRIU_SRC=/path/to/built/criu conformance/zdtm/run.py [--mode uid|root|both] [-p N] [--sample N]
      [--tests REGEX] [--budget-min M] [--out DIR]
  conformance/zdtm/run.py summarize DIR [--markdown]

Modes:
  uid   as zdtm runs its tests: every test without the 'suid' flag switches to uid 18943, gid 58467
        (test/zdtm/lib/test.c reads ZDTM_UID/ZDTM_GID/ZDTM_GROUPS, set by zdtm.py zdtm_test.start); criu is root.
  root  all as root: ZDTM_ROOTLESS=1 in zdtm.py's environment, which zdtm passes on to each test (it builds a
        test's environment from os.environ, zdtm_test.__make_action); test/zdtm/lib/test.c then skips
        setgroups/setgid/setuid, so every test stays root, as zdtm runs the tests flagged 'suid'.
"""
import argparse
import collections
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WRAPPER = os.path.join(HERE, "criu_wrapper.py")
EXCLUDE_FILE = os.path.join(HERE, "exclude.txt")
MODES = ("uid", "root")
# zdtm.py needs PyYAML and protobuf for python3 (Debian: python3-yaml, python3-protobuf): the system's, not
# whatever python3 comes first on the user's PATH (zdtm_ct execs "zdtm.py", whose shebang is env python3).
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
NUMBER = re.compile(r"\b(0x[0-9a-f]+|\d+)\b")
PATH = re.compile(r"(?<![\w(])/[^\s,()]*( \(deleted\))?")
SKIPPED = re.compile(r"^Skipping (zdtm/static/\S+) \((.*)\)$")
SOURCE_LINE = re.compile(r"^Error \(([^:]+):\d+\)")


def die(msg):
    sys.exit("zdtm conformance: " + msg)


def static_tests(criu_src):
    out = subprocess.run(["/usr/bin/python3", "zdtm.py", "list"], cwd=os.path.join(criu_src, "test"),
                         capture_output=True, text=True, env=dict(os.environ, PATH=SYSTEM_PATH))
    if out.returncode:
        die("zdtm.py list failed: " + out.stderr.strip()[-500:])
    return [t for t in out.stdout.split() if t.startswith("zdtm/static/")]


def desc_of(criu_src, test):
    path = os.path.join(criu_src, "test", test + ".desc")
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path) as f:
            return eval(f.read())  # as zdtm reads it (get_test_desc): some .desc files are expressions
    return {}


def never_run(criu_src, test):
    """Why zdtm would skip this test in a --norst run of a list (zdtm.py run_tests), or None."""
    desc = desc_of(criu_src, test)
    flags = desc.get("flags", "").split()
    if "noauto" in flags:
        return "manual run only (noauto)"
    if "reqrst" in flags:
        return "restore stage is required (reqrst)"
    if desc.get("arch", os.uname().machine) != os.uname().machine:  # zdtm compares the whole string
        return "arch %s" % desc["arch"]
    return None


def excluded():
    """exclude.txt: `zdtm/static/NAME  # why` per line (tests that hang or wreck the host here)."""
    names = {}
    if os.path.exists(EXCLUDE_FILE):
        with open(EXCLUDE_FILE) as f:
            for line in f:
                name, _, why = line.partition("#")
                if name.strip():
                    names[name.strip()] = why.strip()
    return names


def sample(tests, n):
    """N tests spread evenly over the sorted list (every k-th), so every family of tests is represented."""
    if n <= 0 or n >= len(tests):
        return tests
    step = len(tests) / n
    return [tests[int(i * step)] for i in range(n)]


def host_has_iptables():
    return any(shutil.which(t, path=SYSTEM_PATH) for t in ("iptables-restore", "iptables-legacy-restore"))


def test_processes(criu_src):
    """PIDs of processes running a binary of the zdtm suite (what a test run can leave behind)."""
    root = os.path.realpath(os.path.join(criu_src, "test"))
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % p)
        except OSError:
            continue
        if exe.startswith(root + "/"):
            pids.append(int(p))
    return pids


def kill_leftovers(criu_src):
    pids = test_processes(criu_src)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids


def flavor_of(criu_src, test):
    """The one flavor a test runs in: h (the host's namespaces) where the test allows it, else ns, else uns.

    zdtm would run each test in every flavor it allows (.desc 'flavor', default 'h ns uns'); one is enough to
    judge a test, and h is the state a user checkpoints most. ns and uns run the test in new namespaces under a
    root zdtm builds (criu gets --root and --external mnt[/dev]:ZDTM_DEV; uns adds a user namespace).
    """
    flavors = desc_of(criu_src, test).get("flavor", "h ns uns").split()
    return next(f for f in ("h", "ns", "uns") if f in flavors)


def run_mode(mode, tests, args, out_dir):
    criu_src = args.criu_src
    rows = os.path.join(out_dir, "rows-%s.jsonl" % mode)
    log = os.path.join(out_dir, "zdtm-%s.log" % mode)
    env = dict(os.environ, PATH=SYSTEM_PATH,
               ZDTM_CONF_CRIU=args.criu_bin, ZDTM_CONF_CHECKPOINTABLE=args.checkpointable,
               ZDTM_CONF_ROWS=rows, ZDTM_CONF_MODE=mode, ZDTM_CONF_CRIU_SRC=criu_src,
               ZDTM_CONF_DUMP_EXTRA=args.dump_extra)
    env.pop("ZDTM_ROOTLESS", None)
    if mode == "root":
        env["ZDTM_ROOTLESS"] = "1"
    by_flavor = collections.defaultdict(list)
    for t in tests:
        by_flavor[flavor_of(criu_src, t)].append(t)
    print("== mode %s: %d tests (%s), zdtm log %s" % (
        mode, len(tests), ", ".join("%s %d" % (f, len(ts)) for f, ts in sorted(by_flavor.items())), log), flush=True)
    started = time.monotonic()
    deadline = started + args.budget_min * 60 if args.budget_min else None
    commands, exits = [], []
    with open(log, "w") as lf:
        for flavor in ("h", "ns", "uns"):
            if not by_flavor[flavor]:
                continue
            regex = "^(%s)$" % "|".join(re.escape(t) for t in by_flavor[flavor])
            cmd = ["/usr/bin/python3", "zdtm.py", "run", "-f", flavor, "--norst", "--keep-going", "-k", "never",
                   "--ignore-taint", "-p", str(args.parallel), "--criu-bin", WRAPPER, "-T", regex]
            commands.append(" ".join(cmd[:-1] + ["'<regex of the %d tests>'" % len(by_flavor[flavor])]))
            lf.flush()
            zdtm = subprocess.Popen(cmd, cwd=os.path.join(criu_src, "test"), env=dict(env, ZDTM_CONF_FLAVOR=flavor),
                                    stdout=lf, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                zdtm.wait(timeout=max(1, deadline - time.monotonic()) if deadline else None)
            except subprocess.TimeoutExpired:
                print("== mode %s: budget of %s min spent, stopping zdtm (pgid %d)" %
                      (mode, args.budget_min, zdtm.pid), flush=True)
                os.killpg(zdtm.pid, signal.SIGKILL)
                zdtm.wait()
            exits.append(zdtm.returncode)
            if deadline and time.monotonic() >= deadline:
                break
    elapsed = time.monotonic() - started
    left = kill_leftovers(criu_src)
    with open(os.path.join(out_dir, "meta-%s.json" % mode), "w") as f:
        json.dump({"mode": mode, "tests": tests, "flavors": by_flavor, "elapsed_s": round(elapsed, 1),
                   "zdtm_exits": exits, "leftovers_killed": left, "commands": commands,
                   "dump_extra": args.dump_extra}, f, indent=1)
    print("== mode %s: %.0f s, zdtm exits %s, %d leftover test processes killed" %
          (mode, elapsed, exits, len(left)), flush=True)


def zdtm_skips(out_dir, mode):
    """zdtm's reasons for the tests it skipped (`Skipping zdtm/static/NAME (reason)` in its log)."""
    path = os.path.join(out_dir, "zdtm-%s.log" % mode)
    skips = {}
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                m = SKIPPED.match(line.strip())
                if m:
                    skips[m.group(1)] = m.group(2)
    return skips


def load_rows(out_dir, mode):
    path = os.path.join(out_dir, "rows-%s.jsonl" % mode)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def blank(text):
    """A message as a class: numbers (pids, fds, inodes, sizes) and paths blanked."""
    return NUMBER.sub("N", PATH.sub("PATH", text))


def error_class(row):
    """A disagreement's class: criu's first error, or where criu succeeded our first blocker, blanked."""
    if row["agree"] == "error":
        return "prediction %s: %s" % (row["predicted"], row.get("pred_error") or "; ".join(row.get("pred_unknown", [])))
    if row["criu"] == "0":
        e = row.get("criu_error") or "(criu failed, no Error line; exit %s)" % row.get("criu_rc")
        return "criu: " + blank(e)
    first = (row.get("pred_blockers") or ["?"])[0]
    return "we blocked: " + blank(first)


def failed_by_class(tried):
    failed = collections.defaultdict(list)
    for r in tried:
        if not r["suggested_works"]:
            failed[blank(r.get("suggested_error") or "?")].append(r["test"].split("/")[-1])
    return failed


def summarize(out_dir, markdown=False):
    lines = []
    totals = collections.Counter()
    for mode in MODES:
        rows = load_rows(out_dir, mode)
        if not rows:
            continue
        meta_path = os.path.join(out_dir, "meta-%s.json" % mode)
        meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
        c = collections.Counter(r["agree"] for r in rows)
        false_ok = [r for r in rows if r["predicted"] == "1" and r["criu"] == "0"]
        false_no = [r for r in rows if r["predicted"] == "0" and r["criu"] == "1"]
        dumped = {r["test"] for r in rows}
        never = sorted(set(meta.get("tests", [])) - dumped)
        noopts = [r for r in rows if r["row"] == "noopts"]
        needs = [r for r in noopts if r.get("criu_needs_own_opts")]
        lines.append("## mode %s" % mode)
        lines.append("")
        if not markdown:
            for r in sorted(rows, key=lambda r: (r["test"], r["row"] != "opts")):
                lines.append("%s %s %s %s %s %s %s" % (r["test"], mode, r["row"], r["predicted"], r["criu"],
                                                       r["agree"], r.get("criu_error") or "-"))
            lines.append("")
        lines.append("%d agree, %d disagree, %d errors; false ok (predicted checkpointable, criu failed): %d; "
                     "false not-ok: %d" % (c["yes"], c["no"], c["error"], len(false_ok), len(false_no)))
        lines.append("%d rows (%d opts, %d noopts) from %d tests dumped; %d of %d tests run never reached a dump "
                     "(zdtm skipped them or they failed to start); run time %s s" %
                     (len(rows), len(rows) - len(noopts), len(noopts), len(dumped), len(never),
                      len(meta.get("tests", [])), meta.get("elapsed_s", "?")))
        tried = [r for r in noopts if r.get("suggested_works") is not None]
        lines.append("noopts: criu needed the test's own options in %d rows; of those we predicted 0 without them "
                     "in %d and our suggested command contained them in %d; %d of %d suggested commands run "
                     "worked%s" %
                     (len(needs), sum(r["predicted"] == "0" for r in needs),
                      sum(bool(r.get("covers_own_opts")) for r in needs),
                      sum(bool(r["suggested_works"]) for r in tried), len(tried),
                      "".join("; failed with %s: %s" % (cls, ", ".join(ts)) for cls, ts in sorted(failed_by_class(tried).items()))))
        lines.append("")
        classes = collections.defaultdict(list)
        for r in rows:
            if r["agree"] != "yes":
                kind = "false ok" if r["predicted"] == "1" else ("false not-ok" if r["predicted"] == "0" else "error")
                classes[(kind, error_class(r))].append("%s(%s)" % (r["test"].split("/")[-1], r["row"]))
        if classes:
            lines.append("| kind | class (criu's first error, or our first blocker where criu succeeded) | rows | tests |")
            lines.append("|---|---|---:|---|")
            for (kind, cls), tests in sorted(classes.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0][1])):
                lines.append("| %s | %s | %d | %s |" % (kind, cls.replace("|", "\\|"), len(tests), ", ".join(sorted(tests))))
            lines.append("")
        if never:
            skipped = zdtm_skips(out_dir, mode)
            lines.append("Never dumped: " + ", ".join(
                "%s (%s)" % (t.split("/")[-1], skipped.get(t, "failed before the dump, see zdtm's log")) for t in never))
            lines.append("")
        totals.update({"agree": c["yes"], "disagree": c["no"], "errors": c["error"], "false_ok": len(false_ok)})
    lines.append("total: %d agree, %d disagree, %d errors, %d false ok" %
                 (totals["agree"], totals["disagree"], totals["errors"], totals["false_ok"]))
    if markdown:
        lines.append("")
        lines.extend(per_test_table(out_dir))
    return "\n".join(lines)


def per_test_table(out_dir):
    """One line per test: PREDICTED/CRIU for each mode and row; `**` marks a disagreement."""
    cells = collections.defaultdict(dict)
    flavors = {}
    columns = []
    for mode in MODES:
        for r in load_rows(out_dir, mode):
            col = "%s %s" % (mode, r["row"])
            if col not in columns:
                columns.append(col)
            mark = "" if r["agree"] == "yes" else "**"
            cells[r["test"]][col] = "%s%s/%s%s" % (mark, r["predicted"], r["criu"], mark)
            flavors[r["test"]] = r.get("flavor", "?")
    columns.sort(key=lambda c: (MODES.index(c.split()[0]), c.split()[1] != "opts"))
    out = ["| test | flavor | %s |" % " | ".join(columns), "|---|---|%s" % ("---|" * len(columns))]
    for t in sorted(cells):
        out.append("| %s | %s | %s |" % (t.split("/")[-1], flavors[t], " | ".join(cells[t].get(c, "") for c in columns)))
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "summarize":
        p = argparse.ArgumentParser(prog="run.py summarize")
        p.add_argument("dir")
        p.add_argument("--markdown", action="store_true", help="counts and disagreement classes only")
        a = p.parse_args(sys.argv[2:])
        print(summarize(a.dir, a.markdown))
        return

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=MODES + ("both",), default="both")
    p.add_argument("-p", "--parallel", type=int, default=2, help="tests zdtm runs at once (zdtm -p)")
    p.add_argument("--sample", type=int, default=0, help="run N tests spread over the static suite (0: all)")
    p.add_argument("--tests", help="only the static tests whose name matches this regex (e.g. 'env00|socket')")
    p.add_argument("--own-opts", action="store_true", help="only tests whose .desc gives criu options (opts, dopts)")
    p.add_argument("--budget-min", type=float, default=0, help="stop zdtm after this many minutes per mode")
    p.add_argument("--out", help="results directory (default conformance/zdtm/out/TIMESTAMP)")
    p.add_argument("--dump-extra", default=None,
                   help="criu options appended to every dump (default: '--network-lock nftables' without iptables)")
    args = p.parse_args()

    if os.geteuid() != 0:
        die("run as root: zdtm and criu need it")
    args.criu_src = os.environ.get("CRIU_SRC") or die("set CRIU_SRC to a built CRIU source tree")
    args.criu_src = os.path.realpath(args.criu_src)
    args.criu_bin = os.environ.get("CRIU_BIN", os.path.join(args.criu_src, "criu", "criu"))
    args.checkpointable = os.environ.get("CHECKPOINTABLE_BIN", os.path.join(REPO, "out", "checkpointable"))
    for what, path in (("zdtm.py", os.path.join(args.criu_src, "test", "zdtm.py")), ("criu", args.criu_bin),
                       ("checkpointable", args.checkpointable)):
        if not os.access(path, os.X_OK if what != "zdtm.py" else os.R_OK):
            die("%s not found at %s" % (what, path))
    if not os.access(os.path.join(args.criu_src, "test", "zdtm", "static", "env00"), os.X_OK):
        die("zdtm tests are not built: make -C %s lib && make -C %s/test/zdtm -j2" % (args.criu_src, args.criu_src))
    if args.dump_extra is None:
        args.dump_extra = "" if host_has_iptables() else "--network-lock nftables"

    tests = static_tests(args.criu_src)
    excl = excluded()
    tests = [t for t in tests if t not in excl]
    not_run = [t for t in tests if never_run(args.criu_src, t)]
    tests = [t for t in tests if t not in not_run]
    if args.tests:
        r = re.compile(args.tests)
        tests = [t for t in tests if r.search(t.split("/")[-1])]
    if args.own_opts:
        tests = [t for t in tests if desc_of(args.criu_src, t).get("opts") or desc_of(args.criu_src, t).get("dopts")]
    tests = sample(tests, args.sample)
    if not tests:
        die("no test selected")

    # absolute: zdtm and the wrapper run in $CRIU_SRC/test
    out_dir = os.path.abspath(args.out or os.path.join(HERE, "out", datetime.datetime.now().strftime("%Y%m%d-%H%M%S")))
    os.makedirs(out_dir, exist_ok=True)
    print("== results in %s; criu %s; checkpointable %s; dump extra %r; %d excluded (exclude.txt), "
          "%d that zdtm runs only by hand or with a restore (noauto, reqrst, arch)" %
          (out_dir, args.criu_bin, args.checkpointable, args.dump_extra, len(excl), len(not_run)), flush=True)
    for mode in (MODES if args.mode == "both" else (args.mode,)):
        run_mode(mode, tests, args, out_dir)
    print(summarize(out_dir))


if __name__ == "__main__":
    main()
