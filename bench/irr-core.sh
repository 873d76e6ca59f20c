#!/usr/bin/env bash
# bench/irr-core.sh — issue 3 targets: parse+index throughput on one core,
# peak RSS with the whole registry loaded, and AS-TOP expansion time, on the
# generated --asns 100000 --routes 2000000 dataset.
#
#   bench/irr-core.sh [COUNT]      (default COUNT=5; needs python3, benchstat optional)
#
# Data goes to bench/data/ (git-ignored) and is generated once.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
gen=../shared/tools/gen-rpsl.py
data=bench/data
mkdir -p "$data" bench/results
big=$data/big-100k-2m.rpsl
if [ ! -s "$big" ]; then
	echo "generating $big (about 30 s)"
	python3 "$gen" --seed 1 --asns 100000 --routes 2000000 --out "$big" --manifest "$data/big-100k-2m.json"
fi
go build -o bin/filtergen ./cmd/filtergen

echo "== go test -bench (one core), $count runs =="
out=bench/results/irr-core.txt
FILTERGEN_BENCH_RPSL=$PWD/$big go test ./irr -run '^$' -bench 'Load|Expand|Reader' \
	-benchtime 3x -count "$count" -cpu 1 | tee "$out"
if command -v benchstat >/dev/null; then benchstat "$out"; fi

echo "== peak RSS: load the whole registry and expand AS-TOP (v4) =="
/usr/bin/time -f 'wall %e s, peak RSS %M KiB' bin/filtergen expand --registry "$big" -4 AS-TOP 2>&1 >/dev/null | tail -1
echo "manifest: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["top"])' "$data/big-100k-2m.json")"
echo "ours:     v4 $(bin/filtergen expand --registry "$big" -4 AS-TOP 2>/dev/null | wc -l) v6 $(bin/filtergen expand --registry "$big" -6 AS-TOP 2>/dev/null | wc -l) asns $(bin/filtergen expand --registry "$big" AS-TOP 2>/dev/null | wc -l)"
