#!/usr/bin/env bash
# Times `mirror explain --summary` against plain `mirror explain` (rows to /dev/null) on the same generated capture
# of 2,000,000 frames, alternating the two in each run; prints frames/s, peak RSS and their ratio.
#
#   mvn -B -q package -DskipTests -pl examples,mirror-benchmarks -am
#   mirror-benchmarks/scripts/explain-summary.sh [RUNS]
#
# Environment: MIRROR_JAR (default examples/target/mirror.jar), BENCH_JAR (default
# mirror-benchmarks/target/benchmarks.jar), WORK (default mirror-benchmarks/target/explain), FRAMES (2000000).
set -euo pipefail

cd "$(dirname "$0")/../.."
runs=${1:-5}
mirror_jar=${MIRROR_JAR:-examples/target/mirror.jar}
bench_jar=${BENCH_JAR:-mirror-benchmarks/target/benchmarks.jar}
work=${WORK:-mirror-benchmarks/target/explain}
frames=${FRAMES:-2000000}

if [ ! -x /usr/bin/time ]; then
    echo "explain-summary: /usr/bin/time is missing; installing the 'time' package" >&2
    apt-get install -y -q time > /dev/null
fi
for jar in "$mirror_jar" "$bench_jar"; do
    [ -f "$jar" ] || { echo "explain-summary: $jar is missing; build it first (see the header)" >&2; exit 1; }
done

mkdir -p "$work"
capture=$work/big-$frames.pcap
config=$work/explain.json
[ -f "$capture" ] || java -cp "$bench_jar" io.trafficmirror.benchmarks.explain.ExplainCapture "$capture" "$frames"
# The getting-started configuration, its source interface given the IPv6 address the generated traffic uses.
sed '0,/"Ipv6Addresses": \[\]/s//"Ipv6Addresses": [ { "Ipv6Address": "2600:1f18:abcd:1200::238" } ]/' \
    examples/getting-started.json > "$config"

# Runs a command under /usr/bin/time -v; prints "WALL_SECONDS PEAK_KIB".
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

median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

explain=(java -jar "$mirror_jar" explain --config "$config" --pcap "$capture")
# Checks both work and warms the page cache; the summary's sums are printed for the record.
"${explain[@]}" > /dev/null
"${explain[@]}" --summary | tail -n 1

: > "$work/summary-times"
for run in $(seq "$runs"); do
    echo "plain $(measure "${explain[@]}")" >> "$work/summary-times"
    echo "summary $(measure "${explain[@]}" --summary)" >> "$work/summary-times"
done

column() {
    awk -v job="$1" -v field="$2" '$1 == job { print $field }' "$work/summary-times" | median
}
plain=$(column plain 2)
summary=$(column summary 2)
plain_rss=$(column plain 3)
summary_rss=$(column summary 3)
echo "medians of $runs runs; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v f="$frames" -v p="$plain" -v s="$summary" -v pr="$plain_rss" -v sr="$summary_rss" 'BEGIN {
    printf "| %d frames | explain | explain --summary | summary / plain |\n| --- | --- | --- | --- |\n", f
    printf "| frames/s | %.0f | %.0f | %.2fx |\n", f / p, f / s, p / s
    printf "| wall s | %.2f | %.2f | |\n", p, s
    printf "| peak RSS MiB | %.0f | %.0f | |\n", pr / 1024, sr / 1024
}'
