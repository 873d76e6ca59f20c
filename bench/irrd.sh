#!/bin/sh
# bench/irrd.sh: filtergen's IRRd server and client against bgpq4 1.9 on
# the generated 20k-ASN/400k-route dataset (seed 42, as in bgpq4.md §7).
# Starts two `filtergen serve` instances on 127.0.0.1 (with and without
# !a), then measures:
#   - the server: warm !a4AS-TOP read in full (target: under 50 ms);
#   - bgpq4 -j -4 / -6 AS-TOP from each server: cold run, then the median
#     of 3 warm runs (wall clock);
#   - the filtergen client expanding AS-TOP v4 + v6 from each server;
#   - 100 concurrent clients expanding AS-TOP (v4 + v6) from one server,
#     with the server's peak RSS.
# Usage: bench/irrd.sh [asns routes]   (run from anywhere; needs python3,
# bgpq4 and ../shared beside the repository).
set -eu
cd "$(dirname "$0")/.."
ASNS=${1:-20000}
ROUTES=${2:-400000}
SHARED=${SHARED:-../shared}
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

go build -o "$tmp/filtergen" ./cmd/filtergen
go build -o "$tmp/irrd" ./bench/irrd
echo "== dataset: gen-rpsl.py --seed 42 --asns $ASNS --routes $ROUTES"
python3 "$SHARED/tools/gen-rpsl.py" --seed 42 --asns "$ASNS" --routes "$ROUTES" \
	--out "$tmp/gen.rpsl" --manifest "$tmp/gen.json" >/dev/null
want4=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["top"]["unique_v4_prefixes"])' "$tmp/gen.json")
want6=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["top"]["unique_v6_prefixes"])' "$tmp/gen.json")
echo "ground truth (manifest): $want4 v4, $want6 v6 unique prefixes for AS-TOP"

# Port 0 and the address from the log: nothing collides with other
# servers on the machine.
start=$(date +%s.%N)
"$tmp/filtergen" serve -v --listen 127.0.0.1:0 "$tmp/gen.rpsl" 2>"$tmp/serve-a.log" &
pida=$!
"$tmp/filtergen" serve -v --no-a --listen 127.0.0.1:0 "$tmp/gen.rpsl" 2>"$tmp/serve-noa.log" &
pids="$pida $!"
addr_of() {
	for i in $(seq 600); do
		a=$(sed -n 's/.*msg=serving addr=\([0-9.:]*\).*/\1/p' "$1")
		if [ -n "$a" ]; then echo "$a"; return; fi
		sleep 0.1
	done
	echo "server did not start:" >&2; cat "$1" >&2; exit 1
}
A=$(addr_of "$tmp/serve-a.log")
NOA=$(addr_of "$tmp/serve-noa.log")
echo "servers up after $(echo "$(date +%s.%N) - $start" | bc) s (two loading in parallel on 2 cores): $A (with !a), $NOA (without)"
grep -h 'msg=loaded' "$tmp/serve-a.log" | sed 's/^time=[^ ]* //'

echo "== server"
"$tmp/irrd" a4 -addr $A -n 20

echo "== bgpq4 1.9 (wall s: cold, then median of 3 warm)"
for srv in $A $NOA; do
	mode=a; [ $srv = $NOA ] && mode=noa
	for fam in -4 -6; do
		times=""
		for i in 1 2 3 4; do
			t0=$(date +%s.%N)
			n=$(bgpq4 -h $srv -j -p $fam AS-TOP | grep -c '"prefix"')
			t1=$(date +%s.%N)
			times="$times $(echo "$t1 - $t0" | bc)"
		done
		set -- $times
		cold=$1; shift
		warm=$(printf '%s\n' "$@" | sort -n | sed -n 2p)
		printf 'bgpq4 %-3s %s AS-TOP: %d prefixes; cold %.3f s, warm median %.3f s\n' $mode $fam "$n" "$cold" "$warm"
	done
done

echo "== filtergen client (v4 + v6, new connection each run)"
"$tmp/irrd" client -addr $A -n 5 -want4 "$want4" -want6 "$want6"
"$tmp/irrd" client -addr $NOA -n 5 -want4 "$want4" -want6 "$want6"

echo "== load: 100 concurrent clients against the !a server"
rss0=$(awk '/VmRSS/ {print $2}' /proc/$pida/status)
"$tmp/irrd" load -addr $A -clients 100 -want4 "$want4" -want6 "$want6"
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pida/status)
echo "server RSS before load $((rss0 / 1024)) MB, peak (VmHWM, includes loading) $((hwm / 1024)) MB"
