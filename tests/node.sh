#!/bin/sh
# SPDX-License-Identifier: MIT
# Nodes across processes, through a private nats-server (tests/node_peer.c
# is each process): sends with strings and bytes in order, calls and asks,
# a ref sent in a message and used (and monitored) from the other side,
# lookups that fail; two nodes exporting one name as a queue group, with
# every message counted on one side or the other; a node killed with
# SIGKILL (its watcher's monitor gets RT_ENODE and its pending ask is
# answered); a node built from a changed protocol (its changed message is
# a counted dead letter, the rest works); the NATS server restarted under
# running nodes (they reconnect, and sends through the same refs resume);
# sends while it is down, beyond the reconnect buffer (counted, not lost);
# frames that lie about their lengths and counts (each a counted dead letter,
# the good messages among them handled).
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
. "$top_srcdir/tests/nats-start.sh"
peer="$top_builddir/tests/node_peer"
peer_v2="$top_builddir/tests/node_peer_v2"
tmp=$(mktemp -d) || exit 99
pids=
fail=0

stop_all() {
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	pids=
}
trap 'stop_all; nats_cleanup; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

nats_start "$tmp" || exit 1
url=$RT_NATS_URL

bad() {
	echo "FAIL: $*"
	fail=1
}

# wait_for PATTERN FILE [PATTERN2 FILE2]: up to 10 s until FILE has a
# line matching PATTERN (and FILE2 one matching PATTERN2); 1 if not.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		if grep -q "$1" "$2" 2>/dev/null &&
		    { [ $# -lt 4 ] || grep -q "$3" "$4" 2>/dev/null; }; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# serve NODE NAME: start a serving node; sets served_pid once it is ready.
serve() {
	"$peer" serve "$url" "$1" "$2" > "$tmp/$1.out" 2> "$tmp/$1.err" &
	served_pid=$!
	pids="$pids $served_pid"
	wait_for '^ready$' "$tmp/$1.out" || {
		bad "$1 did not start"
		cat "$tmp/$1.err"
		return 1
	}
}

# finish NODE PID: SIGTERM a serving node and wait for it.
finish() {
	kill -TERM "$2" 2>/dev/null
	wait "$2" || bad "$1 exited with status $?"
	cat "$tmp/$1.err" >&2
}

# field NAME FILE: the value of NAME= on the last line that has it.
field() {
	sed -n "s/.*[ ]$1=\([0-9]*\).*/\1/p" "$2" | tail -n 1
}

echo "# one server, one client"
serve s1 store || exit 1
"$peer" client "$url" c1 store 5000 > "$tmp/c1.out" 2> "$tmp/c1.err" ||
    { bad "client"; cat "$tmp/c1.err"; }
cat "$tmp/c1.out"
grep -q '^rings=50 downs=1$' "$tmp/c1.out" ||
    bad "a ref sent to another node was not rung back, or not watched"
"$peer" missing "$url" m1 > "$tmp/m1.out" 2> "$tmp/m1.err" ||
    { bad "missing"; cat "$tmp/m1.err"; }
finish s1 "$served_pid"
cat "$tmp/s1.out"
grep -q '^handled n=5000 sum=12502500 bad=0$' "$tmp/s1.out" ||
    bad "the server did not handle the 5000 puts in order"
[ "$(field dead "$tmp/c1.out")" = 0 ] || bad "dead letters on the client"
[ "$(field dead "$tmp/s1.out")" = 0 ] || bad "dead letters on the server"

echo "# a queue group: two servers, one name"
serve s2 group || exit 1
pid2=$served_pid
serve s3 group || exit 1
pid3=$served_pid
"$peer" burst "$url" c2 group 4000 > "$tmp/c2.out" 2> "$tmp/c2.err" ||
    { bad "burst"; cat "$tmp/c2.err"; }
finish s2 "$pid2"
finish s3 "$pid3"
n2=$(sed -n 's/^handled n=\([0-9]*\).*/\1/p' "$tmp/s2.out")
n3=$(sed -n 's/^handled n=\([0-9]*\).*/\1/p' "$tmp/s3.out")
echo "s2 handled ${n2:-?}, s3 handled ${n3:-?}"
sent=$(field sent "$tmp/c2.out")
dead=$(($(field dead "$tmp/c2.out") + $(field dead "$tmp/s2.out") + \
    $(field dead "$tmp/s3.out")))
# Sent: 4000 puts and one echo; handled: the puts, by one or the other.
[ "${n2:-0}" -gt 0 ] && [ "${n3:-0}" -gt 0 ] ||
    bad "the queue group did not share the work"
[ $((n2 + n3 + dead)) -eq 4000 ] && [ "$sent" -eq 4001 ] ||
    bad "accounting: sent $sent, handled $((n2 + n3)), dead letters $dead"

echo "# a node killed with SIGKILL"
serve s4 victim || exit 1
pid4=$served_pid
"$peer" watch "$url" w1 victim > "$tmp/w1.out" 2> "$tmp/w1.err" &
wpid=$!
wait_for '^watching$' "$tmp/w1.out"
kill -KILL "$pid4"
wait "$pid4" 2>/dev/null
wait "$wpid" || { bad "watcher"; cat "$tmp/w1.err"; }
cat "$tmp/w1.out"
grep -q '^down=no node, or the node is gone hang=no node, or the node is gone$' \
    "$tmp/w1.out" || bad "the watcher did not see RT_ENODE twice"

echo "# a node built from a protocol whose Put changed (fingerprints)"
serve s6 store2 || exit 1
pid6=$served_pid
"$peer_v2" burst "$url" c4 store2 300 > "$tmp/c4.out" 2> "$tmp/c4.err" ||
    { bad "the other build's echo"; cat "$tmp/c4.err"; }
finish s6 "$pid6"
cat "$tmp/s6.out"
grep -q '^handled n=0 ' "$tmp/s6.out" || bad "a mismatched Put was handled"
[ "$(field schema "$tmp/s6.out")" = 300 ] ||
    bad "the mismatched Puts were not counted as fingerprint mismatches"
[ "$(field sent "$tmp/c4.out")" = 301 ] &&
    [ "$(field received "$tmp/s6.out")" = 301 ] &&
    [ "$(field delivered "$tmp/s6.out")" = 1 ] ||
    { bad "accounting across the two builds"; cat "$tmp/c4.out"; }
grep -q 'fingerprint .* that this build does not have' "$tmp/s6.err" ||
    bad "no log line for the mismatch"

echo "# the NATS server restarted under running nodes"
serve s5 again || exit 1
pid5=$served_pid
"$peer" resume "$url" c3 again 500 > "$tmp/c3.out" 2> "$tmp/c3.err" &
rpid=$!
wait_for '^half$' "$tmp/c3.out"
nats_restart || exit 1
# Both nodes back (subscriptions included) before the second half.
wait_for reconnected "$tmp/c3.err" reconnected "$tmp/s5.err"
kill -USR1 "$rpid"
wait "$rpid" || { bad "sends after the restart"; cat "$tmp/c3.err"; }
cat "$tmp/c3.out"
finish s5 "$pid5"
grep -q '^handled n=1000 sum=500500 bad=0$' "$tmp/s5.out" ||
    bad "the server did not handle every put across the restart"

echo "# sends while the NATS server is down, through a small buffer"
serve s7 buffered || exit 1
pid7=$served_pid
"$peer" backlog "$url" c5 buffered 4000 > "$tmp/c5.out" 2> "$tmp/c5.err" &
bpid=$!
wait_for '^ready$' "$tmp/c5.out"
nats_kill
kill -USR1 "$bpid"
wait_for '^sent$' "$tmp/c5.out"
nats_restart || exit 1
wait_for reconnected "$tmp/c5.err" reconnected "$tmp/s7.err"
kill -USR2 "$bpid"
wait "$bpid" || { bad "sends through a full buffer"; cat "$tmp/c5.err"; }
cat "$tmp/c5.out"
finish s7 "$pid7"

echo "# frames that do not decode, from a client that is no node"
serve s8 junk || exit 1
pid8=$served_pid
"$peer" garbage "$url" junk > "$tmp/g.out" 2> "$tmp/g.err" ||
    { bad "the garbage was not published"; cat "$tmp/g.err"; }
finish s8 "$pid8"
cat "$tmp/s8.out"
# 11 parts that do not decode, 1 of a protocol it does not have, and the
# 4 good Puts in between, in order.
grep -q '^handled n=4 sum=10 bad=0$' "$tmp/s8.out" ||
    bad "the good Puts among the garbage"
[ "$(field received "$tmp/s8.out")" = 16 ] &&
    [ "$(field delivered "$tmp/s8.out")" = 4 ] &&
    [ "$(field malformed "$tmp/s8.out")" = 11 ] &&
    [ "$(field schema "$tmp/s8.out")" = 1 ] ||
    bad "garbage: not every part counted"

pids=
exit $fail
