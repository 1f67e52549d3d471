#!/usr/bin/env bash
# Builds the seed corpus of every fuzz target in fuzz/work/seeds/TARGET/: the parser fixtures of the test suite
# (tests/Checkpointable.Tests/Fixtures) plus live captures of this machine's /proc and netlink replies.
# Seeds are kept small (AFL++ mutates small inputs faster): long files are cut into pieces of a few lines.
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../tests/Checkpointable.Tests/Fixtures
out=work/seeds
rm -rf "$out" && mkdir -p "$out"

# add TARGET NAME < text: one seed file
add() { mkdir -p "$out/$1"; cat > "$out/$1/$2"; }
# pieces TARGET NAME FILE LINES: FILE cut into seeds of LINES lines (at most 8 pieces)
pieces() {
  local i=0
  while [ $i -lt 8 ]; do
    sed -n "$((i * $4 + 1)),$(((i + 1) * $4))p" "$3" > /tmp/fuzz-piece.$$ 2>/dev/null || true
    [ -s /tmp/fuzz-piece.$$ ] || break
    add "$1" "$2-$i" < /tmp/fuzz-piece.$$
    i=$((i + 1))
  done
  rm -f /tmp/fuzz-piece.$$
}

# /proc text: fixtures, then live.
add stat fixture-hostile < $fixtures/proc/stat-hostile-comm.txt
add status fixture-hostile < $fixtures/proc/status-hostile-comm.txt
pieces maps fixture $fixtures/proc/maps-python.txt 6
add fdinfo fixture-flock < $fixtures/proc/fdinfo-flock.txt
pieces mountinfo fixture $fixtures/proc/mountinfo.txt 4
add locks fixture < $fixtures/proc/locks.txt
for pid in self 1 2; do
  add stat "live-$pid" < /proc/$pid/stat
  add status "live-$pid" < /proc/$pid/status
done
pieces maps live /proc/self/maps 6
pieces mountinfo live /proc/self/mountinfo 4
[ -s /proc/locks ] && pieces locks live /proc/locks 4
# fdinfo and fd links: one of each kind of descriptor on the machine (the keys an fdinfo file has name its kind).
declare -A seen=()
n=0
for f in /proc/[0-9]*/fdinfo/*; do
  [ $n -lt 40 ] || break
  text=$(head -c 2048 "$f" 2>/dev/null) || continue
  kind=$(printf '%s\n' "$text" | cut -d: -f1 | sort -u | tr '\n' ,)
  [ -n "${seen[$kind]:-}" ] && continue
  seen[$kind]=1
  printf '%s\n' "$text" | add fdinfo "live-$n"
  n=$((n + 1))
done
# Kinds a busy host may lack: epoll with targets, inotify, eventfd, timerfd, signalfd, pidfd, a flock, a pty.
python3 - "$out/fdinfo" <<'PY'
import fcntl, os, select, signal, socket, sys, tempfile
d = sys.argv[1]
ep = select.epoll(); a, b = socket.socketpair(); ep.register(a.fileno()); ep.register(b.fileno(), select.EPOLLOUT)
fds = {'epoll': ep.fileno(), 'eventfd': os.eventfd(3), 'pidfd': os.pidfd_open(os.getpid()), 'pty': os.openpty()[0]}
f = tempfile.TemporaryFile(); fcntl.flock(f, fcntl.LOCK_EX); fds['flock'] = f.fileno()
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    ino = libc.inotify_init1(0); libc.inotify_add_watch(ino, b'/tmp', 0xfff); fds['inotify'] = ino
    fds['timerfd'] = libc.timerfd_create(1, 0)
except OSError:
    pass
for name, fd in fds.items():
    if fd >= 0:
        open(os.path.join(d, 'made-' + name), 'w').write(open('/proc/self/fdinfo/%d' % fd).read())
PY
declare -A links=()
n=0
for l in /proc/[0-9]*/fd/*; do
  [ $n -lt 30 ] || break
  t=$(readlink "$l" 2>/dev/null) || continue
  k=${t%%[*}; k=${k%%:*}; k=${k:0:12}
  [ -n "${links[$k]:-}" ] && continue
  links[$k]=1
  printf '%s' "$t" | add fdlink "live-$n"
  n=$((n + 1))
done
printf '%s' 'socket:[12345]' | add fdlink fixed-socket
printf '%s' '/tmp/x (deleted)' | add fdlink fixed-deleted
# /proc/PID/cgroup (CgroupParser, then ContainerPath): every runtime's shape from the fixtures, and this machine's.
for f in $fixtures/cgroup/*.txt; do add cgroup "fixture-$(basename "$f" .txt)" < "$f"; done
add cgroup live-self < /proc/self/cgroup

# Netlink binary: each recorded datagram of the sock_diag fixtures, one seed each.
hexseeds() {
  local i=0
  grep -v '^#' "$fixtures/sockdiag/$2.hex" | while read -r line; do
    [ -n "$line" ] || continue
    printf '%s' "$line" | xxd -r -p | add "$1" "fixture-$2-$i"
    i=$((i + 1))
  done
}
hexseeds sockdiag-unix unix
for f in tcp4 tcp6 udp4 raw4-unsupported error-einval; do hexseeds sockdiag-inet $f; done
hexseeds sockdiag-netlink netlink
hexseeds sockdiag-packet packet
hexseeds rtnetlink-link rtnetlink
# rtnetlink: this machine's RTM_GETLINK dump (the first datagram), as NetDeviceLister receives it.
python3 - "$out/rtnetlink-link/live" <<'PY'
import os, socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.sendto(struct.pack('=IHHII', 32, 18, 0x301, 1, 0) + bytes(16), (0, 0))
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
open(sys.argv[1], 'wb').write(s.recv(1 << 16))
PY

# Extra seeds and crash regressions kept with the tests (Fixtures/fuzz/TARGET/).
for d in $fixtures/fuzz/*/; do
  t=$(basename "$d"); mkdir -p "$out/$t"; cp "$d"* "$out/$t/"
done

for d in "$out"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
