"""Starting, finding and stopping daemon process trees, and their outside clients.

This machine has no systemd, so a daemon is started as its package's unit (or init script) would
start it: the same command line, user, umask and runtime directory, in a session of its own
(systemd runs every service as a session leader with stdin on /dev/null). What systemd adds on top
(PrivateTmp, ProtectSystem, capability bounding sets, NoNewPrivileges, LimitNOFILE above this
host's hard limit) is not reproduced; README.md lists it per daemon.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

# What systemd gives a service: a plain PATH and nothing of the caller's environment.
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 20
SETTLE_INTERVAL_S = 0.7
SETTLE_STABLE_SAMPLES = 3
SETTLE_MAX_S = 20
CLIENT_CONNECT_WAIT_S = 1.5


class HarnessError(Exception):
    """A state could not be built (a daemon did not start, a client could not connect)."""


def service_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"PATH": SERVICE_PATH, "LANG": "C.UTF-8"}
    if extra:
        env.update(extra)
    return env


def as_user(user: str | None, group: str | None, argv: list[str]) -> list[str]:
    """systemd's User=/Group=: real, effective and saved ids plus the user's supplementary groups,
    switched by exec so the daemon keeps the pid it was started with."""
    if user is None:
        return argv
    return ["setpriv", f"--reuid={user}", f"--regid={group or user}", "--init-groups", "--", *argv]


def make_runtime_dir(path: str, mode: int, owner: str = "root", group: str = "root") -> None:
    """systemd's RuntimeDirectory=: created (or fixed) before the start."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["chown", f"{owner}:{group}", path], check=True)
    os.chmod(path, mode)


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def children_map() -> dict[int, list[int]]:
    """Parent -> children over every thread of every process (criu follows the children of every
    thread, /proc/PID/task/TID/children)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_pids(root: int) -> list[int]:
    tree = children_map()
    seen: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in seen or not pid_alive(pid):
            continue
        seen.append(pid)
        stack.extend(tree.get(pid, []))
    return seen


def wait_settled(root: int) -> None:
    """Waits until the set of processes in the tree stops changing (workers forked, helpers gone)."""
    deadline = time.monotonic() + SETTLE_MAX_S
    last: list[int] | None = None
    stable = 0
    while time.monotonic() < deadline:
        current = sorted(tree_pids(root))
        stable = stable + 1 if current == last else 0
        if stable >= SETTLE_STABLE_SAMPLES:
            return
        last = current
        time.sleep(SETTLE_INTERVAL_S)


def probe(kind: str, target: str) -> bool:
    """True when a listener accepts: kind "tcp" (target HOST:PORT), "unix" (a stream socket path),
    "file" (a path exists: a pid file, a FIFO)."""
    if kind == "file":
        return os.path.exists(target)
    if kind == "tcp":
        host, port = target.rsplit(":", 1)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        address: object = (host.strip("[]"), int(port))
    else:
        family = socket.AF_UNIX
        address = target
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        try:
            s.connect(address)
            return True
        except OSError:
            return False


def tcp_port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def read_pidfile(path: str, timeout_s: float = START_TIMEOUT_S) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            text = Path(path).read_text(encoding="ascii").split()
            if text and text[0].isdigit() and pid_alive(int(text[0])):
                return int(text[0])
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    raise HarnessError(f"no live pid in {path} after {timeout_s}s")


@dataclass
class Launched:
    """What the harness started for one daemon, so it can stop exactly that."""

    log: Path
    # The daemon's own stdout/stderr: /dev/null, as init scripts (start-stop-daemon) leave them, so
    # no row depends on where the harness keeps its logs (systemd would connect them to journald, a
    # unix socket outside the tree, which this host does not run). True: the log file, to debug.
    daemon_output_to_log: bool = False
    launchers: list[subprocess.Popen] = field(default_factory=list)

    def spawn(self, argv: list[str], env: dict[str, str] | None = None, umask: int | None = None,
              cwd: str | None = None) -> subprocess.Popen:
        def before_exec() -> None:
            if umask is not None:
                os.umask(umask)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)

        with open(self.log, "ab") as out:
            out.write(f"$ {' '.join(argv)}\n".encode())
            out.flush()
            output = out if self.daemon_output_to_log else subprocess.DEVNULL
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                    env=env if env is not None else service_env(), cwd=cwd or "/",
                                    start_new_session=True, preexec_fn=before_exec)
        self.launchers.append(proc)
        return proc

    def foreground(self, argv: list[str], **kw: object) -> int:
        """Type=simple/notify: the process started is the daemon (exec chains keep its pid)."""
        return self.spawn(argv, **kw).pid  # type: ignore[arg-type]

    def forking(self, argv: list[str], pidfile: str, **kw: object) -> int:
        """Type=forking: the launcher exits once the daemon runs; the daemon's pid is in a pid file."""
        if os.path.exists(pidfile):  # a stale one from an earlier run would name another process
            os.unlink(pidfile)
        proc = self.spawn(argv, **kw)  # type: ignore[arg-type]
        try:
            code = proc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            raise HarnessError(f"{argv[0]} did not return within {START_TIMEOUT_S}s") from e
        if code != 0:
            raise HarnessError(f"{' '.join(argv)} exited {code} (see {self.log})")
        return read_pidfile(pidfile)

    def run(self, argv: list[str], env: dict[str, str] | None = None, check: bool = True,
            input_text: str | None = None) -> subprocess.CompletedProcess:
        """A helper command that ends (setup, a pid query): its output goes to the log."""
        with open(self.log, "ab") as out:
            out.write(f"$ {' '.join(argv)}\n".encode())
        done = subprocess.run(argv, env=env if env is not None else service_env(), capture_output=True,
                              text=True, input=input_text, timeout=START_TIMEOUT_S)
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(done.stdout + done.stderr)
        if check and done.returncode != 0:
            raise HarnessError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()[:200]}")
        return done


def stop_tree(main_pid: int | None, launched: Launched, stop_signal: int) -> list[int]:
    """Stops the daemon: its stop signal to the main pid, then SIGKILL to whatever of its tree and of
    the process groups the harness started is left. Returns the pids that needed SIGKILL."""
    pids = tree_pids(main_pid) if main_pid and pid_alive(main_pid) else []
    groups = {p.pid for p in launched.launchers}
    if main_pid and pid_alive(main_pid):
        try:
            groups.add(os.getpgid(main_pid))
            os.kill(main_pid, stop_signal)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.2)
    killed = [p for p in pids if pid_alive(p)]
    for pid in killed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for proc in launched.launchers:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    return killed


@dataclass
class Client:
    """A client connected to the daemon from outside its tree (its own session), kept connected by
    holding its stdin open. kind: "tcp" or "unix"."""

    kind: str
    argv: list[str]
    send: str = ""
    env: dict[str, str] | None = None
    proc: subprocess.Popen | None = None
    restarts: int = 0

    def start(self, log: Path) -> None:
        with open(log, "ab") as out:
            out.write(f"$ client {' '.join(self.argv)}\n".encode())
            out.flush()
            env = dict(os.environ) if self.env is None else {**service_env(), **self.env}
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=out, env=env, start_new_session=True)
        if self.send:
            assert self.proc.stdin is not None
            self.proc.stdin.write(self.send.encode())
            self.proc.stdin.flush()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None


def ensure_clients(clients: list[Client], log: Path) -> list[str]:
    """Starts the clients that are not running (a server may close an idle connection between two
    rows: an HTTP header timeout, sshd's LoginGraceTime). Returns what was (re)started."""
    started = []
    for client in clients:
        if not client.alive():
            if client.proc is not None:
                client.restarts += 1
                client.stop()
            client.start(log)
            started.append(client.kind)
    if started:
        time.sleep(CLIENT_CONNECT_WAIT_S)
        dead = [c for c in clients if not c.alive()]
        if dead:
            raise HarnessError("client exited right after connecting: " +
                               "; ".join(f"{c.kind} {' '.join(c.argv)} (exit {c.proc.returncode if c.proc else '?'})"
                                         for c in dead))
    return started
