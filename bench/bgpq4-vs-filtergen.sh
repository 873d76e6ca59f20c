#!/usr/bin/env bash
# bgpq4-vs-filtergen.sh - time bgpq4 1.9 and `filtergen bgpq4` side by side.
#
# For each dataset size it generates RPSL with shared/tools/gen-rpsl.py,
# serves it with `filtergen serve`, then runs bgpq4 and `filtergen bgpq4`
# against that server, alternating which goes first, on -A -4, -A -6,
# -J -4 and -b -6 (object AS-TOP). It prints the median wall time and the
# peak RSS of each, their ratio (filtergen / bgpq4), and whether the two
# outputs are byte-identical. Target: ratio <= 0.5 for wall time and
# <= 1.0 for memory, identical output.
#
# Usage: bench/bgpq4-vs-filtergen.sh [SIZE...]
#   SIZE is ASNS:ROUTES; default "20000:400000 100000:2000000".
# Environment:
#   FILTERGEN  filtergen binary (default: bin/filtergen, built if missing)
#   BGPQ4      bgpq4 binary (default: bgpq4 on PATH)
#   RUNS       timed runs per tool and flag set (default 3; one warm-up first)
#   WORK       directory for datasets and outputs (default: bench/work; kept,
#              so datasets are generated once)
#   SERVE      server command; %f is replaced by the RPSL file and %a by
#              host:port (default: "$FILTERGEN serve --listen %a %f")
#   PORT       first port to listen on (default 4390)
#   SEEDS      generator seed of each size, space-separated (default: 42 for
#              the first size, one more for each next); "1 1" reuses the
#              datasets others generated with seed 1
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
gen=$shared/tools/gen-rpsl.py
FILTERGEN=${FILTERGEN:-$root/bin/filtergen}
BGPQ4=${BGPQ4:-bgpq4}
RUNS=${RUNS:-3}
WORK=${WORK:-$root/bench/work}
SERVE=${SERVE:-"$FILTERGEN serve --listen %a %f"}
PORT=${PORT:-4390}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000:400000 100000:2000000)
read -r -a seeds <<<"${SEEDS:-}"
flagsets=("-A -4" "-A -6" "-J -4" "-b -6")

die() { echo "bgpq4-vs-filtergen: $*" >&2; exit 1; }
command -v "$BGPQ4" >/dev/null || die "bgpq4 not found (apt-get install bgpq4)"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) not found"
[ -f "$gen" ] || die "$gen not found (set SHARED)"
if [ ! -x "$FILTERGEN" ]; then
	(cd "$root" && go build -o "$FILTERGEN" ./cmd/filtergen) || die "cannot build filtergen"
fi
mkdir -p "$WORK"

server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}
trap stop_server EXIT

# wait_port waits until host:port accepts connections (loading a big dump
# takes a while).
wait_port() {
	local host=${1%:*} port=${1##*:} i
	for i in $(seq 1 600); do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
		kill -0 "$server_pid" 2>/dev/null || die "server exited: $(tail -5 "$WORK/server.log")"
		sleep 0.5
	done
	die "server on $1 did not come up"
}

# timed RESULTFILE OUTFILE CMD... runs CMD with GNU time, stdout to OUTFILE;
# appends "wall_seconds max_rss_kb cpu_seconds" to RESULTFILE. CPU time
# (user+sys) is less disturbed than wall time by other load on the machine.
# Wall time comes from $EPOCHREALTIME (microseconds), not GNU time's %e,
# whose 10 ms steps are a tenth of a 0.1 s run; it includes starting
# /usr/bin/time, the same for both tools.
timed() {
	local res=$1 out=$2 t0 t1
	shift 2
	t0=$EPOCHREALTIME
	/usr/bin/time -f "%M %U %S" -o "$WORK/time.tmp" "$@" >"$out" 2>>"$WORK/stderr.log" || {
		echo "exit $? from: $*" >>"$WORK/stderr.log"
	}
	t1=$EPOCHREALTIME
	tail -1 "$WORK/time.tmp" | awk -v t0="$t0" -v t1="$t1" '{printf "%.4f %s %.2f\n", t1 - t0, $1, $2 + $3}' >>"$res"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
maxcol() { awk -v c="$1" 'BEGIN{m=0} $c>m{m=$c} END{print m}'; }

printf '%-15s %-7s %10s %10s %7s %12s %12s %7s %8s %8s %7s %s\n' dataset flags bgpq4_s filtergen_s ratio bgpq4_MB filtergen_MB ratio bgpq4_cpu fg_cpu ratio output
seed=42
i=0
for size in "${sizes[@]}"; do
	seed=${seeds[$i]:-$seed}
	i=$((i + 1))
	asns=${size%%:*} routes=${size##*:}
	data=$WORK/gen-$asns-$routes-s$seed.rpsl
	if [ ! -s "$data" ]; then
		python3 "$gen" --seed "$seed" --asns "$asns" --routes "$routes" --out "$data" --manifest "$data.json" >/dev/null 2>&1
	fi
	addr=127.0.0.1:$PORT
	cmd=${SERVE//%f/$data}
	cmd=${cmd//%a/$addr}
	# shellcheck disable=SC2086
	$cmd >"$WORK/server.log" 2>&1 &
	server_pid=$!
	wait_port "$addr"
	for flags in "${flagsets[@]}"; do
		b=$WORK/b.times f=$WORK/f.times
		: >"$b"
		: >"$f"
		# shellcheck disable=SC2086
		"$BGPQ4" -h "$addr" $flags AS-TOP >/dev/null 2>&1 || true # warm-up
		# shellcheck disable=SC2086
		"$FILTERGEN" bgpq4 -h "$addr" $flags AS-TOP >/dev/null 2>&1 || true
		same=identical
		for r in $(seq 1 "$RUNS"); do
			# Alternate which tool runs first, so neither always meets a
			# warmer cache.
			if [ $((r % 2)) -eq 1 ]; then
				# shellcheck disable=SC2086
				timed "$b" "$WORK/out.bgpq4" "$BGPQ4" -h "$addr" $flags AS-TOP
				# shellcheck disable=SC2086
				timed "$f" "$WORK/out.filtergen" "$FILTERGEN" bgpq4 -h "$addr" $flags AS-TOP
			else
				# shellcheck disable=SC2086
				timed "$f" "$WORK/out.filtergen" "$FILTERGEN" bgpq4 -h "$addr" $flags AS-TOP
				# shellcheck disable=SC2086
				timed "$b" "$WORK/out.bgpq4" "$BGPQ4" -h "$addr" $flags AS-TOP
			fi
			cmp -s "$WORK/out.bgpq4" "$WORK/out.filtergen" || same=DIFFERENT
		done
		bw=$(cut -d' ' -f1 "$b" | median) fw=$(cut -d' ' -f1 "$f" | median)
		bm=$(maxcol 2 <"$b") fm=$(maxcol 2 <"$f")
		bc_=$(cut -d' ' -f3 "$b" | median) fc=$(cut -d' ' -f3 "$f" | median)
		printf '%-15s %-7s %10.3f %10.3f %7.2f %12.1f %12.1f %7.2f %8.2f %8.2f %7.2f %s (%s lines)\n' \
			"$asns/$routes" "$flags" "$bw" "$fw" "$(echo "$fw / $bw" | bc -l)" \
			"$(echo "$bm / 1024" | bc -l)" "$(echo "$fm / 1024" | bc -l)" "$(echo "$fm / $bm" | bc -l)" \
			"$bc_" "$fc" "$(echo "$fc / $bc_" | bc -l)" \
			"$same" "$(wc -l <"$WORK/out.bgpq4")"
	done
	stop_server
	PORT=$((PORT + 1))
	seed=$((seed + 1))
done
