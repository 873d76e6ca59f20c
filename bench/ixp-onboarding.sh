#!/usr/bin/env bash
# bench/ixp-onboarding.sh — issue 14 target: onboarding a 1,000-member IXP
# from a PeeringDB snapshot (members_from, announce from irr_as_set,
# max-prefix from info_prefixes), with IRR expansion and rendering for
# BIRD and FRR (Junos refuses the two full-table members: 85,325 entries per list), in under 15 s and 2 GB (the compile benchmark's targets).
#
#   bench/ixp-onboarding.sh        (needs python3; data generated once)
#
# Data goes to bench/data/ (git-ignored): the same generated registry as
# BenchmarkCompileIXP and the snapshot bench/ixp-policy writes for it.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GEN_RPSL:-../shared/tools/gen-rpsl.py}
data=bench/data
mkdir -p "$data"
dump=$data/gen.rpsl
if [ ! -s "$dump" ]; then
	if [ ! -f "$gen" ]; then echo "bench/ixp-onboarding.sh: $gen not found" >&2; exit 1; fi
	echo "generating $dump (about 30 s)"
	python3 "$gen" --seed 1 --asns 100000 --routes 2000000 --out "$dump" --manifest "$data/gen.json"
fi
go build -o bin/filtergen ./cmd/filtergen
policy=$data/ixp-onboarding.yaml
if [ ! -s "$policy" ]; then
	go run ./bench/ixp-policy -dump "$dump" -members 1000 -peeringdb "$data/peeringdb" -out "$policy"
fi
out=$(mktemp -d)
trap 'rm -rf "$out" "$out.time" "$out.err"' EXIT
echo "== compile with members_from: peeringdb (1,000 members) =="
if ! /usr/bin/time -o "$out.time" -f 'wall %e s, user %U s, sys %S s, peak RSS %M KiB' \
	bin/filtergen compile -q "$policy" -o "$out" 2>"$out.err"; then
	echo "bench/ixp-onboarding.sh: the compile failed, so no figure counts:" >&2
	cat "$out.err" >&2
	exit 1
fi
cat "$out.time"
echo "peers written: $(find "$out" -name '*.conf' -path '*rs1.d*' | wc -l) (rs1)"
