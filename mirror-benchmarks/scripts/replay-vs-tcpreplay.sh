#!/usr/bin/env bash
# mirror replay of a large capture to a loopback sink, as fast as it goes, beside tcpreplay --topspeed of the same
# capture onto lo in the same run.
#
#   mirror-benchmarks/scripts/replay-vs-tcpreplay.sh            # 2,000,000 frames
#   FRAMES=200000 mirror-benchmarks/scripts/replay-vs-tcpreplay.sh
#
# Builds examples/target/mirror.jar and mirror-benchmarks/target/benchmarks.jar when they are missing (REBUILD=1 to
# build anyway). Work files go to mirror-benchmarks/target/replay (WORK=DIR to change). The sink is the
# benchmarks' CountingReceiver on 127.0.0.1:$PORT. tcpreplay sends raw frames, not VXLAN copies, and needs root;
# it is skipped, with a note, when missing (apt-get install tcpreplay).
#
# Reports: copies/s of mirror replay (mirrored copies over the whole run: reading, classifying, sending, draining),
# the share of accepted copies that arrived at the sink, and tcpreplay's packets/s. Drops at the sink's socket
# (the kernel's Udp RcvbufErrors) are the receiver falling behind, not the engine; they are shown apart.
#
# The kernel caps each socket's receive buffer at net.core.rmem_max. RMEM_MAX=268435456 (as root) raises that
# system-wide cap for the run and puts the old value back at the end, so the sink's sockets can absorb bursts on a
# busy machine; it changes nothing unless asked.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FRAMES="${FRAMES:-2000000}"
PORT="${PORT:-47891}"
WORK="${WORK:-$ROOT/mirror-benchmarks/target/replay}"
TARGET=tmt-09e4f63ab1c7d2e45
MIRROR_JAR="$ROOT/examples/target/mirror.jar"
BENCH_JAR="$ROOT/mirror-benchmarks/target/benchmarks.jar"
JAVA="${JAVA:-java}"

if [[ "${REBUILD:-0}" == 1 || ! -f "$MIRROR_JAR" || ! -f "$BENCH_JAR" ]]; then
    (cd "$ROOT" && mvn -B -q package -DskipTests -pl examples,mirror-benchmarks -am)
fi
mkdir -p "$WORK"
PCAP="$WORK/big-$FRAMES.pcap"
if [[ ! -f "$PCAP" ]]; then
    "$JAVA" -cp "$BENCH_JAR" io.trafficmirror.benchmarks.replay.CaptureGenerator "$PCAP" "$FRAMES"
fi

rcvbuf_errors() {
    awk '/^Udp:/ { if (!names) { for (i = 1; i <= NF; i++) col[$i] = i; names = 1 } else print $col["RcvbufErrors"] }' \
        /proc/net/snmp
}

receiver=""
old_rmem=""
cleanup() {
    [[ -n "$receiver" ]] && kill "$receiver" 2>/dev/null || true
    [[ -n "$old_rmem" ]] && sysctl -q -w net.core.rmem_max="$old_rmem" || true
}
trap cleanup EXIT
if [[ -n "${RMEM_MAX:-}" ]]; then
    old_rmem=$(cat /proc/sys/net/core/rmem_max)
    sysctl -q -w net.core.rmem_max="$RMEM_MAX"
fi

# mirror replay to the counting sink.
before=$(rcvbuf_errors)
"$JAVA" -cp "$BENCH_JAR" io.trafficmirror.benchmarks.replay.CountingReceiver "$PORT" "$FRAMES" \
    > "$WORK/receiver.txt" 2> "$WORK/receiver.err" &
receiver=$!
for _ in $(seq 1 100); do
    grep -q listening "$WORK/receiver.err" 2>/dev/null && break
    sleep 0.1
done
"$JAVA" -jar "$MIRROR_JAR" replay --config "$ROOT/examples/getting-started.json" --pcap "$PCAP" \
    --target "$TARGET=127.0.0.1:$PORT" > "$WORK/replay.txt" 2> "$WORK/replay.err"
wait "$receiver" || true
receiver=""
after=$(rcvbuf_errors)

# The totals line: input read accepted mirrored queue-full send-error failure shutdown seconds copies/s.
read -r _ read_ accepted mirrored queue_full send_error failure shutdown seconds copies_s \
    < <(grep -A1 '^input ' "$WORK/replay.txt" | tail -1)
read -r _ received _ inner _ _ sockets _ rcvbuf < "$WORK/receiver.txt"
delivered=$(awk -v r="$received" -v a="$accepted" 'BEGIN { printf "%.3f", a ? 100 * r / a : 0 }')

# tcpreplay of the same frames onto lo.
if command -v tcpreplay > /dev/null; then
    tcpreplay --topspeed -i lo "$PCAP" > "$WORK/tcpreplay.txt" 2>&1 || true
    tcp_pps=$(grep -o '[0-9.]* pps' "$WORK/tcpreplay.txt" | head -1 | cut -d' ' -f1)
    tcp_secs=$(grep -o 'packets ([0-9]* bytes) sent in [0-9.]* seconds' "$WORK/tcpreplay.txt" | grep -o '[0-9.]* seconds' \
        | cut -d' ' -f1)
    tcp_sent=$(grep -o 'Actual: [0-9]* packets' "$WORK/tcpreplay.txt" | grep -o '[0-9]*')
else
    tcp_pps="n/a"; tcp_secs="n/a"; tcp_sent="n/a (apt-get install tcpreplay)"
fi

echo
echo "capture: $PCAP ($FRAMES frames), $(nproc) cores, $(date -u +%FT%TZ)"
printf '%-34s %12s %12s %12s %10s %14s\n' "run" "packets" "copies" "seconds" "per second" "delivered"
printf '%-34s %12s %12s %12s %10s %14s\n' "mirror replay (VXLAN to UDP sink)" "$read_" "$mirrored" "$seconds" \
    "$copies_s" "$delivered%"
printf '%-34s %12s %12s %12s %10s %14s\n' "tcpreplay --topspeed -i lo (raw)" "$tcp_sent" "-" "$tcp_secs" \
    "$tcp_pps" "-"
echo
echo "mirror replay: accepted $accepted, mirrored $mirrored, dropped: queue full $queue_full, send error $send_error," \
    "failure $failure, shutdown $shutdown"
echo "sink: received $received datagrams, $inner inner bytes ($sockets sockets, receive buffer $rcvbuf bytes each);" \
    "kernel drops at receiving sockets during the run (Udp RcvbufErrors, all sockets): $((after - before))"
