#!/usr/bin/env bash
# What the system spends doing nothing: starts it as the launcher does, leaves it alone, then reads the CPU time of
# each service and of PostgreSQL from /proc over a while, and prints milliseconds of CPU per second for each.
#
#   benchmarks/idle-cpu.sh [SECONDS] [NAME=VALUE ...]
#
# SECONDS is how long it watches (120 by default). Each NAME=VALUE is put in the launcher's environment, which the
# services inherit: SAGAENGINE_NODE_HEARTBEATWHENSETTLED=2s, say, is sagaengine.node.heartbeat-when-settled=2s in
# every service. Needs the launcher built (./mvnw -B -DskipTests package). Its data goes to a temporary directory,
# deleted at the end; the ports are the launcher's defaults plus 10000, so that a system running on the defaults
# is left alone.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-120}
[[ $# -gt 0 ]] && shift
jar=launcher/target/launcher.jar
[[ -f $jar ]] || { echo "No $jar: build it with ./mvnw -B -DskipTests package" >&2; exit 1; }

work=$(mktemp -d)
log=$work/launcher.log
env "$@" java -jar "$jar" --data-dir="$work/data" --postgres-port=64320 \
    --order-port=18081 --inventory-port=18082 --payment-port=18083 >"$log" 2>&1 &
launcher=$!
# Stopping the launcher stops the services and PostgreSQL; their data goes once the last of them has exited.
stop() {
    kill $launcher 2>/dev/null || true
    wait $launcher 2>/dev/null || true
    for _ in $(seq 1 30); do
        pgrep -f -- "$work" >/dev/null || break
        sleep 1
    done
    rm -rf "$work"
}
trap stop EXIT

echo "Starting the system (log: $log)"
for _ in $(seq 1 150); do
    grep -q "The system is up" "$log" && break
    kill -0 $launcher 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 2
done
grep -q "The system is up" "$log" || { echo "The system did not come up in 5 minutes" >&2; exit 1; }
echo "Up; leaving it alone for 40 s, then watching it for $seconds s"
sleep 40

# The processes of each part: a service is its JVM; PostgreSQL is its postmaster and the backends under it.
processes() {
    for service in order-saga inventory-service payment-service; do
        echo "$service $(pgrep -f -- "-jar [^ ]*$service[^ ]*\.jar" | head -1)"
    done
    local postmaster
    postmaster=$(pgrep -f "postgres -D $work" | head -1)
    echo "PostgreSQL $postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"
}
# CPU ticks (user and system) that one process has spent; nothing once it has gone.
ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

declare -A before
while read -r _ pids; do
    for pid in $pids; do before[$pid]=$(ticks "$pid"); done
done < <(processes)
sleep "$seconds"
per_second=$(getconf CLK_TCK)
# A process there at both ends counts what it spent in between; one started meanwhile (a new PostgreSQL backend)
# counts all it spent; one that ended meanwhile is not counted.
while read -r part pids; do
    spent=0
    for pid in $pids; do spent=$((spent + $(ticks "$pid") - ${before[$pid]:-0})); done
    printf '%-18s %5d ms of CPU a second\n' "$part" $((spent * 1000 / per_second / seconds))
done < <(processes)
