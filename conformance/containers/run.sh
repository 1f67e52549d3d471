#!/usr/bin/env bash
# Containers conformance harness (see README.md): Podman 4.3 + runc 1.1.5 containers in >= 20 states, each
# judged with `checkpointable --container NAME [opt]` and then checkpointed for real with
# `podman container checkpoint --leave-running [opt]`, opt in: none, --tcp-established, --file-locks.
# One row per checkpoint: STATE OPTION PREDICTED REAL AGREE; last line `N agree, M disagree, K errors`.
#
# Env: CRIU_SRC (a built CRIU tree: $CRIU_SRC/criu/criu) or CRIU_BIN (the binary) - required;
#      CHECKPOINTABLE_BIN (default: REPO/out/checkpointable, published when missing);
#      NETLOCK=default|nftables (nftables: criu swrk reads `network-lock nftables` from CRIU_CONFIG_FILE, set
#      by a wrapper first on PATH; the predictor is given the same CRIU_CONFIG_FILE);
#      WORK (scratch, default /tmp/checkpointable-containers); STATES (space-separated subset); KEEP=1 keeps
#      the containers (the image is always kept).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/checkpointable-containers}
NETLOCK=${NETLOCK:-default}
PREFIX=ckc
IMAGE=localhost/checkpointable-busybox:conformance
HOST_TCP_PORT=18082

die() { echo "run.sh: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "run as root (podman as root, criu as root)"
if [ -n "${CRIU_BIN:-}" ]; then CRIU=$CRIU_BIN
elif [ -n "${CRIU_SRC:-}" ]; then CRIU=$CRIU_SRC/criu/criu
else die "set CRIU_SRC (a built CRIU source tree) or CRIU_BIN (a criu binary)"; fi
[ -x "$CRIU" ] || die "no criu binary at $CRIU"

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v conmon >/dev/null; then
    # --no-install-recommends keeps Debian's criu 3.17 and containernetworking-plugins (iptables) away.
    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends podman runc conmon netavark || die "apt-get failed"
fi

mkdir -p "$WORK/bin" "$WORK/data"
# podman runs runc with only PATH and XDG_RUNTIME_DIR, and runc starts `criu swrk` from that PATH.
rm -f "$WORK/bin/criu"
if [ "$NETLOCK" = nftables ]; then
    # Not /etc/criu/runc.conf: criu 4.2 crashes on network-lock in the RPC config file (config.c:1061).
    # CRIU_CONFIG_FILE is read when `criu swrk` starts, with a real argv.
    echo "network-lock nftables" > "$WORK/criu-nftables.conf"
    printf '#!/bin/sh\nCRIU_CONFIG_FILE=%s exec %s "$@"\n' "$WORK/criu-nftables.conf" "$CRIU" > "$WORK/bin/criu"
    chmod +x "$WORK/bin/criu"
    export CRIU_CONFIG_FILE=$WORK/criu-nftables.conf
elif [ "$NETLOCK" = default ]; then
    ln -s "$CRIU" "$WORK/bin/criu"
    unset CRIU_CONFIG_FILE
else
    die "NETLOCK must be default or nftables"
fi
# The predictor finds criu on PATH and reads the binary (libnftables linkage): give it the real one, not the wrapper.
PREDICTOR_PATH=$(dirname "$CRIU"):$PATH
export PATH=$WORK/bin:$PATH

BIN=${CHECKPOINTABLE_BIN:-$REPO/out/checkpointable}
if [ ! -x "$BIN" ]; then
    (cd "$REPO" && dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet) || die "publish failed"
fi

# A private containers.conf (nothing under /etc changes): the runtime cannot raise a hard limit without
# CAP_SYS_RESOURCE, so ask for ours; podman 4.3 lowers its own RLIMIT_NPROC to 32768.
hard_nofile=$(ulimit -Hn)
cat > "$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=32768:32768"]
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"

[network]
network_backend = "netavark"
EOF
export CONTAINERS_CONF=$WORK/containers.conf

# The root file system, built offline: Debian's busybox-static plus a static lock/device holder.
if ! podman image exists "$IMAGE"; then
    rm -rf "$WORK/rootfs" "$WORK/deb" && mkdir -p "$WORK/rootfs" "$WORK/deb"
    (cd "$WORK/deb" && apt-get download busybox-static >/dev/null 2>&1) || die "apt-get download busybox-static failed"
    dpkg-deb -x "$WORK"/deb/busybox-static_*.deb "$WORK/deb/x"
    mkdir -p "$WORK/rootfs"/{bin,etc,tmp,proc,sys,dev,data,run,var/tmp}
    cp "$WORK/deb/x/bin/busybox" "$WORK/rootfs/bin/busybox"
    for applet in $("$WORK/rootfs/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$WORK/rootfs/bin/$applet"
    done
    cc -static -O2 -o "$WORK/rootfs/bin/ckhelper" "$HERE/helper.c" || die "cannot build helper.c statically"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$WORK/rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$WORK/rootfs/etc/group"
    chmod 1777 "$WORK/rootfs/tmp"
    tar -C "$WORK/rootfs" -c . | podman import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null || die "podman import failed"
fi

# Our containers only (named PREFIX-*); joiners first: podman will not remove a container others depend on.
remove_ours() {
    for pass in joiners owners; do
        podman ps -a --format '{{.Names}}' | grep "^$PREFIX-" | xargs -r podman rm -f -t 0 >/dev/null 2>&1
    done
}
cleanup() {
    [ -n "${HOST_LISTENER:-}" ] && kill "$HOST_LISTENER" 2>/dev/null
    if [ "${KEEP:-0}" != 1 ]; then
        remove_ours
    fi
}
trap cleanup EXIT
remove_ours

run() { local name=$1; shift; podman run -d --name "$PREFIX-$name" "$@" >/dev/null || echo "run.sh: cannot start $name" >&2; }
init_pid() { podman inspect -f '{{.State.Pid}}' "$PREFIX-$1"; }

# A TCP listener on the host for containers that connect out (host network: to 127.0.0.1).
"$WORK/rootfs/bin/busybox" nc -ll -p $HOST_TCP_PORT -e /bin/cat >/dev/null 2>&1 &
HOST_LISTENER=$!
echo hello > "$WORK/data/file.txt"

# The states: NAME, then `podman run` arguments. Several share namespaces with an owner container.
start_states() {
    run sleep-host --network host "$IMAGE" sleep 100000
    run sleep-none --network none "$IMAGE" sleep 100000
    run tree-host --network host "$IMAGE" sh -c 'sleep 100000 & sleep 100000 | cat & wait'
    run tty-host -t --network host "$IMAGE" sleep 100000
    run tty-shell -it --network host "$IMAGE" sh
    run tty-none -t --network none "$IMAGE" sleep 100000
    run bind-dir --network host -v "$WORK/data:/data" "$IMAGE" sh -c 'exec 3</data/file.txt; sleep 100000'
    run bind-file --network host -v "$WORK/data/file.txt:/etc/extra.conf:ro" "$IMAGE" sh -c 'exec 3</etc/extra.conf; sleep 100000'
    run tmpfs --network host --tmpfs /scratch "$IMAGE" sh -c 'echo x > /scratch/f; exec 3</scratch/f; sleep 100000'
    run pid-owner --network host "$IMAGE" sleep 100000
    run pid-joiner --network host --pid "container:$PREFIX-pid-owner" "$IMAGE" sleep 100000
    run pid-host --network host --pid host "$IMAGE" sleep 100000
    run ipc-owner --network host --ipc shareable "$IMAGE" sleep 100000
    run ipc-joiner --network host --ipc "container:$PREFIX-ipc-owner" "$IMAGE" sleep 100000
    run net-owner --network none "$IMAGE" sleep 100000
    run net-joiner --network "container:$PREFIX-net-owner" "$IMAGE" sleep 100000
    run net-path --network "ns:/proc/$(init_pid net-owner)/ns/net" "$IMAGE" sleep 100000
    run flock --network host "$IMAGE" ckhelper flock /tmp/lock
    run posix-lock --network host "$IMAGE" ckhelper posix /tmp/lock
    run ofd-lock --network host "$IMAGE" ckhelper ofd /tmp/lock
    run tcp-listen --network host "$IMAGE" nc -ll -p 18080 -e /bin/cat
    run tcp-inside --network host "$IMAGE" sh -c 'nc -ll -p 18081 -e /bin/cat & sleep 1; sleep 100000 | nc 127.0.0.1 18081'
    run tcp-out --network host "$IMAGE" sh -c "sleep 100000 | nc 127.0.0.1 $HOST_TCP_PORT"
    run tcp-none --network none "$IMAGE" sh -c 'nc -ll -p 18081 -e /bin/cat & sleep 1; sleep 100000 | nc 127.0.0.1 18081'
    run dev-fuse --network host --device /dev/fuse "$IMAGE" ckhelper open /dev/fuse
    run dev-zero --network host --device /dev/zero:/dev/ckzero "$IMAGE" ckhelper open /dev/ckzero
    run exec-host --network host "$IMAGE" sleep 100000
    podman exec -d "$PREFIX-exec-host" sleep 100000 >/dev/null
    run exec-tty --network host "$IMAGE" sleep 100000
    podman exec -dt "$PREFIX-exec-tty" sh >/dev/null
    run rm-host --rm --network host "$IMAGE" sleep 100000
    run rm-none --rm --network none "$IMAGE" sleep 100000
}

ALL_STATES="sleep-host sleep-none tree-host tty-host tty-shell tty-none bind-dir bind-file tmpfs pid-owner pid-joiner
pid-host ipc-owner ipc-joiner net-owner net-joiner net-path flock posix-lock ofd-lock tcp-listen tcp-inside tcp-out
tcp-none dev-fuse dev-zero exec-host exec-tty rm-host rm-none"
STATES=${STATES:-$ALL_STATES}

start_states
sleep 3

# The first criu error of the last checkpoint, from podman's dump.log (written to the container's bundle).
criu_error() {
    local id log
    id=$(podman inspect -f '{{.Id}}' "$PREFIX-$1" 2>/dev/null) || return
    log=$(ls /var/lib/containers/storage/*-containers/"$id"/userdata/dump.log 2>/dev/null | head -1)
    [ -n "$log" ] && grep -m1 -E 'Error \(|Error:' "$log" | sed -E 's/^\([0-9. ]+\) *//' | cut -c1-140
}

agree=0 disagree=0 errors=0 false_ok=0
RESULTS=$WORK/results.txt
: > "$RESULTS"
printf '%-12s %-18s %-10s %-10s %s\n' STATE OPTION PREDICTED REAL AGREE | tee -a "$RESULTS"
for state in $STATES; do
    name=$PREFIX-$state
    for opt in "" --tcp-established --file-locks; do
        pred_out=$(PATH=$PREDICTOR_PATH "$BIN" --container "$name" $opt 2>&1); pred_rc=$?
        real_out=$(podman container checkpoint --leave-running $opt "$name" 2>&1); real_rc=$?
        case $pred_rc in 0) predicted=ok ;; 1) predicted=refused ;; *) predicted="error($pred_rc)" ;; esac
        if [ $real_rc = 0 ]; then real=ok
        elif grep -q -e 'no container with name or ID' -e 'is not running' <<<"$real_out"; then real="error"
        else real=refused; fi
        if [[ $predicted == error* || $real == error ]]; then verdict=ERROR; errors=$((errors + 1))
        elif [ "$predicted" = "$real" ]; then verdict=yes; agree=$((agree + 1))
        else verdict=NO; disagree=$((disagree + 1)); [ "$predicted" = ok ] && false_ok=$((false_ok + 1)); fi
        printf '%-12s %-18s %-10s %-10s %s\n' "$state" "${opt:-(none)}" "$predicted" "$real" "$verdict" | tee -a "$RESULTS"
        if [ "$verdict" != yes ]; then
            blockers=$(grep -oE '\[[A-Z][A-Z0-9-]*;' <<<"$pred_out" | tr -d '[;' | sort -u | tr '\n' ' ')
            echo "    predictor blockers: ${blockers:-none}; criu: $(criu_error "$state")${real_out:+; podman: $(tail -1 <<<"$real_out" | cut -c1-160)}" | tee -a "$RESULTS"
        fi
    done
done
echo "$agree agree, $disagree disagree, $errors errors; $false_ok predicted checkpointable where the checkpoint failed (false ok)" | tee -a "$RESULTS"
[ $disagree = 0 ] && [ $errors = 0 ]
