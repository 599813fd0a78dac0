#!/usr/bin/env bash
# Summarises a JFR recording's CPU samples (jdk.ExecutionSample): the top frames ("self" time)
# and the top testpulse/Kafka/RocksDB/Avro frames anywhere on the stack ("total" time).
#   benchmarks/jfr-top.sh FILE.jfr [N]
set -euo pipefail
file="$1"; n="${2:-25}"
tmp="$(mktemp)"; trap 'rm -f "$tmp"' EXIT
jfr print --stack-depth 64 --events jdk.ExecutionSample "$file" > "$tmp"
samples=$(grep -c 'jdk.ExecutionSample' "$tmp" || true)
echo "samples: $samples"
echo
echo "top frames (self):"
awk '/stackTrace = \[/{getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print}' "$tmp" \
  | sort | uniq -c | sort -rn | head -n "$n" | awk -v s="$samples" '{c=$1; $1=""; printf "  %5.1f%% %s\n", 100*c/s, $0}'
echo
echo "packages on the stack (total, once per sample):"
awk '/stackTrace = \[/{inside=1; delete seen; next}
     inside && /^[ \t]*\]/{inside=0; for (k in seen) print k; next}
     inside {line=$0; sub(/^[ \t]+/, "", line); sub(/\(.*/, "", line); n=split(line, parts, "."); pkg="";
             for (i=1; i<n-1 && i<=4; i++) pkg = pkg (i>1?".":"") parts[i]; if (pkg!="") seen[pkg]=1}' "$tmp" \
  | sort | uniq -c | sort -rn | head -n "$n" | awk -v s="$samples" '{printf "  %5.1f%% %s\n", 100*$1/s, $2}'
