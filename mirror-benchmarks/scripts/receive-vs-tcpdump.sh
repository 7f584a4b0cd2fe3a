#!/usr/bin/env bash
# The receiver against tcpdump on the same loopback blast.
#
#   mirror-benchmarks/scripts/receive-vs-tcpdump.sh [RATE] [SECONDS]
#
# For each mode (MODES, default "jdk native"), starts `mirror receive` (writing a pcap file) and
# `tcpdump -i lo -w ... udp dst port PORT` together, blasts the UDP payloads of the real AWS capture at RATE
# datagrams a second for SECONDS (ReceiveBlaster, from benchmarks.jar), and prints what was sent, what each
# captured, the percentages, the ratio ours/tcpdump and the CPU seconds our receiver's JVM used (user + system,
# start-up and JIT included). Mode "baseline" runs another build's CLI
# (BASELINE_JAR, e.g. one built from an older commit) with its own defaults, for a before/after in one run.
#
# Needs root (tcpdump), tcpdump, and `mvn -B -q package -DskipTests` run first (examples/target/mirror.jar and
# mirror-benchmarks/target/benchmarks.jar). Work files go to mirror-benchmarks/target/receive-vs-tcpdump.
set -euo pipefail

RATE=${1:-50000}
SECONDS_TO_SEND=${2:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${PORT:-47891}
MODES=${MODES:-"jdk native"}
MIRROR_JAR=${MIRROR_JAR:-$ROOT/examples/target/mirror.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/mirror-benchmarks/target/benchmarks.jar}
CAPTURE=${CAPTURE:-$ROOT/../shared/data/vxlan/aws-traffic-mirror-ssh-dns-ntp.pcap}
WORK=${WORK:-$ROOT/mirror-benchmarks/target/receive-vs-tcpdump}
RECEIVE_ARGS=${RECEIVE_ARGS:-}

for tool in tcpdump java awk /usr/bin/time; do
    command -v "$tool" > /dev/null || { echo "needs $tool" >&2; exit 2; }
done
for jar in "$MIRROR_JAR" "$BENCH_JAR"; do
    [[ -f $jar ]] || { echo "$jar is missing: run mvn -B -q package -DskipTests first" >&2; exit 2; }
done
if [[ ! -f $CAPTURE ]]; then
    echo "note: $CAPTURE is absent; the blaster sends generated VXLAN datagrams instead" >&2
fi
mkdir -p "$WORK"

printf '%-9s %9s %9s %9s %9s %8s %8s %7s %8s\n' mode rate sent ours tcpdump ours% tcpdump% ratio cpu-s
for mode in $MODES; do
    jar=$MIRROR_JAR
    extra=(--transport "$mode")
    if [[ $mode == baseline ]]; then
        jar=${BASELINE_JAR:?set BASELINE_JAR to the mirror.jar to compare with}
        extra=()
    fi
    ours_pcap=$WORK/ours-$mode.pcap
    dump_pcap=$WORK/tcpdump-$mode.pcap
    rm -f "$ours_pcap" "$dump_pcap"

    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S" -o "$WORK/ours-$mode.time" java -jar "$jar" receive --listen 127.0.0.1:$PORT --pcap "$ours_pcap" \
        --duration $((SECONDS_TO_SEND + 4)) "${extra[@]}" $RECEIVE_ARGS \
        > "$WORK/ours-$mode.out" 2> "$WORK/ours-$mode.err" &
    receiver=$!
    tcpdump -i lo -n -w "$dump_pcap" "udp dst port $PORT" 2> "$WORK/tcpdump-$mode.err" &
    dumper=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$WORK/ours-$mode.err" 2> /dev/null \
            && grep -q "listening on" "$WORK/tcpdump-$mode.err" 2> /dev/null && break
        sleep 0.1
    done
    sleep 0.5

    java -cp "$BENCH_JAR" io.trafficmirror.benchmarks.receiver.ReceiveBlaster 127.0.0.1:$PORT "$RATE" \
        "$SECONDS_TO_SEND" "$CAPTURE" > "$WORK/blaster-$mode.out" 2> "$WORK/blaster-$mode.err"

    sleep 1
    kill -INT "$dumper"
    wait "$dumper" || true
    wait "$receiver" || true

    sent=$(sed -n 's/^sent=\([0-9]*\).*/\1/p' "$WORK/blaster-$mode.out")
    reached=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$WORK/blaster-$mode.out")
    ours=$(sed -n 's/.*accepted \([0-9]*\) .*/\1/p' "$WORK/ours-$mode.out")
    dumped=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$WORK/tcpdump-$mode.err")
    cpu=$(awk 'NF == 2 { print $1 + $2 }' "$WORK/ours-$mode.time")
    awk -v m="$mode" -v r="$reached" -v s="$sent" -v o="${ours:-0}" -v d="${dumped:-0}" -v c="${cpu:-0}" 'BEGIN {
        printf "%-9s %9d %9d %9d %9d %7.1f%% %7.1f%% %7.3f %8.2f\n", m, r, s, o, d, 100 * o / s, 100 * d / s,
            d ? o / d : 0, c }'
    grep -h "^WARNING" "$WORK/ours-$mode.err" >&2 || true
done
