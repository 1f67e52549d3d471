"""The daemon configurations: how each package starts its daemon, how it is reached, how it stops.

Every configuration binds only to 127.0.0.1 and unix sockets. "package" configurations follow the
package's systemd unit (ExecStart, User/Group, UMask, RuntimeDirectory); "as-root" configurations
are the same daemon kept root (a config the package allows: `user root;`, `-u root`, no `user`
line...), so that criu's checks behind "Can't get rlimit" (a criu without CAP_SYS_RESOURCE cannot
read the rlimits of a task with another uid/gid) are exercised too. README.md has the table.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from launch import Client, HarnessError, Launched, as_user, make_runtime_dir, service_env

HERE = Path(__file__).resolve().parent
HTTP_PARTIAL_REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n"  # no blank line: the server waits for the rest
TERMINAL_ENV = {"TERM": "xterm", "HOME": "/root", "SHELL": "/bin/bash"}
MARIADB_EXEC = ("set -f; [ ! -e /usr/bin/galera_recovery ] && VAR= || VAR=`/usr/bin/galera_recovery`; "
                "[ $? -eq 0 ] || exit 1; exec /usr/sbin/mariadbd $MYSQLD_OPTS $_WSREP_NEW_CLUSTER $VAR")
PG_PASSWORD = "checkpointable"
MARIADB_TCP_USER = "checkpointable"


def socat(address: str, send: str = "", kind: str = "tcp") -> Client:
    # -t: how long socat lingers after one side's EOF; the client then exits, so a connection the
    # server closed between rows is seen (and the client restarted) before the next row.
    return Client(kind, ["socat", "-t", "0.2", "-", address], send)


@dataclass
class Spec:
    name: str
    variant: str  # "package", "as-root", or "real-ids" (criu with the tree's owner as its real ids)
    packages: list[str]
    how: str  # the unit / init script line it follows, and what differs
    start: Callable[[Launched, Path], int]  # -> the daemon's main pid (the root of the tree)
    ready: list[tuple[str, str]]  # (kind, target) probes that must answer before a row
    clients: Callable[[Path], list[Client]] = lambda work: []
    tcp_ports: list[int] = field(default_factory=list)
    stop_signal: int = signal.SIGTERM
    after_start: Callable[[Launched, Path], None] | None = None
    cleanup: Callable[[Path], None] | None = None
    # Real uid and gid that criu (and the predictor, which runs where criu would run) are given,
    # effective uid staying root (real-ids.c): the kernel lets a caller read another task's rlimits
    # without CAP_SYS_RESOURCE when its REAL uid/gid equal all the task's uids/gids (kernel/sys.c
    # check_prlimit_permission), while criu still runs as root. For a daemon whose whole tree has
    # one owner and that refuses to run as root.
    runner_ids: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        return f"{self.name}/{self.variant}"


def _edit(src: str, dst: Path, *subs: tuple[str, str], append: str = "") -> Path:
    text = Path(src).read_text(encoding="utf-8")
    for pattern, replacement in subs:
        text, count = re.subn(pattern, replacement, text, flags=re.M)
        if count == 0:
            raise HarnessError(f"{src}: pattern {pattern!r} not found (package config changed?)")
    dst.write_text(text + append, encoding="utf-8")
    return dst


def _chown_back(owner: str, *paths: str) -> Callable[[Path], None]:
    """After an as-root run: give back to the package's user what root created in its directories."""
    def fix(work: Path) -> None:
        for path in paths:
            if os.path.exists(path):
                subprocess.run(["chown", "-R", owner, path], check=False)
    return fix


# --- redis-server: redis-server.service (User=redis, UMask=007, RuntimeDirectory=redis 2755) ---------
REDIS_SOCK = "/run/redis/redis-server.sock"


def _redis(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        make_runtime_dir("/run/redis", 0o2755, "redis", "redis")
        argv = ["/usr/bin/redis-server", "/etc/redis/redis.conf", "--supervised", "systemd", "--daemonize", "no",
                "--unixsocket", REDIS_SOCK, "--unixsocketperm", "770"]
        return l.foreground(argv if root else as_user("redis", "redis", argv), umask=0o007)

    return Spec("redis", "as-root" if root else "package", ["redis-server", "redis-tools"],
                "redis-server.service ExecStart + `--unixsocket` (the package config has none)"
                + (", run as root (no User=)" if root else ", as redis:redis"),
                start, [("tcp", "127.0.0.1:6379"), ("unix", REDIS_SOCK)],
                lambda work: [Client("tcp", ["redis-cli", "-h", "127.0.0.1", "-p", "6379"], "PING\n"),
                              Client("unix", ["redis-cli", "-s", REDIS_SOCK], "PING\n")],
                [6379], cleanup=_chown_back("redis:redis", "/var/lib/redis", "/var/log/redis") if root else None)


# --- memcached: memcached.service runs the wrapper as root; the wrapper execs memcached -u memcache ---
def _memcached(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        conf = "/etc/memcached.conf"
        if root:
            conf = str(_edit(conf, work / "memcached.conf", (r"^-u memcache$", "-u root")))
        return l.foreground(["/usr/share/memcached/scripts/systemd-memcached-wrapper", conf])

    return Spec("memcached", "as-root" if root else "package", ["memcached", "netcat-openbsd"],
                "memcached.service: systemd-memcached-wrapper /etc/memcached.conf"
                + (" with `-u root`" if root else " (-u memcache -l 127.0.0.1)"),
                start, [("tcp", "127.0.0.1:11211")],
                lambda work: [Client("tcp", ["nc", "127.0.0.1", "11211"], "version\r\n")],
                [11211])


# --- nginx: nginx.service, Type=forking, master root + workers www-data ---------------------------
NGINX_SOCK = "/run/nginx-checkpointable.sock"
NGINX_SERVER = f"""
	server {{
		listen 127.0.0.1:8081 default_server;
		listen unix:{NGINX_SOCK};
		root /var/www/html;
		index index.html index.nginx-debian.html;
		server_name _;
		location / {{ try_files $uri $uri/ =404; }}
	}}
"""


def _nginx(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        subs = [(r"^\s*include /etc/nginx/sites-enabled/\*;", NGINX_SERVER)]
        if root:
            subs.append((r"^user www-data;", "user root;"))
        conf = str(_edit("/etc/nginx/nginx.conf", work / "nginx.conf", *subs))
        if os.path.exists(NGINX_SOCK):
            os.unlink(NGINX_SOCK)
        global_directives = "daemon on; master_process on;"
        l.run(["/usr/sbin/nginx", "-t", "-q", "-c", conf, "-g", global_directives])
        return l.forking(["/usr/sbin/nginx", "-c", conf, "-g", global_directives], "/run/nginx.pid")

    return Spec("nginx", "as-root" if root else "package", ["nginx", "socat"],
                "nginx.service: nginx -g 'daemon on; master_process on;' with the package nginx.conf, "
                "sites-enabled replaced by one server on 127.0.0.1:8081 + a unix socket"
                + (", `user root;`" if root else " (workers www-data)"),
                start, [("tcp", "127.0.0.1:8081"), ("unix", NGINX_SOCK)],
                lambda work: [socat("TCP:127.0.0.1:8081", HTTP_PARTIAL_REQUEST),
                              socat(f"UNIX-CONNECT:{NGINX_SOCK}", HTTP_PARTIAL_REQUEST, "unix")],
                [8081], cleanup=lambda work: os.path.exists(NGINX_SOCK) and os.unlink(NGINX_SOCK))


# --- postgresql: postgresql@.service, pg_ctlcluster VERSION main start (Type=forking) ---------------
def _pg_cluster() -> tuple[str, str]:
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout.split()
    if len(out) < 2:
        raise HarnessError("no PostgreSQL cluster (pg_lsclusters is empty)")
    return out[0], out[1]


def _postgresql(criu_as_owner: bool = False) -> Spec:
    def start(l: Launched, work: Path) -> int:
        version, cluster = _pg_cluster()
        return l.forking(["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"],
                         f"/run/postgresql/{version}-{cluster}.pid")

    def after_start(l: Launched, work: Path) -> None:
        # A password for TCP clients (pg_hba.conf asks for scram-sha-256 on 127.0.0.1).
        l.run(as_user("postgres", "postgres", ["psql", "-Xq", "-c", f"ALTER ROLE postgres PASSWORD '{PG_PASSWORD}'"]))

    return Spec("postgresql", "real-ids" if criu_as_owner else "package", ["postgresql", "postgresql-client"],
                "postgresql@.service: pg_ctlcluster --skip-systemctl-redirect 15 main start (postgres; "
                "refuses to run as root, so no as-root config)"
                + ("; criu and the predictor run as root with real uid/gid postgres (real-ids.c)" if criu_as_owner else ""),
                start, [("tcp", "127.0.0.1:5432"), ("unix", "/run/postgresql/.s.PGSQL.5432")],
                lambda work: [Client("tcp", ["psql", "-Xq", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"],
                                     "select 1;\n", {"PGPASSWORD": PG_PASSWORD}),
                              Client("unix", as_user("postgres", "postgres", ["psql", "-Xq"]), "select 1;\n", {})],
                [5432], stop_signal=signal.SIGINT,  # pg_ctlcluster -m fast
                after_start=after_start, runner_ids=("postgres", "postgres") if criu_as_owner else None)


# --- mariadb: mariadb.service, Type=notify, User=mysql, UMask=007 -----------------------------------
def _mariadb(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        make_runtime_dir("/run/mysqld", 0o755, "mysql", "root")
        env = service_env({"MYSQLD_OPTS": "--user=root" if root else "", "_WSREP_NEW_CLUSTER": ""})
        argv = ["/bin/sh", "-c", MARIADB_EXEC]
        return l.foreground(argv if root else as_user("mysql", "mysql", argv), env=env, umask=0o007)

    def after_start(l: Launched, work: Path) -> None:
        l.run(["mysql", "-u", "root", "-e",
               f"CREATE USER IF NOT EXISTS '{MARIADB_TCP_USER}'@'127.0.0.1' IDENTIFIED BY '{PG_PASSWORD}'"],
              env=service_env({"HOME": "/root"}))

    return Spec("mariadb", "as-root" if root else "package", ["mariadb-server", "mariadb-client"],
                "mariadb.service ExecStart (galera_recovery; exec mariadbd $MYSQLD_OPTS)"
                + (" with MYSQLD_OPTS=--user=root, as root" if root else " as mysql:mysql"),
                start, [("unix", "/run/mysqld/mysqld.sock"), ("tcp", "127.0.0.1:3306")],
                lambda work: [Client("tcp", ["mysql", "--batch", "--protocol=TCP", "-h", "127.0.0.1", "-P", "3306",
                                             "-u", MARIADB_TCP_USER, f"-p{PG_PASSWORD}"], "select 1;\n"),
                              Client("unix", ["mysql", "--batch", "-u", "root"], "select 1;\n")],
                [3306], after_start=after_start,
                cleanup=_chown_back("mysql:mysql", "/var/lib/mysql", "/run/mysqld") if root else None)


# --- openssh-server: ssh.service, sshd -D $SSHD_OPTS, RuntimeDirectory=sshd -------------------------
def _sshd() -> Spec:
    def start(l: Launched, work: Path) -> int:
        make_runtime_dir("/run/sshd", 0o755)
        argv = ["/usr/sbin/sshd", "-D", "-o", "ListenAddress=127.0.0.1", "-o", "Port=2222"]
        l.run(["/usr/sbin/sshd", "-t", *argv[2:]])
        return l.foreground(argv)

    return Spec("sshd", "package", ["openssh-server", "socat"],
                "ssh.service: sshd -D, plus -o ListenAddress=127.0.0.1 -o Port=2222 (root; a connection "
                "forks a privilege-separated child as sshd, which cannot be kept root: no as-root config)",
                start, [("tcp", "127.0.0.1:2222")],
                lambda work: [socat("TCP:127.0.0.1:2222", "SSH-2.0-checkpointable\r\n")],
                [2222])


# --- dnsmasq: dnsmasq.service, systemd-helper exec (Type=forking, -u dnsmasq) -----------------------
def _dnsmasq(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        extra = {"DNSMASQ_OPTS": "--listen-address=127.0.0.1 --bind-interfaces --port=5353"}
        if root:
            extra["DNSMASQ_USER"] = "root"
        env = service_env(extra)
        l.run(["/usr/share/dnsmasq/systemd-helper", "checkconfig"], env=env)
        return l.forking(["/usr/share/dnsmasq/systemd-helper", "exec"], "/run/dnsmasq/dnsmasq.pid", env=env)

    return Spec("dnsmasq", "as-root" if root else "package", ["dnsmasq", "socat"],
                "dnsmasq.service: systemd-helper exec, DNSMASQ_OPTS='--listen-address=127.0.0.1 --bind-interfaces "
                "--port=5353'" + (", DNSMASQ_USER=root" if root else " (-u dnsmasq)"),
                start, [("tcp", "127.0.0.1:5353")],
                lambda work: [socat("TCP:127.0.0.1:5353")],  # a TCP client gets a forked child of its own
                [5353])


# --- haproxy: haproxy.service, haproxy -Ws -f CONFIG -p PIDFILE -S /run/haproxy-master.sock ---------
HAPROXY_FRONTEND = """
frontend checkpointable
	bind 127.0.0.1:8404
	http-request return status 200 content-type text/plain string ok
"""


def _haproxy(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        subs = [(r"^\s*user haproxy\n", ""), (r"^\s*group haproxy\n", "")] if root else []
        conf = str(_edit("/etc/haproxy/haproxy.cfg", work / "haproxy.cfg", *subs, append=HAPROXY_FRONTEND))
        master = ["-S", "/run/haproxy-master.sock"]
        l.run(["/usr/sbin/haproxy", "-Ws", "-f", conf, "-c", "-q", *master])
        return l.foreground(["/usr/sbin/haproxy", "-Ws", "-f", conf, "-p", "/run/haproxy.pid", *master])

    return Spec("haproxy", "as-root" if root else "package", ["haproxy", "socat"],
                "haproxy.service: haproxy -Ws -f CONFIG -p /run/haproxy.pid -S /run/haproxy-master.sock, the package "
                "haproxy.cfg (chroot /var/lib/haproxy) + a frontend on 127.0.0.1:8404"
                + (", without `user`/`group` (worker stays root, still chrooted)" if root else " (worker haproxy)"),
                start, [("tcp", "127.0.0.1:8404"), ("unix", "/run/haproxy/admin.sock")],
                lambda work: [socat("TCP:127.0.0.1:8404", HTTP_PARTIAL_REQUEST),
                              socat("UNIX-CONNECT:/run/haproxy/admin.sock", "prompt\n", "unix")],
                [8404])


# --- tmux / screen: a terminal multiplexer server as a user starts it, an attached client outside ---
def _tmux() -> Spec:
    def start(l: Launched, work: Path) -> int:
        sock = str(work / "tmux.sock")
        env = service_env(TERMINAL_ENV)
        l.run(["tmux", "-S", sock, "new-session", "-d", "-s", "checkpointable"], env=env)
        return int(l.run(["tmux", "-S", sock, "display-message", "-p", "#{pid}"], env=env).stdout.strip())

    return Spec("tmux", "package", ["tmux", "util-linux"],
                "tmux -S SOCK new-session -d (root; the server daemonizes with a bash in a pty)",
                start, [],
                lambda work: [Client("unix", ["script", "-qfc", f"tmux -S {work / 'tmux.sock'} attach -t checkpointable",
                                              "/dev/null"], "", TERMINAL_ENV)])


SCREEN_SESSION = "checkpointable-daemons"


def _screen() -> Spec:
    def start(l: Launched, work: Path) -> int:
        env = service_env(TERMINAL_ENV)
        l.run(["screen", "-dmS", SCREEN_SESSION], env=env)
        listing = l.run(["screen", "-ls", SCREEN_SESSION], env=env, check=False).stdout
        found = re.search(rf"(\d+)\.{SCREEN_SESSION}", listing)
        if not found:
            raise HarnessError(f"screen session not listed: {listing!r}")
        return int(found.group(1))

    return Spec("screen", "package", ["screen", "util-linux"],
                "screen -dmS NAME (root; the SCREEN server daemonizes with a bash in a pty)",
                start, [],
                lambda work: [Client("unix", ["script", "-qfc", f"screen -r {SCREEN_SESSION}", "/dev/null"], "",
                                     TERMINAL_ENV)],
                cleanup=lambda work: subprocess.run(["screen", "-wipe"], capture_output=True, check=False))


# --- rsyslog: rsyslog.service, rsyslogd -n -iNONE (root) --------------------------------------------
RSYSLOG_TCP = '\nmodule(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="10514")\n'


def _rsyslog() -> Spec:
    def start(l: Launched, work: Path) -> int:
        conf = str(_edit("/etc/rsyslog.conf", work / "rsyslog.conf", append=RSYSLOG_TCP))
        return l.foreground(["/usr/sbin/rsyslogd", "-n", "-iNONE", "-f", conf])

    return Spec("rsyslog", "package", ["rsyslog", "socat"],
                "rsyslog.service: rsyslogd -n -iNONE, the package rsyslog.conf (imuxsock /dev/log, imklog) + imtcp "
                "on 127.0.0.1:10514 (root)",
                start, [("tcp", "127.0.0.1:10514"), ("file", "/dev/log")],
                lambda work: [socat("TCP:127.0.0.1:10514", "<13>checkpointable: hello\n"),
                              socat("UNIX-CLIENT:/dev/log", "<13>checkpointable: hello", "unix")],
                [10514])


# --- cron: cron.service, cron -f $EXTRA_OPTS (root; no socket, so idle only) ------------------------
def _cron() -> Spec:
    def start(l: Launched, work: Path) -> int:
        return l.foreground(["/usr/sbin/cron", "-f"])

    return Spec("cron", "package", ["cron"], "cron.service: cron -f (root; no socket, so no client state)",
                start, [("file", "/run/crond.pid")])


# --- apache2: apache2.service, apachectl start (Type=forking), master root + workers www-data -------
def _apache2() -> Spec:
    def start(l: Launched, work: Path) -> int:
        confdir = work / "apache2"
        shutil.copytree("/etc/apache2", confdir, symlinks=True)
        _edit(str(confdir / "ports.conf"), confdir / "ports.conf", (r"^Listen 80$", "Listen 127.0.0.1:8083"))
        site = confdir / "sites-available" / "000-default.conf"
        _edit(str(site), site, (r"<VirtualHost \*:80>", "<VirtualHost *:8083>"))
        env = service_env({"APACHE_STARTED_BY_SYSTEMD": "true", "APACHE_CONFDIR": str(confdir)})
        return l.forking(["/usr/sbin/apachectl", "start"], "/run/apache2/apache2.pid", env=env)

    return Spec("apache2", "package", ["apache2", "socat"],
                "apache2.service: apachectl start with APACHE_CONFDIR = a copy of /etc/apache2 listening on "
                "127.0.0.1:8083 (mpm_event; workers www-data; apache refuses root workers: no as-root config)",
                start, [("tcp", "127.0.0.1:8083")],
                lambda work: [socat("TCP:127.0.0.1:8083", HTTP_PARTIAL_REQUEST)],
                [8083])


# --- lighttpd: lighttpd.service, lighttpd -D -f /etc/lighttpd/lighttpd.conf (drops to www-data) -----
LIGHTTPD_SOCK = "/run/lighttpd/checkpointable.sock"


def _lighttpd(root: bool) -> Spec:
    def start(l: Launched, work: Path) -> int:
        subs = [(r"^server\.port\s*=\s*80$", 'server.port = 8082\nserver.bind = "127.0.0.1"'),
                (r"^include_shell \"/usr/share/lighttpd/use-ipv6.pl.*$", "")]
        if root:
            subs += [(r"^server\.username.*$", ""), (r"^server\.groupname.*$", "")]
        conf = str(_edit("/etc/lighttpd/lighttpd.conf", work / "lighttpd.conf", *subs,
                         append=f'\n$SERVER["socket"] == "{LIGHTTPD_SOCK}" {{ }}\n'))
        if os.path.exists(LIGHTTPD_SOCK):
            os.unlink(LIGHTTPD_SOCK)
        l.run(["/usr/sbin/lighttpd", "-tt", "-f", conf])
        return l.foreground(["/usr/sbin/lighttpd", "-D", "-f", conf])

    return Spec("lighttpd", "as-root" if root else "package", ["lighttpd", "socat"],
                "lighttpd.service: lighttpd -D -f CONF, the package lighttpd.conf on 127.0.0.1:8082 (no ipv6 "
                "include) + a unix socket" + (", without server.username/groupname (stays root)" if root
                                              else " (drops to www-data)"),
                start, [("tcp", "127.0.0.1:8082"), ("unix", LIGHTTPD_SOCK)],
                lambda work: [socat("TCP:127.0.0.1:8082", HTTP_PARTIAL_REQUEST),
                              socat(f"UNIX-CONNECT:{LIGHTTPD_SOCK}", HTTP_PARTIAL_REQUEST, "unix")],
                [8082])


# --- postfix: postfix@-.service, configure-instance.sh - ; postmulti -i - -p start (Type=forking) ---
def _postfix() -> Spec:
    def start(l: Launched, work: Path) -> int:
        l.run(["/usr/lib/postfix/configure-instance.sh", "-"])
        return l.forking(["/usr/sbin/postmulti", "-i", "-", "-p", "start"], "/var/spool/postfix/pid/master.pid")

    return Spec("postfix", "package", ["postfix", "socat"],
                "postfix@-.service: configure-instance.sh -; postmulti -i - -p start (\"Local only\": "
                "inet_interfaces = loopback-only; master root, children postfix, smtpd chrooted)",
                start, [("tcp", "127.0.0.1:25")],
                lambda work: [socat("TCP:127.0.0.1:25", "EHLO localhost\r\n")],
                [25])


# --- a JVM and node: small echo servers (TCP + unix), run as root as a service would run them -------
def _java() -> Spec:
    def start(l: Launched, work: Path) -> int:
        l.run(["javac", "-d", str(work), str(HERE / "CkServer.java")], env=service_env())
        return l.foreground(["java", "-cp", str(work), "CkServer", "127.0.0.1", "8085", str(work / "java.sock")])

    return Spec("java", "package", ["openjdk-17-jdk-headless"],  # javac compiles CkServer.java
                "java -cp DIR CkServer (CkServer.java: echo server on 127.0.0.1:8085 + a unix socket; root)",
                start, [("tcp", "127.0.0.1:8085")],
                lambda work: [socat("TCP:127.0.0.1:8085", "hello\n"),
                              socat(f"UNIX-CONNECT:{work / 'java.sock'}", "hello\n", "unix")],
                [8085])


def _node() -> Spec:
    def start(l: Launched, work: Path) -> int:
        return l.foreground(["node", str(HERE / "server.js"), "127.0.0.1", "8086", str(work / "node.sock")])

    return Spec("node", "package", ["nodejs"],
                "node server.js (echo server on 127.0.0.1:8086 + a unix socket; root)",
                start, [("tcp", "127.0.0.1:8086")],
                lambda work: [socat("TCP:127.0.0.1:8086", "hello\n"),
                              socat(f"UNIX-CONNECT:{work / 'node.sock'}", "hello\n", "unix")],
                [8086])


def all_specs() -> list[Spec]:
    """In run order: each package configuration, then its as-root one (so files the as-root run
    creates are given back before anything runs as the package's user again)."""
    return [
        _redis(False), _redis(True),
        _memcached(False), _memcached(True),
        _nginx(False), _nginx(True),
        _postgresql(), _postgresql(criu_as_owner=True),
        _mariadb(False), _mariadb(True),
        _sshd(),
        _dnsmasq(False), _dnsmasq(True),
        _haproxy(False), _haproxy(True),
        _tmux(), _screen(), _rsyslog(), _cron(),
        _apache2(),
        _lighttpd(False), _lighttpd(True),
        _postfix(),
        _java(), _node(),
    ]
