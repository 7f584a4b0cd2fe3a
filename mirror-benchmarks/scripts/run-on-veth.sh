#!/usr/bin/env bash
# mirror run on a live veth, beside tcpdump on the same device.
#
#   mirror-benchmarks/scripts/run-on-veth.sh [RATE] [SECONDS]
#
# Three network namespaces: the mirrored host's ("mid"), a source of traffic joined to it by a veth pair
# (198.18.250.1 in mid, .2 in src) and a target joined by another (198.18.251.1 in mid, .2 in tgt) whose kernel
# vxlan device (VNI 5569041) receives the copies. The getting-started configuration, moved onto these addresses,
# mirrors an instance 198.18.250.77 behind the mid end of the first veth (everything but SSH). From src,
# ReceiveBlaster (benchmarks.jar) sends UDP datagrams, the payloads of the real AWS capture, to that instance at
# RATE a second for SECONDS; src has a static neighbour entry for it, and mid does not forward, so the frames cross
# the veth and are dropped in silence (no ICMP to count). `mirror run` and `tcpdump` capture the same device in mid.
# Prints the datagrams sent, the frames tcpdump kept, what mirror run saw and mirrored, what reached the target's
# vxlan device (its rx_packets), and mirrored/s over the blast. The namespaces are removed at the end.
#
# Needs root, iproute2, tcpdump, and `mvn -B -q package -DskipTests` run first (examples/target/mirror.jar and
# mirror-benchmarks/target/benchmarks.jar). Work files go to mirror-benchmarks/target/run-on-veth.
set -euo pipefail

RATE=${1:-50000}
SECONDS_TO_SEND=${2:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR_JAR=${MIRROR_JAR:-$ROOT/examples/target/mirror.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/mirror-benchmarks/target/benchmarks.jar}
CAPTURE=${CAPTURE:-$ROOT/../shared/data/vxlan/aws-traffic-mirror-ssh-dns-ntp.pcap}
WORK=${WORK:-$ROOT/mirror-benchmarks/target/run-on-veth}
SRC=tmbench-src
MID=tmbench-mid
TGT=tmbench-tgt
INSTANCE=198.18.250.77
TARGET=198.18.251.2

for tool in ip tcpdump java awk; do
    command -v "$tool" > /dev/null || { echo "needs $tool" >&2; exit 2; }
done
for jar in "$MIRROR_JAR" "$BENCH_JAR"; do
    [[ -f $jar ]] || { echo "$jar is missing: run mvn -B -q package -DskipTests first" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (namespaces and capture)" >&2; exit 2; }
mkdir -p "$WORK"

cleanup() {
    for ns in "$SRC" "$MID" "$TGT"; do
        ip netns del "$ns" 2> /dev/null || true
    done
}
trap cleanup EXIT
cleanup

for ns in "$SRC" "$MID" "$TGT"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done
ip -n "$MID" link add tmbench-a type veth peer name tmbench-b netns "$SRC"
ip -n "$MID" addr add 198.18.250.1/24 dev tmbench-a
ip -n "$MID" link set tmbench-a up
ip -n "$SRC" addr add 198.18.250.2/24 dev tmbench-b
ip -n "$SRC" link set tmbench-b up
mac=$(ip netns exec "$MID" cat /sys/class/net/tmbench-a/address)
ip -n "$SRC" neigh add "$INSTANCE" lladdr "$mac" dev tmbench-b
ip -n "$MID" link add tmbench-c type veth peer name tmbench-d netns "$TGT"
ip -n "$MID" addr add 198.18.251.1/24 dev tmbench-c
ip -n "$MID" link set tmbench-c up
ip -n "$TGT" addr add "$TARGET/24" dev tmbench-d
ip -n "$TGT" link set tmbench-d up
ip -n "$TGT" link add vx0 type vxlan id 5569041 dstport 4789 local "$TARGET" remote 198.18.251.1 \
    dev tmbench-d nolearning
ip -n "$TGT" link set vx0 up

sed -e "s/172\.31\.0\.238/$INSTANCE/g" -e "s/172\.31\.17\.188/$TARGET/g" -e "s#172\.31\.0\.0/16#198.18.250.0/24#g" \
    "$ROOT/examples/getting-started.json" > "$WORK/config.json"

ip netns exec "$MID" tcpdump -i tmbench-a -n -w "$WORK/tcpdump.pcap" "udp and dst host $INSTANCE" \
    2> "$WORK/tcpdump.err" &
dumper=$!
ip netns exec "$MID" java -jar "$MIRROR_JAR" run --config "$WORK/config.json" --interface eni-0f1e2d3c4b5a69788=tmbench-a \
    > "$WORK/run.out" 2> "$WORK/run.err" &
runner=$!
for _ in $(seq 100); do
    grep -q "SIGTERM or SIGINT stops" "$WORK/run.err" 2> /dev/null \
        && grep -q "listening on" "$WORK/tcpdump.err" 2> /dev/null && break
    sleep 0.1
done
sleep 0.5
before=$(ip netns exec "$TGT" cat /sys/class/net/vx0/statistics/rx_packets)

ip netns exec "$SRC" java -cp "$BENCH_JAR" io.trafficmirror.benchmarks.receiver.ReceiveBlaster "$INSTANCE:9" \
    "$RATE" "$SECONDS_TO_SEND" "$CAPTURE" > "$WORK/blaster.out" 2> "$WORK/blaster.err"

sleep 1
kill -TERM "$runner"
wait "$runner" || true
kill -INT "$dumper"
wait "$dumper" || true
after=$(ip netns exec "$TGT" cat /sys/class/net/vx0/statistics/rx_packets)

sent=$(sed -n 's/^sent=\([0-9]*\).*/\1/p' "$WORK/blaster.out")
reached=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$WORK/blaster.out")
dumped=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$WORK/tcpdump.err")
# The totals line of the summary: input, read, accepted, mirrored, ...
read -r seen mirrored < <(awk '$1 == "live:" { print $3, $5 }' "$WORK/run.out")
printf '%9s %9s %9s %9s %9s %9s %8s %10s\n' rate sent tcpdump seen mirrored target mirror% mirrored/s
awk -v r="$reached" -v s="$sent" -v d="${dumped:-0}" -v n="${seen:-0}" -v m="${mirrored:-0}" \
    -v t="$((after - before))" -v secs="$SECONDS_TO_SEND" 'BEGIN {
    printf "%9d %9d %9d %9d %9d %9d %7.1f%% %10.0f\n", r, s, d, n, m, t, s ? 100 * m / s : 0, m / secs }'
