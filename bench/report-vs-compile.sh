#!/usr/bin/env bash
# bench/report-vs-compile.sh — issue 15 target: the readiness report of a
# 1,000-member IXP over the generated --asns 100000 --routes 2000000
# dataset within 1.5x the compile's own time. Runs `compile` and `report`
# of the same policy alternately, COUNT times each, and prints wall time,
# CPU time (user+sys: on a shared machine the wall time stretches, the
# CPU time much less) and peak RSS of each run.
#
#   bench/report-vs-compile.sh [COUNT] [ROUTES]   (default 1 run, 2000000 routes)
#
# ROUTES=100000 (with --asns 5000 and 2,000 sets) measures a smaller dataset when the
# machine is too loaded. Data goes to bench/data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1}
routes=${2:-2000000}
asns=100000
[ "$routes" -lt 2000000 ] && asns=5000
gen=../shared/tools/gen-rpsl.py
data=bench/data
mkdir -p "$data"
dump=$data/gen-$asns-$routes.rpsl
if [ ! -s "$dump" ]; then
	echo "generating $dump"
	python3 "$gen" --seed 1 --asns "$asns" --routes "$routes" --sets $((asns > 20000 ? 0 : 2000)) --out "$dump"
fi
policy=$data/ixp-$asns-$routes.yaml
if [ ! -s "$policy" ]; then
	echo "choosing 1,000 members (expands the dump's sets once)"
	go run ./bench/ixp-policy -dump "$dump" -out "$policy"
fi
go build -o bin/filtergen ./cmd/filtergen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq "$count"); do
	for cmd in compile report; do
		rm -rf "$tmp/$cmd"
		/usr/bin/time -f "$cmd: wall %e s, cpu %U+%S s, peak RSS %M KiB" \
			bin/filtergen "$cmd" "$policy" -o "$tmp/$cmd" -q >/dev/null
	done
done
