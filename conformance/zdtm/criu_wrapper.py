#!/usr/bin/env python3
"""zdtm's --criu-bin: predicts every dump with checkpointable, then lets the real criu dump, one row per dump.

zdtm runs `CRIU_BIN ACTION --no-default-config ARGS` (test/zdtm.py, criu_cli.run). Every action but `dump`
is handed to the real criu unchanged (exec). For `dump`:

  1. row `opts`:   checkpointable -t PID <the dump's criu options> --json, then the real `criu dump` with the
                   same options; criu's exit status goes back to zdtm unchanged.
  2. row `noopts`: only for a test whose .desc gives criu options of its own (`opts`, `dopts`): the same
                   prediction and a second real dump (into a scratch images directory, after the first one,
                   so zdtm's own dump is undisturbed) with those options removed. It checks the options we
                   ask for: the row also records whether our suggested command contains the test's options,
                   and, where we predicted 0 and suggested a command, whether that command works when run.

zdtm dumps with --leave-running when run with --norst (test/zdtm.py, cr()), so both dumps leave the tree
running. ZDTM_CONF_DUMP_EXTRA (e.g. `--network-lock nftables` on a host without iptables) is appended to
every dump, prediction and criu alike, unless the dump already names a network lock.

Rows are appended as JSON lines to ZDTM_CONF_ROWS (one write per row, O_APPEND: zdtm may run tests in
parallel). Environment: ZDTM_CONF_CRIU (the real criu), ZDTM_CONF_CHECKPOINTABLE, ZDTM_CONF_ROWS,
ZDTM_CONF_MODE and ZDTM_CONF_FLAVOR (labels), ZDTM_CONF_CRIU_SRC (the source tree whose test/ zdtm runs in).
"""
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CRIU = os.environ.get("ZDTM_CONF_CRIU", "")
CHECKPOINTABLE = os.environ.get("ZDTM_CONF_CHECKPOINTABLE", "")
ROWS = os.environ.get("ZDTM_CONF_ROWS", "")
MODE = os.environ.get("ZDTM_CONF_MODE", "?")
FLAVOR = os.environ.get("ZDTM_CONF_FLAVOR", "?")
CRIU_SRC = os.environ.get("ZDTM_CONF_CRIU_SRC", "")
DUMP_EXTRA = os.environ.get("ZDTM_CONF_DUMP_EXTRA", "").split()

# zdtm waits 60 s for a criu command (criu_cli.run); the prediction must leave criu most of it.
PREDICTION_TIMEOUT_S = 20
CRIU_TIMEOUT_S = 45
# criu's log lines: "(00.012345) Error (criu/cr-dump.c:1234): message" (criu/log.c, print_on_level).
ERROR_LINE = re.compile(r"^\([0-9. ]+\)\s+(?:\d+:\s+)?(Error \(.*)$")
BLOCKERS_KEPT = 3
ERRORS_KEPT = 3
# Logged at Error level, then criu goes on: raising its own RLIMIT_NOFILE fails without CAP_SYS_RESOURCE
# (criu/util.c rlimit_unlimit_nofile), on every dump such a root makes, successful or not.
NON_FATAL_ERRORS = ("rlimit: Can't setup RLIMIT_NOFILE for self",)
CRIU_TIMED_OUT = 124  # timeout(1)'s status: criu did not finish within CRIU_TIMEOUT_S


def option_value(args, name):
    """The value of criu option NAME in ARGS (`NAME VALUE` or `NAME=VALUE`), or None."""
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def without_option(args, name, takes_value):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == name:
            skip = takes_value
            continue
        if a.startswith(name + "="):
            continue
        out.append(a)
    return out


def replaced_option(args, name, value):
    return without_option(args, name, True) + [name, value]


def without_sequence(args, seq):
    """ARGS with the first contiguous occurrence of SEQ removed (zdtm appends the .desc options as one run)."""
    n = len(seq)
    for i in range(len(args) - n + 1):
        if args[i:i + n] == seq:
            return args[:i] + args[i + n:]
    return None


def test_name(args):
    """zdtm/static/NAME from the dump's --pidfile (zdtm passes realpath(test + '.pid'), zdtm_test.__getcropts)."""
    pidfile = option_value(args, "--pidfile")
    if not pidfile:
        return "?"
    path = pidfile[:-len(".pid")] if pidfile.endswith(".pid") else pidfile
    base = os.path.join(CRIU_SRC, "test") if CRIU_SRC else os.getcwd()
    rel = os.path.relpath(path, base)
    return path if rel.startswith("..") else rel


def own_options(name):
    """The test's own criu options for dump: 'opts' and 'dopts' of its .desc, as zdtm reads them (getdopts)."""
    base = os.path.join(CRIU_SRC, "test") if CRIU_SRC else os.getcwd()
    path = os.path.join(base, name + ".desc")
    try:
        with open(path) as f:
            text = f.read().strip()
        desc = eval(text) if text else {}  # as zdtm reads it (get_test_desc): some .desc files are expressions
    except OSError:
        desc = {}
    return desc.get("opts", "").split(), desc.get("dopts", "").split()


def error_lines(log_path):
    """criu's `Error (...)` lines, without those it logs and goes on from (NON_FATAL_ERRORS)."""
    try:
        with open(log_path, errors="replace") as f:
            lines = [m.group(1).strip() for m in map(ERROR_LINE.match, f) if m]
    except OSError:
        return ["(no log: %s)" % log_path]
    return [e for e in lines if not any(n in e for n in NON_FATAL_ERRORS)]


def predict(pid, args):
    """checkpointable's answer for the tree with these criu options: verdict 1/0/?/ERR and the evidence."""
    cmd = [CHECKPOINTABLE, "-t", pid] + args + ["--json"]
    started = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=PREDICTION_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"predicted": "ERR", "pred_exit": None, "pred_error": str(e), "pred_s": time.monotonic() - started}
    out = {"pred_exit": p.returncode, "pred_s": round(time.monotonic() - started, 3)}
    try:
        j = json.loads(p.stdout)
    except ValueError:
        out["predicted"] = "ERR"
        out["pred_error"] = (p.stderr.strip().splitlines() or [""])[0]
        return out
    out["predicted"] = {"checkpointable": "1", "not-checkpointable": "0"}.get(j.get("verdict"), "?")
    blockers = [f for f in j.get("findings", []) if f.get("blocks")]
    unknown = [f for f in j.get("findings", []) if f.get("severity") == "unknown"]
    out["pred_blockers"] = ["%s: %s" % (f.get("rule"), f.get("reason")) for f in blockers[:BLOCKERS_KEPT]]
    out["pred_blockers_n"] = len(blockers)
    if out["predicted"] == "?":
        out["pred_unknown"] = ["%s: %s" % (f.get("rule"), f.get("reason")) for f in unknown[:BLOCKERS_KEPT]]
    out["suggested"] = j.get("command")
    out["missing"] = j.get("missingOptions")
    return out


def run_criu(args, log_path):
    started = time.monotonic()
    try:
        rc = subprocess.run([CRIU, "dump"] + args, timeout=CRIU_TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        rc = CRIU_TIMED_OUT
    errors = error_lines(log_path)
    return {"criu_rc": rc, "criu": "1" if rc == 0 else "0", "criu_error": errors[0] if rc and errors else "",
            "criu_errors": errors[:ERRORS_KEPT], "criu_s": round(time.monotonic() - started, 3)}


def run_suggested(command):
    """Runs the `criu dump` command we suggested without the test's options, into a scratch directory."""
    words = shlex.split(command)
    if words[:2] != ["criu", "dump"]:
        return {"suggested_works": None}
    scratch = tempfile.mkdtemp(prefix="zdtm-conf-suggested-")
    try:
        args = replaced_option(words[2:], "--images-dir", scratch)
        result = run_criu(args, log_path_of(args))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"suggested_works": result["criu"] == "1", "suggested_error": result["criu_error"]}


def log_path_of(args):
    images = option_value(args, "--images-dir") or option_value(args, "-D") or "."
    log = option_value(args, "--log-file") or option_value(args, "-o") or "dump.log"
    # criu opens a relative log file in its work directory, the images directory by default (criu/log.c).
    return log if os.path.isabs(log) else os.path.join(images, log)


def covers(suggested, opts):
    """Whether the suggested command contains every option name of the test's own options."""
    if not suggested:
        return False
    words = suggested.split()
    names = [o.split("=")[0] for o in opts if o.startswith("-")]
    return all(any(w == n or w.startswith(n + "=") for w in words) for n in names)


def agree(row):
    if row["predicted"] not in ("0", "1"):
        return "error"
    return "yes" if row["predicted"] == row["criu"] else "no"


def write_row(row):
    if not ROWS:
        return
    line = (json.dumps(row, sort_keys=True) + "\n").encode()
    fd = os.open(ROWS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def dump(argv_after_action):
    args = list(argv_after_action)
    if DUMP_EXTRA and option_value(args, "--network-lock") is None:
        args += DUMP_EXTRA
    pid = option_value(args, "--tree") or option_value(args, "-t")
    query = without_option(without_option(args, "--tree", True), "-t", True)
    name = test_name(args)
    opts, dopts = own_options(name)
    own = opts + dopts

    noopts_query = None
    if own:
        q = query
        for seq in (opts, dopts):
            if seq and q is not None:
                q = without_sequence(q, seq)
        noopts_query = q

    base = {"test": name, "mode": MODE, "flavor": FLAVOR, "pid": pid, "own_opts": " ".join(own)}
    rows = [dict(base, row="opts", args=" ".join(query), **predict(pid, query))]
    if noopts_query is not None:
        rows.append(dict(base, row="noopts", args=" ".join(noopts_query), **predict(pid, noopts_query)))

    result = run_criu(args, log_path_of(args))
    rows[0].update(result)

    if noopts_query is not None:
        scratch = tempfile.mkdtemp(prefix="zdtm-conf-noopts-")
        try:
            noopts_args = replaced_option(["--tree", pid] + noopts_query, "--images-dir", scratch)
            rows[1].update(run_criu(noopts_args, log_path_of(noopts_args)))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        rows[1]["covers_own_opts"] = covers(rows[1].get("suggested"), own)
        rows[1]["criu_needs_own_opts"] = rows[1]["criu"] == "0" and rows[0]["criu"] == "1"
        suggested = rows[1].get("suggested")
        if rows[1]["predicted"] == "0" and suggested:
            rows[1].update(run_suggested(suggested))

    for r in rows:
        r["agree"] = agree(r)
        try:
            write_row(r)
        except OSError as e:  # a lost row must not change what zdtm gets back from criu
            print("criu_wrapper: cannot write the row to %s: %s" % (ROWS, e), file=sys.stderr)
    return result["criu_rc"]


def main():
    if not CRIU:
        sys.exit("criu_wrapper: ZDTM_CONF_CRIU is not set (run it through conformance/zdtm/run.py)")
    if len(sys.argv) < 2 or sys.argv[1] != "dump":
        os.execv(CRIU, [CRIU] + sys.argv[1:])
    rc = dump(sys.argv[2:])
    if rc < 0:
        # criu died of a signal: die of it too, zdtm tells a crash from a refusal (criu_cli.exit_signal).
        signal.signal(-rc, signal.SIG_DFL)
        os.kill(os.getpid(), -rc)
    sys.exit(rc)


if __name__ == "__main__":
    main()
