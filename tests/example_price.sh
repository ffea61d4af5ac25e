#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/price: two desks serving "prices" as a queue group, and a
# client node asking them, against a private nats-server: every symbol
# gets its price, both desks answer, the move reaches one desk, and (with
# valgrind, outside sanitizer builds) the client leaks nothing.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
. "$top_srcdir/tests/nats-start.sh"
prog="$top_builddir/examples/price/rtprice"
tmp=$(mktemp -d) || exit 99
pids=
fail=0
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    nats_cleanup; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

nats_start "$tmp" || exit 1
for d in a b; do
	"$prog" serve "$d" "$RT_NATS_URL" > "$tmp/$d.out" 2> "$tmp/$d.err" &
	pids="$pids $!"
done
i=0
while [ $i -lt 200 ] && ! { grep -q serving "$tmp/a.out" 2>/dev/null &&
    grep -q serving "$tmp/b.out" 2>/dev/null; }; do
	sleep 0.05
	i=$((i + 1))
done
symbols="AAPL MSFT ACME IBM ORCL SAP NVDA AMD INTC QCOM ARM TSM ASML MU TXN
ADI NXPI ON MCHP STM"
# shellcheck disable=SC2086
"$prog" ask client "$RT_NATS_URL" $symbols > "$tmp/ask.out" \
    2> "$tmp/ask.err" || { echo "FAIL: ask exited $?"; cat "$tmp/ask.err"; fail=1; }
cat "$tmp/ask.out"
[ "$(grep -c '(desk ' "$tmp/ask.out")" -eq 40 ] ||
    { echo "FAIL: not 40 answers"; fail=1; }
grep -q '(desk a,' "$tmp/ask.out" && grep -q '(desk b,' "$tmp/ask.out" ||
    { echo "FAIL: the two desks did not share the questions"; fail=1; }
# Every desk prices a symbol alike, but for the move on one desk.
for s in $symbols; do
	[ "$s" = AAPL ] && continue
	[ "$(grep "^$s " "$tmp/ask.out" | awk '{print $2}' | sort -u |
	    wc -l)" -eq 1 ] || { echo "FAIL: $s has two prices"; fail=1; }
done
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	# shellcheck disable=SC2086
	"$top_builddir/libtool" --mode=execute "$VALGRIND" -q \
	    --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    "$prog" ask vg "$RT_NATS_URL" AAPL MSFT > /dev/null ||
	    { echo "FAIL: valgrind found problems"; fail=1; }
fi
exit $fail
