#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and two workers, from the
# installed pyspark (docs/scaling.md, "A standalone cluster on one machine").
#
#   scripts/spark_cluster.sh                 # start, print the master URL, wait for Ctrl-C
#   scripts/spark_cluster.sh CMD [ARGS...]   # start, run CMD with CAKUPAN_SPARK_MASTER set,
#                                            # stop; exits with CMD's exit code
#
# e.g. scripts/spark_cluster.sh .venv/bin/cakupan reports --province 52 --engine spark
#
# The master listens on spark://127.0.0.1:$CAKUPAN_CLUSTER_PORT (7077) and every process
# binds to the loopback address. Each worker offers one core and
# $CAKUPAN_CLUSTER_WORKER_MEMORY (1g) to executors; the daemons themselves get a 256 MiB
# heap. That is sized for a 2-core, 24 GiB machine shared with other work: two executors of
# one core and 1 GiB each, plus the driver in the calling process.
#
# "ready: spark://127.0.0.1:7077 ..." is printed on stdout once both workers have
# registered with the master. On exit (end of CMD, Ctrl-C, SIGTERM, an error) every JVM the
# script started is stopped: workers, master and the executors the workers launched; none
# is left behind. Logs are in a temporary folder, removed on a clean exit and kept (and
# named) otherwise.
#
# Environment: CAKUPAN_CLUSTER_PORT (7077), CAKUPAN_CLUSTER_UI_PORT (8080, the master's web
# UI), CAKUPAN_CLUSTER_WORKERS (2), CAKUPAN_CLUSTER_WORKER_MEMORY (1g),
# CAKUPAN_CLUSTER_TIMEOUT (seconds to wait for the cluster, 120), PYTHON (the Python whose
# pyspark to use; default the checkout's .venv, else python3).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${CAKUPAN_CLUSTER_PORT:-7077}
UI_PORT=${CAKUPAN_CLUSTER_UI_PORT:-8080}
WORKERS=${CAKUPAN_CLUSTER_WORKERS:-2}
WORKER_MEMORY=${CAKUPAN_CLUSTER_WORKER_MEMORY:-1g}
TIMEOUT=${CAKUPAN_CLUSTER_TIMEOUT:-120}
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
HOST=127.0.0.1
MASTER_URL="spark://$HOST:$PORT"

say() { printf 'spark_cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ------------------------------------------------------------------ checks before any JVM
command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] \
    || die "Java 17+ is needed: bash scripts/ensure_java.sh (or set JAVA_HOME)"
PYSPARK_DIR=$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null) \
    || die "no pyspark for $PYTHON: make setup (or pip install 'cakupan[spark]')"
SPARK_CLASS="$PYSPARK_DIR/bin/spark-class"
[ -x "$SPARK_CLASS" ] || die "$SPARK_CLASS is missing or not executable"
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    die "port $PORT is in use (another Spark master?): set CAKUPAN_CLUSTER_PORT to a free port"
fi

# Everything below is ours: the daemons, and the executors they start inside WORK.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cakupan-spark-cluster.XXXXXX")
export SPARK_HOME="$PYSPARK_DIR"
export SPARK_LOCAL_IP="$HOST"
export SPARK_LOCAL_DIRS="$WORK/local"
export SPARK_DAEMON_MEMORY=256m
export SPARK_NO_DAEMONIZE=1
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$PYTHON}"
mkdir -p "$SPARK_LOCAL_DIRS"

PIDS=()        # workers first, master last: the order in which they are stopped
MASTER_PID=""
STATUS=1

stop_pid() {   # stop_pid PID NAME: SIGTERM, up to 20 s, then SIGKILL
    local pid=$1 name=$2 waited=0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 200 ]; do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name (pid $pid) did not stop in 20 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
}

executor_pids() {   # processes whose working folder is inside WORK (the workers' executors)
    local link pid
    for link in /proc/[0-9]*/cwd; do
        pid=${link#/proc/}; pid=${pid%/cwd}
        case "$(readlink "$link" 2>/dev/null)" in "$WORK"/*) echo "$pid" ;; esac
    done
}

cleanup() {
    trap - EXIT INT TERM
    local pid i
    for i in "${!PIDS[@]}"; do
        [ "${PIDS[$i]}" = "$MASTER_PID" ] && continue
        stop_pid "${PIDS[$i]}" "worker $((i + 1))"
    done
    for pid in $(executor_pids); do stop_pid "$pid" "executor"; done
    [ -n "$MASTER_PID" ] && stop_pid "$MASTER_PID" "master"
    for pid in $(executor_pids); do kill -KILL "$pid" 2>/dev/null; done
    if [ "$STATUS" -eq 0 ]; then
        rm -rf "$WORK"
        say "stopped"
    else
        say "stopped; logs kept in $WORK"
    fi
}
trap 'cleanup; exit $STATUS' EXIT
SERVING=0      # 1 while serving without a command: then Ctrl-C / SIGTERM is the normal stop
on_signal() { if [ "$SERVING" -eq 1 ]; then STATUS=0; else STATUS=$1; fi; exit "$STATUS"; }
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

wait_for() {   # wait_for FILE PATTERN PID NAME: until FILE holds PATTERN (or PID dies)
    local file=$1 pattern=$2 pid=$3 name=$4 deadline=$((SECONDS + TIMEOUT))
    until grep -q "$pattern" "$file" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            say "$name exited before it was ready; last lines of $file:"
            tail -n 20 "$file" >&2
            exit 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            say "$name not ready after ${TIMEOUT} s; last lines of $file:"
            tail -n 20 "$file" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# ------------------------------------------------------------------------------ start
STARTED=$SECONDS
"$SPARK_CLASS" org.apache.spark.deploy.master.Master \
    --host "$HOST" --port "$PORT" --webui-port "$UI_PORT" >"$WORK/master.log" 2>&1 &
MASTER_PID=$!
PIDS+=("$MASTER_PID")
wait_for "$WORK/master.log" "I have been elected leader" "$MASTER_PID" "master"
grep -q "Starting Spark master at $MASTER_URL" "$WORK/master.log" \
    || { say "the master did not bind $MASTER_URL:"; grep "Starting Spark master" "$WORK/master.log" >&2; exit 1; }

WORKER_PIDS=()
for i in $(seq 1 "$WORKERS"); do
    mkdir -p "$WORK/worker-$i"
    "$SPARK_CLASS" org.apache.spark.deploy.worker.Worker \
        --host "$HOST" --cores 1 --memory "$WORKER_MEMORY" --webui-port 0 \
        --work-dir "$WORK/worker-$i" "$MASTER_URL" >"$WORK/worker-$i.log" 2>&1 &
    WORKER_PIDS+=($!)
    PIDS=("$!" "${PIDS[@]}")
done
for i in $(seq 1 "$WORKERS"); do
    wait_for "$WORK/worker-$i.log" "Successfully registered with master" \
        "${WORKER_PIDS[$((i - 1))]}" "worker $i"
done
REGISTERED=$(grep -c "Registering worker" "$WORK/master.log")
[ "$REGISTERED" -ge "$WORKERS" ] || die "the master registered $REGISTERED of $WORKERS workers"

export CAKUPAN_SPARK_MASTER="$MASTER_URL"
echo "ready: $MASTER_URL ($WORKERS workers x 1 core, $WORKER_MEMORY each) in $((SECONDS - STARTED)) s;" \
     "master UI http://$HOST:$UI_PORT ; logs $WORK ; pids $MASTER_PID ${WORKER_PIDS[*]}"

# ------------------------------------------------------------------------------ run
if [ $# -gt 0 ]; then
    "$@"
    STATUS=$?
    exit "$STATUS"
fi
# No command: serve until interrupted (the INT/TERM traps stop the cluster).
SERVING=1
while kill -0 "$MASTER_PID" 2>/dev/null; do wait "$MASTER_PID"; done
say "the master exited on its own; last lines of $WORK/master.log:"
tail -n 20 "$WORK/master.log" >&2
SERVING=0
STATUS=1
exit 1
