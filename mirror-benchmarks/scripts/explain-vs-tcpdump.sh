#!/usr/bin/env bash
# Times `mirror explain` against `tcpdump -r ... -w /dev/null 'not (tcp port 22)'` on the same generated captures:
# 2,000,000 frames (throughput, peak RSS) and 10,000 frames (wall time, start-up included).
#
#   mvn -B -q package -DskipTests -pl examples,mirror-benchmarks -am
#   mirror-benchmarks/scripts/explain-vs-tcpdump.sh [RUNS]
#
# Environment: MIRROR_JAR (default examples/target/mirror.jar), BENCH_JAR (default
# mirror-benchmarks/target/benchmarks.jar), WORK (default mirror-benchmarks/target/explain), FRAMES (2000000),
# BASELINE_JAR (another mirror.jar, e.g. built from an older commit, timed in the same runs as "baseline").
set -euo pipefail

cd "$(dirname "$0")/../.."
runs=${1:-5}
mirror_jar=${MIRROR_JAR:-examples/target/mirror.jar}
bench_jar=${BENCH_JAR:-mirror-benchmarks/target/benchmarks.jar}
work=${WORK:-mirror-benchmarks/target/explain}
frames=${FRAMES:-2000000}
small_frames=10000

for tool in java tcpdump; do
    command -v "$tool" > /dev/null || { echo "explain-vs-tcpdump: $tool is not installed" >&2; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
    echo "explain-vs-tcpdump: /usr/bin/time is missing; installing the 'time' package" >&2
    apt-get install -y -q time > /dev/null
fi
for jar in "$mirror_jar" "$bench_jar"; do
    [ -f "$jar" ] || { echo "explain-vs-tcpdump: $jar is missing; build it first (see the header)" >&2; exit 1; }
done

mkdir -p "$work"
big=$work/big-$frames.pcap
small=$work/small-$small_frames.pcap
config=$work/explain.json
[ -f "$big" ] || java -cp "$bench_jar" io.trafficmirror.benchmarks.explain.ExplainCapture "$big" "$frames"
[ -f "$small" ] || java -cp "$bench_jar" io.trafficmirror.benchmarks.explain.ExplainCapture "$small" "$small_frames"
# The getting-started configuration, its source interface given the IPv6 address the generated traffic uses.
sed '0,/"Ipv6Addresses": \[\]/s//"Ipv6Addresses": [ { "Ipv6Address": "2600:1f18:abcd:1200::238" } ]/' \
    examples/getting-started.json > "$config"

# Runs a command under /usr/bin/time -v; prints "WALL_SECONDS PEAK_KIB" (wall time from date, to the millisecond).
measure() {
    local log start end rss
    log=$(mktemp)
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$log" "$@" > /dev/null 2> /dev/null
    end=$(date +%s.%N)
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log"
    echo "$(echo "$end $start" | awk '{ printf "%.3f", $1 - $2 }') $rss"
}

# Median of the numbers on stdin.
median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

explain=(java -jar "$mirror_jar" explain --config "$config" --pcap)
baseline=(java -jar "${BASELINE_JAR:-}" explain --config "$config" --pcap)
tcpdump_read=(tcpdump -q -w /dev/null -r)
filter='not (tcp port 22)'

: > "$work/times"
"${explain[@]}" "$small" > "$work/explain-small.csv"  # checks the command works and warms the page cache
"${tcpdump_read[@]}" "$big" "$filter" 2> /dev/null
# Optional for users, measured here: an AppCDS archive of the classes a short run loads.
archive=$work/explain.jsa
rm -f "$archive"
java -XX:ArchiveClassesAtExit="$archive" -jar "$mirror_jar" explain --config "$config" --pcap "$small" \
    > /dev/null 2> /dev/null
explain_cds=(java -XX:SharedArchiveFile="$archive" -jar "$mirror_jar" explain --config "$config" --pcap)
for run in $(seq "$runs"); do
    echo "explain big $(measure "${explain[@]}" "$big")" >> "$work/times"
    echo "tcpdump big $(measure "${tcpdump_read[@]}" "$big" "$filter")" >> "$work/times"
    echo "explain small $(measure "${explain[@]}" "$small")" >> "$work/times"
    echo "tcpdump small $(measure "${tcpdump_read[@]}" "$small" "$filter")" >> "$work/times"
    echo "appcds small $(measure "${explain_cds[@]}" "$small")" >> "$work/times"
    if [ -n "${BASELINE_JAR:-}" ]; then
        echo "baseline big $(measure "${baseline[@]}" "$big")" >> "$work/times"
        echo "baseline small $(measure "${baseline[@]}" "$small")" >> "$work/times"
    fi
done

column() {
    awk -v tool="$1" -v size="$2" -v field="$3" '$1 == tool && $2 == size { print $field }' "$work/times" | median
}
explain_big=$(column explain big 3)
tcpdump_big=$(column tcpdump big 3)
explain_small=$(column explain small 3)
tcpdump_small=$(column tcpdump small 3)
explain_rss=$(column explain big 4)
tcpdump_rss=$(column tcpdump big 4)
cds_small=$(column appcds small 3)

echo "medians of $runs runs; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v f="$frames" -v eb="$explain_big" -v tb="$tcpdump_big" -v es="$explain_small" -v ts="$tcpdump_small" \
    -v er="$explain_rss" -v tr="$tcpdump_rss" -v sf="$small_frames" -v cs="$cds_small" 'BEGIN {
    printf "| job | explain | tcpdump | explain / tcpdump |\n| --- | --- | --- | --- |\n"
    printf "| %d frames, frames/s | %.0f | %.0f | %.2fx |\n", f, f / eb, f / tb, tb / eb
    printf "| %d frames, wall s | %.2f | %.2f | |\n", f, eb, tb
    printf "| %d frames, peak RSS MiB | %.0f | %.0f | |\n", f, er / 1024, tr / 1024
    printf "| %d frames, wall s | %.3f | %.3f | |\n", sf, es, ts
    printf "| %d frames, wall s, explain with -XX:SharedArchiveFile | %.3f | | |\n", sf, cs
}'
if [ -n "${BASELINE_JAR:-}" ]; then
    baseline_big=$(column baseline big 3)
    baseline_small=$(column baseline small 3)
    baseline_rss=$(column baseline big 4)
    awk -v f="$frames" -v bb="$baseline_big" -v tb="$tcpdump_big" -v bs="$baseline_small" -v br="$baseline_rss" \
        -v sf="$small_frames" 'BEGIN {
        printf "| baseline %d frames, frames/s | %.0f | | %.2fx |\n", f, f / bb, tb / bb
        printf "| baseline %d frames, peak RSS MiB | %.0f | | |\n", f, br / 1024
        printf "| baseline %d frames, wall s | %.3f | | |\n", sf, bs
    }'
fi
