#!/bin/sh
# SPDX-License-Identifier: MIT
# rtkv against redis-server, both measured by the unmodified
# redis-benchmark on this machine: PING (inline and multibulk), SET, GET,
# INCR and MSET, 100,000 requests from 50 clients, without pipelining and
# with 16 requests per pipeline. Runs alternate between the servers (and
# which goes first), and the table gives the median of RUNS runs of each:
# requests per second, rtkv's over Redis's, and the 50th and 99th
# percentile latencies in milliseconds, as redis-benchmark --csv reports
# them. Redis runs without persistence (--save '' --appendonly no), as
# rtkv keeps nothing on disk either.
#
#   cd _build && ../bench/kv.sh [RUNS]     RUNS: 3 or more (default 3)
#
# RTKV names the rtkv to run (default examples/kv/rtkv, from the build
# directory), RTKV_FLAGS adds to its options (--shards N), REQUESTS and
# CLIENTS change -n and -c. Needs redis-server and redis-benchmark
# (Debian: redis-server, redis-tools). Not part of make check.
set -eu
runs=${1:-3}
rtkv=${RTKV:-examples/kv/rtkv}
requests=${REQUESTS:-100000}
clients=${CLIENTS:-50}
tests=ping,set,get,incr,mset

case $runs in
'' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;;
esac
if [ "$runs" -lt 3 ]; then
	echo "kv.sh: medians need 3 runs or more" >&2
	exit 2
fi
for tool in redis-server redis-benchmark redis-cli; do
	if ! command -v $tool > /dev/null 2>&1; then
		echo "kv.sh: $tool is needed (Debian: redis-server," \
		    "redis-tools)" >&2
		exit 1
	fi
done
if [ ! -x "$rtkv" ]; then
	echo "kv.sh: no rtkv at $rtkv (run from the build directory, or" \
	    "set RTKV)" >&2
	exit 1
fi

tmp=$(mktemp -d)
rtkv_pid=
redis_pid=
cleanup() {
	for p in $rtkv_pid $redis_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# rtkv picks a free port itself (--port 0) and says which.
# shellcheck disable=SC2086
"$rtkv" --port 0 ${RTKV_FLAGS:-} > "$tmp/rtkv.out" 2> "$tmp/rtkv.err" &
rtkv_pid=$!
rtkv_port=
i=0
while [ -z "$rtkv_port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	rtkv_port=$(sed -n 's/^rtkv: listening on .* port \([0-9]*\),.*/\1/p' \
	    "$tmp/rtkv.out")
	i=$((i + 1))
done
if [ -z "$rtkv_port" ]; then
	echo "kv.sh: rtkv did not start" >&2
	cat "$tmp/rtkv.out" "$tmp/rtkv.err" >&2
	exit 1
fi

. "$(dirname "$0")/../tests/redis-start.sh"
if ! start_redis "$tmp/redis.log"; then
	echo "kv.sh: redis-server did not start" >&2
	cat "$tmp/redis.log" >&2
	exit 1
fi

# bench SERVER PORT PIPELINE: one redis-benchmark run, whose --csv lines
# ("test","rps","avg","min","p50","p95","p99","max") become
# SERVER,PIPELINE,test,rps,p50,p99 lines of $tmp/results.
bench() {
	redis-benchmark -h 127.0.0.1 -p "$2" -t $tests -n "$requests" \
	    -c "$clients" -P "$3" --csv 2> /dev/null | tr -d '"' |
	    awk -F, -v pre="$1,$3" '$1 != "test" && NF >= 8 {
		print pre "," $1 "," $2 "," $5 "," $7 }' >> "$tmp/results"
}

echo "rtkv ($(sed -n 's/^rtkv: listening on .* port [0-9]*, //p' \
    "$tmp/rtkv.out")) against $(redis-server --version | cut -d' ' -f1-3)"
echo "$(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo |
    sed 1q)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "redis-benchmark -t $tests -n $requests -c $clients [-P 16]," \
    "median of $runs runs"
echo
: > "$tmp/results"
run=1
while [ $run -le "$runs" ]; do
	for pipeline in 1 16; do
		# Alternate who goes first, so that neither always runs on a
		# machine the other has just warmed (or heated).
		if [ $((run % 2)) -eq 1 ]; then
			bench rtkv "$rtkv_port" $pipeline
			bench redis "$redis_port" $pipeline
		else
			bench redis "$redis_port" $pipeline
			bench rtkv "$rtkv_port" $pipeline
		fi
	done
	echo "run $run of $runs done" >&2
	run=$((run + 1))
done

# Lines: server,pipeline,test,rps,p50,p99. Medians per (server, pipeline,
# test), then one row per (pipeline, test).
awk -F, -v runs="$runs" '
function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 SUBSEP $2 SUBSEP $3
	rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6
	if (!(($2 SUBSEP $3) in seen)) {
		seen[$2 SUBSEP $3] = 1
		order[++rows] = $2 SUBSEP $3
	}
}
END {
	head = "| %-15s | %2s | %11s | %11s | %5s | %8s | %9s | %8s | %9s |\n"
	row = "| %-15s | %2s | %11.0f | %11.0f | %5.2f | %8.3f | %9.3f |"
	row = row " %8.3f | %9.3f |\n"
	printf head, "test", "-P", "rtkv req/s", "redis req/s", "ratio",
	    "rtkv p50", "redis p50", "rtkv p99", "redis p99"
	rule = "|-----------------|---:|------------:|------------:|------:|"
	print rule "---------:|----------:|---------:|----------:|"
	for (r = 1; r <= rows; r++) {
		split(order[r], o, SUBSEP)
		a = "rtkv" SUBSEP order[r]
		b = "redis" SUBSEP order[r]
		ra = median(rps[a])
		rb = median(rps[b])
		printf row, o[2], o[1], ra, rb, (rb > 0 ? ra / rb : 0),
		    median(p50[a]), median(p50[b]), median(p99[a]),
		    median(p99[b])
	}
	print ""
	print "ratio: rtkv req/s over redis req/s (> 1: rtkv ahead);" \
	    " latencies in ms"
}' "$tmp/results"
