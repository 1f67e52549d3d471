#!/usr/bin/env python3
"""Daemons conformance harness: does `checkpointable -t PID` agree with the real `criu dump -t PID`
on daemons installed from Debian and started as their packages start them?

For every daemon configuration (daemons.py), in two states (idle; clients connected from outside the
tree over TCP on 127.0.0.1 and over its unix socket where it has one), and for every option set (none,
--tcp-established, --shell-job, --file-locks, --ext-unix-sk, all four, then the command the predictor
suggests, run verbatim), it judges the tree rooted at the daemon's main pid and then dumps it with the
real criu (--leave-running), one row each. Every prediction and every criu run gets the same network
lock option (default `--network-lock nftables`: this host has no iptables). Run as root, by hand,
never in CI. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import grp
import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from daemons import Spec, all_specs  # noqa: E402
from launch import (Client, HarnessError, Launched, ensure_clients, pid_alive, probe, stop_tree,  # noqa: E402
                    tcp_port_free, tree_pids, wait_settled)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OPTION_SETS: list[tuple[str, list[str]]] = [
    ("none", []),
    ("--tcp-established", ["--tcp-established"]),
    ("--shell-job", ["--shell-job"]),
    ("--file-locks", ["--file-locks"]),
    ("--ext-unix-sk", ["--ext-unix-sk"]),
    ("all four", ["--tcp-established", "--shell-job", "--file-locks", "--ext-unix-sk"]),
]
SUGGESTED = "suggested"
STATES = ("idle", "clients")
READY_TIMEOUT_S = 90
PREDICT_TIMEOUT_S = 120
CRIU_TIMEOUT_S = 600
EXIT_CHECKPOINTABLE = 0
EXIT_NOT_CHECKPOINTABLE = 1
CRIU_ERROR = re.compile(r"^\(\s*[\d.]+\)\s+Error \((.*)$")
# Logged as an error at every start of a criu without CAP_SYS_RESOURCE, which then carries on
# (criu/util.c rlimit_unlimit_nofile): not the reason of any failure.
CRIU_BENIGN_ERRORS = ("rlimit: Can't setup RLIMIT_NOFILE for self",)


@dataclass
class Row:
    daemon: str
    variant: str
    state: str
    options: str
    argv: list[str] = field(default_factory=list)  # the criu options of the row (network lock included)
    pids: int = 0  # processes in the tree when judged
    predicted: int | None = None  # 1 checkpointable, 0 not, None: no verdict (error)
    predictor_exit: int | None = None
    first_blocker: str = ""
    suggested: str | None = None  # the command the predictor suggested (only on the "none" row)
    criu_exit: int | None = None
    criu_error: str = ""
    criu_seconds: float = 0.0
    agree: bool | None = None  # None: error (no verdict, or the state could not be built)
    repeat: str = ""  # for a disagreement: the outcome of running the row again
    note: str = ""

    @property
    def false_ok(self) -> bool:
        return self.predicted == 1 and self.criu_exit not in (None, 0)


def build_real_ids_shim(work_root: Path) -> Path:
    """Compiles real-ids.c (see there) into work_root."""
    shim = work_root / "real-ids.so"
    if not shim.exists():
        subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", str(shim), str(HERE / "real-ids.c")],
                       check=True)
    return shim


def runner_prefix(ids: tuple[str, str] | None, work_root: Path) -> list[str]:
    """The command prefix that runs criu and the predictor as root with real uid/gid `ids`."""
    if ids is None:
        return []
    uid, gid = pwd.getpwnam(ids[0]).pw_uid, grp.getgrnam(ids[1]).gr_gid
    return ["env", f"LD_PRELOAD={build_real_ids_shim(work_root)}", f"CK_REAL_UID={uid}", f"CK_REAL_GID={gid}"]


def predict(binary: str, pid: int, options: list[str], prefix: list[str]) -> tuple[int | None, int, str, str | None, str]:
    """-> (predicted 1/0/None, exit status, first blocker, suggested command, error text)."""
    done = subprocess.run([*prefix, binary, "-t", str(pid), "--json", *options], capture_output=True, text=True,
                          timeout=PREDICT_TIMEOUT_S)
    if done.returncode not in (EXIT_CHECKPOINTABLE, EXIT_NOT_CHECKPOINTABLE):
        return None, done.returncode, "", None, (done.stderr.strip() or done.stdout.strip())[:300]
    report = json.loads(done.stdout)
    blockers = [f for f in report.get("findings", []) if f.get("blocks")]
    first = ""
    if blockers:
        b = blockers[0]
        first = f"{b.get('rule')} pid {b.get('pid')} {b.get('resource')}: {b.get('reason')}"
    predicted = 1 if done.returncode == EXIT_CHECKPOINTABLE else 0
    return predicted, done.returncode, first, report.get("command"), ""


def criu_dump(criu: str, argv_tail: list[str], logs: Path | None, log_name: str,
              prefix: list[str]) -> tuple[int, str, float]:
    """Runs `criu dump ARGS -D DIR -o dump.log -v4 --leave-running`; -> (exit, first Error line, seconds).
    The images are always removed; the log is kept in `logs` when given."""
    images = Path(tempfile.mkdtemp(prefix="ck-daemons-dump-"))
    started = time.monotonic()
    try:
        try:
            done = subprocess.run([*prefix, criu, *argv_tail, "-D", str(images), "-o", "dump.log", "-v4", "--leave-running"],
                                  capture_output=True, text=True, timeout=CRIU_TIMEOUT_S)
            code, stderr = done.returncode, done.stderr
        except subprocess.TimeoutExpired:
            code, stderr = -1, f"criu timed out after {CRIU_TIMEOUT_S}s"
        seconds = time.monotonic() - started
        log = images / "dump.log"
        first = ""
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
        for line in lines if code != 0 else []:
            m = CRIU_ERROR.match(line)
            if m and not any(b in line for b in CRIU_BENIGN_ERRORS):
                first = m.group(1).strip()
                break
        if code != 0 and not first:
            first = (lines[-1].strip() if lines else stderr.strip()[:200]) or "(no log)"
        if logs is not None and log.exists():
            shutil.copy(log, logs / f"{log_name}.log")
        return code, first, seconds
    finally:
        shutil.rmtree(images, ignore_errors=True)


class Harness:
    def __init__(self, args: argparse.Namespace) -> None:
        self.binary: str = args.checkpointable
        self.criu: str = args.criu
        self.netlock: list[str] = [] if args.network_lock == "none" else ["--network-lock", args.network_lock]
        self.logs: Path | None = Path(args.logs).resolve() if args.logs else None
        self.repeat: bool = not args.no_repeat
        self.keep: bool = args.keep
        self.daemon_output_to_log: bool = args.daemon_output
        self.rows: list[Row] = []
        self.work_root = Path(tempfile.mkdtemp(prefix="ck-daemons-"))

    # --- one row ---------------------------------------------------------------------------------
    def judge_and_dump(self, row: Row, pid: int, criu_options: list[str], prefix: list[str],
                       criu_argv: list[str] | None = None, promised: bool = False) -> None:
        row.argv = criu_options
        row.pids = len(tree_pids(pid))
        if promised:
            row.predicted, row.predictor_exit = 1, 0
        else:
            row.predicted, row.predictor_exit, row.first_blocker, row.suggested, err = \
                predict(self.binary, pid, criu_options, prefix)
            if row.predicted is None:
                row.note = f"predictor exit {row.predictor_exit}: {err}"
        tail = criu_argv if criu_argv is not None else ["dump", "-t", str(pid), *criu_options]
        log_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{row.daemon}-{row.variant}-{row.state}-{row.options}")
        row.criu_exit, row.criu_error, row.criu_seconds = criu_dump(self.criu, tail, self.logs, log_name, prefix)
        if not pid_alive(pid):
            row.note = (row.note + "; " if row.note else "") + "daemon died after the dump"
        if row.predicted is not None:
            row.agree = (row.predicted == 1) == (row.criu_exit == 0)

    def run_row(self, spec: Spec, state: str, label: str, pid: int, options: list[str],
                criu_argv: list[str] | None = None, promised: bool = False) -> Row:
        row = Row(spec.name, spec.variant, state, label)
        prefix = runner_prefix(spec.runner_ids, self.work_root)
        try:
            self.judge_and_dump(row, pid, options, prefix, criu_argv, promised)
            if row.agree is False and self.repeat:
                again = Row(spec.name, spec.variant, state, label)
                self.judge_and_dump(again, pid, options, prefix, criu_argv, promised)
                same = again.predicted == row.predicted and (again.criu_exit == 0) == (row.criu_exit == 0)
                row.repeat = "same" if same else f"differs: predicted {again.predicted}, criu {again.criu_exit}"
        except (subprocess.SubprocessError, json.JSONDecodeError, OSError) as e:
            row.agree = None
            row.note = f"harness: {e}"
        self.emit(row)
        return row

    def emit(self, row: Row) -> None:
        self.rows.append(row)
        verdict = {True: "agree", False: "DISAGREE", None: "ERROR"}[row.agree] if not no_suggestion(row) else "n/a"
        predicted = "-" if row.predicted is None else str(row.predicted)
        criu = "-" if row.criu_exit is None else str(row.criu_exit)
        options = f"suggested: {' '.join(row.argv)}" if row.options == SUGGESTED and row.argv else row.options
        print(f"{row.daemon:<10} {row.variant:<8} {row.state:<8} {options:<19} predicted={predicted} "
              f"criu={criu:<3} {verdict:<8} | ours: {row.first_blocker[:90] or '-'} | criu: {row.criu_error[:110] or '-'}"
              + (f" | {row.note}" if row.note else "") + (f" | repeat: {row.repeat}" if row.repeat else ""),
              flush=True)

    def error_rows(self, spec: Spec, states: list[str], reason: str) -> None:
        for state in states:
            for label, _ in [*OPTION_SETS, (SUGGESTED, [])]:
                self.emit(Row(spec.name, spec.variant, state, label, note=reason))

    # --- one state: the six option sets, then the suggested command ---------------------------------
    def run_state(self, spec: Spec, state: str, pid: int, clients: list[Client], log: Path) -> None:
        suggested: str | None = None
        for label, options in OPTION_SETS:
            restarted = ensure_clients(clients, log) if clients else []
            if restarted:
                wait_settled(pid)
            row = self.run_row(spec, state, label, pid, [*self.netlock, *options])
            if restarted:
                row.note = (row.note + "; " if row.note else "") + f"client reconnected: {','.join(restarted)}"
            if label == "none":
                suggested = row.suggested
        if clients:
            ensure_clients(clients, log)
        if suggested is None:
            self.emit(Row(spec.name, spec.variant, state, SUGGESTED, note="no command suggested"))
            return
        words = shlex.split(suggested)
        if words[:2] != ["criu", "dump"]:
            self.emit(Row(spec.name, spec.variant, state, SUGGESTED, note=f"not a criu dump command: {suggested}"))
            return
        row = self.run_row(spec, state, SUGGESTED, pid, words[2:], criu_argv=words[1:], promised=True)
        row.suggested = suggested

    # --- one daemon configuration ---------------------------------------------------------------
    def run_spec(self, spec: Spec, states: list[str]) -> None:
        work = self.work_root / f"{spec.name}-{spec.variant}"
        work.mkdir()
        log = (self.logs / f"{spec.name}-{spec.variant}.daemon.log") if self.logs else work / "daemon.log"
        launched = Launched(log, self.daemon_output_to_log)
        clients: list[Client] = []
        pid: int | None = None
        try:
            missing = [p for p in spec.packages if not package_installed(p)]
            if missing:
                raise HarnessError(f"not installed: {' '.join(missing)} (run with --install)")
            busy = [port for port in spec.tcp_ports if not tcp_port_free("127.0.0.1", port)]
            if busy:
                raise HarnessError(f"127.0.0.1 port(s) in use: {busy}")
            pid = spec.start(launched, work)
            wait_ready(spec, pid)
            if spec.after_start:
                spec.after_start(launched, work)
            wait_settled(pid)
            print(f"# {spec.label}: main pid {pid}, {len(tree_pids(pid))} processes", flush=True)
            for state in states:
                if state == "clients":
                    clients = spec.clients(work)
                    if not clients:
                        continue  # nothing to connect with (cron)
                    ensure_clients(clients, log)
                    wait_settled(pid)
                    print(f"# {spec.label}: clients connected ({', '.join(c.kind for c in clients)}), "
                          f"{len(tree_pids(pid))} processes", flush=True)
                if not pid_alive(pid):
                    raise HarnessError(f"daemon {pid} exited")
                self.run_state(spec, state, pid, clients, log)
        except HarnessError as e:
            done = {r.state for r in self.rows if (r.daemon, r.variant) == (spec.name, spec.variant)}
            self.error_rows(spec, [s for s in states if s not in done], f"harness: {e}")
        finally:
            for client in clients:
                client.stop()
            killed = stop_tree(pid, launched, spec.stop_signal)
            if killed:
                print(f"# {spec.label}: SIGKILLed {killed} after the stop signal", flush=True)
            if spec.cleanup:
                spec.cleanup(work)
            if not self.keep:
                shutil.rmtree(work, ignore_errors=True)

    def finish(self) -> None:
        if not self.keep:
            shutil.rmtree(self.work_root, ignore_errors=True)


def no_suggestion(row: Row) -> bool:
    """The suggested-command row of a state for which the predictor offered no command: not a dump."""
    return row.options == SUGGESTED and row.note.startswith("no command suggested")


def wait_ready(spec: Spec, pid: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = list(spec.ready)
    while pending and time.monotonic() < deadline:
        if not pid_alive(pid):
            raise HarnessError(f"main pid {pid} exited while starting")
        pending = [p for p in pending if not probe(*p)]
        if pending:
            time.sleep(0.3)
    if pending:
        raise HarnessError(f"not ready after {READY_TIMEOUT_S}s: {pending}")
    if not pid_alive(pid):
        raise HarnessError(f"main pid {pid} exited while starting")


def package_installed(name: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.endswith(" installed")


def summary_lines(rows: list[Row], seconds: float) -> list[str]:
    judged = [r for r in rows if r.agree is not None]
    agree = sum(1 for r in judged if r.agree)
    errors = [r for r in rows if r.agree is None and not no_suggestion(r)]
    false_ok = sum(1 for r in judged if r.false_ok)
    false_no = sum(1 for r in judged if r.predicted == 0 and r.criu_exit == 0)
    sugg = [r for r in rows if r.options == SUGGESTED and r.agree is not None]
    sugg_ok = sum(1 for r in sugg if r.criu_exit == 0)
    none_suggested = sum(1 for r in rows if no_suggestion(r))
    as_root = [r for r in judged if r.variant != "package"]
    return [
        f"{agree} agree, {len(judged) - agree} disagree, {len(errors)} errors",
        f"false ok (predicted 1, criu failed): {false_ok}; false not-ok (predicted 0, criu dumped): {false_no}",
        f"suggested commands: {sugg_ok} of {len(sugg)} worked when run ({none_suggested} states without a suggestion)",
        f"rows where criu's privileges do not matter (as-root, real-ids): {sum(1 for r in as_root if r.agree)} of "
        f"{len(as_root)} agree",
        f"run time: {seconds / 60:.1f} min",
    ]


def criu_class(message: str) -> str:
    """criu's first error without its source line and numbers: 'criu/cr-dump.c: Can't get rlimit N'."""
    m = re.match(r"([\w/.-]+):\d+\):\s*(.*)", message)
    text = f"{m.group(1)}: {m.group(2)}" if m else message
    return re.sub(r"\d+", "N", text)[:110] or "(dumped)"


def markdown(rows: list[Row], args: argparse.Namespace, seconds: float, command: str) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    kernel = os.uname().release
    criu_version = subprocess.run([args.criu, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    out = ["# Daemons conformance results", "",
           f"Run on {dt.date.today().isoformat()}: kernel {kernel}, {criu_version} (`{args.criu}`), "
           f"checkpointable built from commit `{commit}` (`{args.checkpointable}`); criu runs as root without "
           "CAP_SYS_RESOURCE (`capsh --print`).", "",
           f"Reproduce (as root, from the repository root): `{command}`", "",
           "## Summary", "", *[f"- {line}" for line in summary_lines(rows, seconds)], ""]
    dis = [r for r in rows if r.agree is False]
    if dis:
        out += ["## Disagreements by class (criu's first error vs our first blocker)", "",
                "| criu's first error | our first blocker | rows | false ok | daemons (config/state/options) |",
                "|---|---|---:|---:|---|"]
        groups: dict[tuple[str, str], list[Row]] = {}
        for r in dis:
            ours = r.first_blocker.split(" ", 1)[0] if r.first_blocker else ("(suggested)" if r.options == SUGGESTED
                                                                           else "(none: predicted 1)")
            groups.setdefault((criu_class(r.criu_error) if r.criu_exit else "(dumped)", ours), []).append(r)
        for (criu_c, ours), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            names = ", ".join(f"{r.daemon}/{r.variant}/{r.state}/{r.options}" for r in members)
            out.append(f"| {cell(criu_c)} | {cell(ours)} | {len(members)} | {sum(r.false_ok for r in members)} | "
                       f"{cell(names)} |")
        out.append("")
    out += ["## All rows", "",
            "PREDICTED: 1 checkpointable, 0 not, `-` no verdict. CRIU: criu's exit status. `suggested`: the predictor's "
            "command for the state (from its no-option judgement), run verbatim with `-D DIR -o dump.log -v4 "
            "--leave-running` appended. Every row's criu options include the network lock "
            f"(`{' '.join(['--network-lock', args.network_lock]) if args.network_lock != 'none' else 'none'}`).", "",
            "| daemon | config | state | options | procs | PREDICTED | CRIU | AGREE | our first blocker | criu's first error | note |",
            "|---|---|---|---|---:|:-:|:-:|:-:|---|---|---|"]
    for r in rows:
        verdict = {True: "yes", False: "**NO**", None: "error"}[r.agree] if not no_suggestion(r) else "n/a"
        opts = r.options if r.options != SUGGESTED else f"suggested: `{' '.join(r.argv)}`" if r.argv else SUGGESTED
        note = "; ".join(x for x in [r.note, f"repeat: {r.repeat}" if r.repeat else ""] if x)
        out.append(f"| {r.daemon} | {r.variant} | {r.state} | {cell(opts)} | {r.pids or ''} | "
                   f"{'-' if r.predicted is None else r.predicted} | {'-' if r.criu_exit is None else r.criu_exit} | "
                   f"{verdict} | {cell(r.first_blocker[:160])} | {cell(r.criu_error[:160])} | {cell(note[:160])} |")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpointable", default=os.environ.get("CHECKPOINTABLE_BIN", str(REPO / "out/checkpointable")))
    parser.add_argument("--criu", default=os.environ.get("CRIU_BIN", shutil.which("criu") or "criu"))
    parser.add_argument("--only", help="comma-separated daemon names or name/variant (e.g. redis,nginx/as-root)")
    parser.add_argument("--variant", choices=["package", "as-root", "all"], default="all")
    parser.add_argument("--states", default=",".join(STATES), help="idle,clients (default both)")
    parser.add_argument("--network-lock", default="nftables", choices=["nftables", "iptables", "skip", "none"],
                        help="given to every prediction and criu run (none: not given)")
    parser.add_argument("--markdown", help="write the results table (e.g. conformance/daemons/RESULTS.md)")
    parser.add_argument("--jsonl", help="write one JSON object per row")
    parser.add_argument("--logs", help="keep criu's dump.log of every row and each daemon's log in this directory")
    parser.add_argument("--no-repeat", action="store_true", help="do not run a disagreeing row a second time")
    parser.add_argument("--daemon-output", action="store_true",
                        help="send the daemons' stdout/stderr to their log (default /dev/null; changes the trees' fds)")
    parser.add_argument("--keep", action="store_true", help="keep the daemons' temporary config directories")
    parser.add_argument("--install", action="store_true", help="apt-get install the missing packages first")
    parser.add_argument("--list", action="store_true", help="list the daemon configurations and exit")
    args = parser.parse_args()

    specs = all_specs()
    if args.only:
        wanted = set(args.only.split(","))
        specs = [s for s in specs if s.name in wanted or s.label in wanted]
    if args.variant != "all":
        specs = [s for s in specs if s.variant == args.variant]
    if args.list:
        for s in specs:
            print(f"{s.label:<20} {s.how}")
        return 0
    if os.geteuid() != 0:
        print("run as root: the daemons start as their packages start them, and criu dumps as root", file=sys.stderr)
        return 2
    for tool, path in (("checkpointable", args.checkpointable), ("criu", args.criu)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f"{tool} binary not found: {path} (set {'CHECKPOINTABLE_BIN' if tool != 'criu' else 'CRIU_BIN'})",
                  file=sys.stderr)
            return 2
    if args.install:
        missing = sorted({p for s in specs for p in s.packages if not package_installed(p)})
        if missing:
            subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=900", "install", "-y", "--no-install-recommends",
                            *missing], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if args.logs:
        Path(args.logs).mkdir(parents=True, exist_ok=True)
    states = [s for s in args.states.split(",") if s]
    # The reproducing command: the binaries and the options that change rows (not where logs go).
    kept: list[str] = []
    skip_next = False
    for arg in sys.argv[1:]:
        if skip_next:
            skip_next = False
        elif arg in ("--jsonl", "--logs"):
            skip_next = True
        elif not arg.startswith(("--jsonl=", "--logs=")):
            kept.append(arg)
    command = (f"CHECKPOINTABLE_BIN={shlex.quote(args.checkpointable)} CRIU_BIN={shlex.quote(args.criu)} "
               "conformance/daemons/run.py " + " ".join(shlex.quote(a) for a in kept))
    started = time.monotonic()
    harness = Harness(args)
    try:
        for spec in specs:
            harness.run_spec(spec, states)
    finally:
        harness.finish()
    seconds = time.monotonic() - started
    lines = summary_lines(harness.rows, seconds)
    print("\n".join(lines))
    if args.jsonl:
        with open(args.jsonl, "w", encoding="utf-8") as f:
            for r in harness.rows:
                f.write(json.dumps(asdict(r)) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(markdown(harness.rows, args, seconds, command), encoding="utf-8")
    disagree = sum(1 for r in harness.rows if r.agree is False)
    errors = sum(1 for r in harness.rows if r.agree is None and not no_suggestion(r))
    return 0 if disagree == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
