#!/usr/bin/env bash
# Regenerates benches/RESULTS.md and benches/results.svg: instruction counts under callgrind
# (repeatable on a noisy machine), allocations, sizes, criterion wall time, and the compile
# time of 200 invocations of each macro next to tokio's. Needs valgrind and python3. Exits
# non-zero, after writing both files, when a figure misses its target (listed on stderr).
#
#   benches/run.sh            everything (about 5 minutes on 2 cores)
#   QUICK=1 benches/run.sh    no criterion, no compile time
set -euo pipefail
cd "$(dirname "$0")/.."

iters=${ITERS:-2000}
out=target/bench
mkdir -p "$out"
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }

echo "== building the cells"
exe=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "instructions" and m.get("executable"):
        print(m["executable"])')
"$exe" --list "$iters" >"$out/cells.tsv"
"$exe" --facts >"$out/facts.jsonl"

echo "== instructions ($iters operations a cell, under callgrind)"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" "$exe" --run "$iters" >/dev/null 2>"$out/valgrind.log"
callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out" >"$out/annotate.txt" 2>/dev/null

# The cells that allocate (the dynamic ones, blocks of up to hundreds of kilobytes; the
# promise ones, a task per operation, tokio's or ours) pay malloc and free a cost that depends
# on what earlier cells left in the heap: each runs in a process of its own.
echo "== instructions of the cells that allocate, each in its own process"
: >"$out/annotate-own.txt"
grep -P '\t[^\t]*::(dynamic|promises)::[^\t]*\t' "$out/cells.tsv" | cut -f5 | while read -r path; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cell.out" "$exe" --run "$iters" "$path" >/dev/null 2>>"$out/valgrind.log"
    callgrind_annotate --inclusive=yes --threshold=100 "$out/cell.out" 2>/dev/null | grep -E '::(dynamic|promises)::' >>"$out/annotate-own.txt"
done

if [ -z "${QUICK:-}" ]; then
    echo "== wall time (criterion, short runs: secondary)"
    cargo bench --bench wall -- --warm-up-time 0.05 --measurement-time 0.2 --noplot >"$out/criterion.log" 2>&1

    echo "== compile time: 200 invocations of each macro, ours and tokio's"
    bash benches/compile_time.sh >"$out/compile-time.txt"
fi

machine="$(nproc) cores, $(uname -m), $(rustc --version | cut -d' ' -f1-2), $(valgrind --version), $(date -u +%Y-%m-%d)"
python3 benches/report.py "$out" "$iters" "$machine"
