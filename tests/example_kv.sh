#!/bin/sh
# SPDX-License-Identifier: MIT
# rtkv (examples/kv) against redis-server 7: every command through
# redis-cli, and raw bytes (inline commands, pipelines, protocol errors,
# huge lengths) through tests/kvclient, must get the same answers byte for
# byte from both, closing or not the same way. Then rtkv alone: a length
# over its limit is refused, thousands of connections opened and dropped
# leave no descriptor behind, a client that sends without reading does
# not grow rtkv's memory without bound, SIGTERM stops it cleanly, and
# (with valgrind, outside sanitizer builds) all of that leaks nothing.
# With --observer, its page, metrics and tree are served, and show a
# shard's crash.
#
# The comparison needs redis-server and redis-cli (Debian: redis-server,
# redis-tools); without them it is skipped, the rest runs, and the test
# exits 77 if nothing failed.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
. "$top_srcdir/tests/redis-start.sh"
rtkv="$top_builddir/examples/kv/rtkv"
client="$top_builddir/tests/kvclient"
tmp=$(mktemp -d) || exit 99
pids=
fail=0

stop_all() {
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	pids=
}
trap 'stop_all; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# start_rtkv NAME [launcher...]: start $bin (rtkv) on a free port, with
# $rtkv_extra (options); sets rtkv_pid and rtkv_port, its output in
# $tmp/NAME.out and .err.
bin=$rtkv
rtkv_extra=
start_rtkv() {
	name=$1
	shift
	# shellcheck disable=SC2086 # $rtkv_extra: options, split.
	"$@" "$bin" --port 0 --shards 4 $rtkv_extra > "$tmp/$name.out" \
	    2> "$tmp/$name.err" &
	rtkv_pid=$!
	pids="$pids $rtkv_pid"
	rtkv_port=
	i=0
	while [ $i -lt 300 ] && [ -z "$rtkv_port" ]; do
		rtkv_port=$(sed -n \
		    's/^rtkv: listening on .* port \([0-9]*\),.*/\1/p' \
		    "$tmp/$name.out")
		[ -n "$rtkv_port" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$rtkv_port" ]; then
		echo "FAIL: rtkv ($name) did not start"
		cat "$tmp/$name.out" "$tmp/$name.err"
		exit 1
	fi
}

# stop PID NAME: SIGTERM, and it must exit 0.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	rc=$?
	pids=$(echo "$pids" | sed "s/ $1\$//; s/ $1 / /")
	if [ $rc -ne 0 ]; then
		echo "FAIL: $2 exited $rc after SIGTERM"
		cat "$tmp/$2.err"
		fail=1
	fi
}

fds() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

# observe NAME PATH: GET PATH from the observer of the rtkv started as
# NAME (--observer 127.0.0.1:0), the answer on stdout.
observe() {
	oport=$(sed -n 's|^rtkv: observer on http://.*:\([0-9]*\)/$|\1|p' \
	    "$tmp/$1.out")
	printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
	    "$2" | "$client" "${oport:-1}" raw 2000 | tr -d '\r'
}

# check_observer NAME [WANT...]: the page, the metrics and the tree
# answer 200, and the tree or the crashes hold each WANT.
check_observer() {
	name=$1
	shift
	for path in / /metrics /api/tree /api/crashes; do
		observe "$name" "$path" > "$tmp/$name.http"
		if ! head -1 "$tmp/$name.http" | grep -q '^HTTP/1.1 200 OK$'; then
			echo "FAIL ($name): the observer's $path:"
			head -5 "$tmp/$name.http"
			fail=1
		fi
		cat "$tmp/$name.http" >> "$tmp/$name.all"
	done
	for want in "$@"; do
		if ! grep -qF "$want" "$tmp/$name.all"; then
			echo "FAIL ($name): the observer does not show $want"
			fail=1
		fi
	done
}

# --- the same answers as redis-server ---------------------------------------

# Each line: the arguments of one redis-cli call (shell quoting), in order,
# against a fresh server.
cat > "$tmp/commands" <<'EOF'
PING
PING hello
PING a b
ping ""
ECHO "hello world"
ECHO
ECHO a b
SET k v
GET k
GET nosuch
GET
SET k v NX
SET k v2 XX GET
GET k
SET fresh v NX GET
SET k v GET GET
SET k v nx nx
SET k v EX 100
SET k v PX 100000
SET k v EX 0
SET k v EX -1
SET k v EX abc
SET k v EX
SET k v EX 9223372036854775807
SET k v PX 9223372036854775807
SET k v EXAT 9223372036854775
SET k v PXAT 9223372036854775807
SET k v KEEPTTL EX 10
SET k v EX 10 PX 10
SET k v EX 10 EX 20
SET k v KEEPTTL
SET k v NX XX
SET k v FOO
SET k
SET gone v EXAT 1
GET gone
EXISTS gone
SET gone2 v PX 1
SET same aa PX 1
SET same bb
GET same
SET short aa
SET short bb PX 1
GET short
INCR counter
INCR counter
GET counter
SET n 007
INCR n
SET n " 1"
INCR n
SET n +1
INCR n
SET n 1.5
INCR n
SET n 9223372036854775807
INCR n
SET n -9223372036854775808
INCR n
GET n
INCR
INCR a b
MSET a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8
MGET a b c d e f g h nosuch a
MSET a 1 b
MSET a
MSET
MGET
EXISTS a b nosuch a
DEL a b nosuch a
EXISTS a b
DEL
EXISTS
DEL c d e f g h n k counter
MGET a b c d e f g h
CONFIG GET save
CONFIG GET appendonly
CONFIG GET SAVE
CONFIG GET appendonly appendonly
CONFIG GET nosuch
CONFIG
CONFIG GET
CONFIG FOO
config foo bar
NOSUCH
NOSUCH a b c
nosuch "with space" 'x'
QUIT
EOF

# Raw requests: printf formats, one connection each.
cat > "$tmp/raw" <<'EOF'
PING\r\n
PING\n
PING a b\r\n
   SET  "a b"  'c d'\r\nGET "a b"\r\n
ECHO "\\x41\\x4a\\n\\t\\\\" 'it\\'s'\r\n
ECHO ab"cd ef" "" ''\r\n
ECHO "unbalanced\r\n
ECHO 'unbalanced\r\n
ECHO "a"b\r\n
\r\n\r\n   \r\nPING\r\n
*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nINCR x\r\nINCR x\r\n
*3\r\n$4\r\nMSET\r\n$1\r\np\r\n$1\r\n1\r\nMGET p q\r\nDEL p q\r\n
*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n
*1\r\n$0\r\n\r\n
*2\r\n$4\r\nECHO\r\n$0\r\n\r\n
*1\r\n$4\r\nPINGxy
*1\rX$4\rXPINGxy
*2\r\n$3\r\nFOO\r\n$3\r\na\0b\r\n
*2\r\n$3\r\nF\0O\r\n$1\r\na\r\n
*2\r\n$4\r\nECHO\r\n$3\r\na\0b\r\n
*x\r\n
*\r\n
*-0\r\n
*01\r\n
*1\r\nX\r\n
*1\r\n\r\n
*2\r\n$4\r\nECHO\r\n:3\r\n
*1\r\n$-1\r\n
*1\r\n$abc\r\n
*1\r\n$+4\r\nPING\r\n
*1\r\n$99999999999999999999\r\n
*2\r\n$4\r\nECHO\r\n$536870913\r\n
*9999999999\r\n
PING\r\n*1\r\nX\r\nPING\r\n
SET k v\r\nGET k\r\nDEL k\r\nGET k\r\nEXISTS k\r\n
SET m:a 1\r\nSET m:b x\r\nINCR m:a\r\nINCR m:b 1\r\nFOO\r\nINCR m:b\r\nGET a\r\n
MSET m:a 2 m:c 3\r\nINCR m:a\r\nSET m:d 4 NX XX\r\nGET m:c\r\nDEL m:b m:c\r\n
INCR m:d\r\nEXISTS m:a m:b m:d\r\nSET m:e v GET\r\nMGET m:a m:b m:e\r\nGET e\r\n
QUIT\r\nPING\r\n
quit now\r\n
POST / HTTP/1.1\r\nHost: localhost\r\n\r\n
Host: localhost\r\n
FOO a b\r\n
EOF

compare=yes
if ! command -v redis-server > /dev/null 2>&1 ||
    ! command -v redis-cli > /dev/null 2>&1; then
	echo "SKIP: the comparison with Redis needs redis-server and" \
	    "redis-cli (Debian: redis-server, redis-tools)"
	compare=no
fi

# run_cli PORT, run_raw PORT: what a server answers, as text.
run_cli() {
	port=$1
	while IFS= read -r line; do
		eval "set -- $line"
		printf '> %s\n' "$line"
		redis-cli -p "$port" "$@" 2>&1
		# Keys set with a time to live must have run out after.
		case $line in *"PX 1") sleep 0.05 ;; esac
	done < "$tmp/commands"
	# Lines from stdin, and a mass insertion as redis-cli --pipe does it.
	printf 'SET piped 1\nINCR piped\nGET piped\nNOSUCH x\n' |
	    redis-cli -p "$port" 2>&1
	i=0
	while [ $i -lt 1000 ]; do
		printf '*3\r\n$3\r\nSET\r\n$5\r\nkey%02d\r\n$1\r\n%d\r\n' \
		    $((i % 100)) $((i % 10))
		i=$((i + 1))
	done > "$tmp/mass"
	redis-cli -p "$port" --pipe < "$tmp/mass" 2>&1
	redis-cli -p "$port" MGET key00 key01 key42 key99 2>&1
}

run_raw() {
	while IFS= read -r fmt; do
		printf '> %s\n' "$fmt"
		# shellcheck disable=SC2059
		printf "$fmt" | "$client" "$1" raw | od -An -c
	done < "$tmp/raw"
	# Lines too long for Redis to wait for: 64 KB and more.
	head -c 70000 /dev/zero | tr '\0' a | "$client" "$1" raw | od -An -c
	{ printf '*'; head -c 70000 /dev/zero | tr '\0' 1; } |
	    "$client" "$1" raw | od -An -c
	{ printf '*1\r\n$'; head -c 70000 /dev/zero | tr '\0' 1; } |
	    "$client" "$1" raw | od -An -c
}

if [ $compare = yes ]; then
	start_rtkv cmp
	rport=
	if start_redis "$tmp/redis.log"; then
		rport=$redis_port
		pids="$pids $redis_pid"
	fi
	if [ -z "$rport" ]; then
		echo "FAIL: redis-server did not start"; cat "$tmp/redis.log"
		exit 1
	fi
	run_cli "$rport" > "$tmp/redis.cli"
	run_cli "$rtkv_port" > "$tmp/rtkv.cli"
	if ! cmp -s "$tmp/redis.cli" "$tmp/rtkv.cli"; then
		echo "FAIL: redis-cli gets other answers from rtkv than from" \
		    "redis-server"
		diff "$tmp/redis.cli" "$tmp/rtkv.cli"
		fail=1
	fi
	run_raw "$rport" > "$tmp/redis.raw"
	run_raw "$rtkv_port" > "$tmp/rtkv.raw"
	if ! cmp -s "$tmp/redis.raw" "$tmp/rtkv.raw"; then
		echo "FAIL: rtkv answers raw requests otherwise than" \
		    "redis-server"
		diff "$tmp/redis.raw" "$tmp/rtkv.raw"
		fail=1
	fi
	kill "$redis_pid" 2>/dev/null
	wait "$redis_pid"
	pids=$(echo "$pids" | sed "s/ $redis_pid\$//; s/ $redis_pid / /")
	stop "$rtkv_pid" cmp
fi

# --- rtkv alone ---------------------------------------------------------------

# load PORT PID NAME: what rtkv must survive, and be the same after.
load() {
	port=$1
	pid=$2
	before=$(fds "$pid")
	# An argument over rtkv's limit of 16 MB is refused at its length,
	# with Redis's error, and the connection closed.
	got=$(printf '*2\r\n$4\r\nECHO\r\n$16777217\r\n' |
	    "$client" "$port" raw | tr -d '\r')
	want=$(printf '%s\n%s' "-ERR Protocol error: invalid bulk length" \
	    "<closed>")
	if [ "$got" != "$want" ]; then
		echo "FAIL ($3): a bulk over the limit: $got"; fail=1
	fi
	# Garbage, a connection at a time.
	i=0
	while [ $i -lt 20 ]; do
		head -c 3000 /dev/urandom | "$client" "$port" raw 50 > /dev/null
		i=$((i + 1))
	done
	# Thousands of connections dropped every which way, and a thousand
	# held at once.
	"$client" "$port" churn "$4" || { echo "FAIL ($3): churn"; fail=1; }
	"$client" "$port" many "$5" > "$tmp/many" ||
	    { echo "FAIL ($3): many"; fail=1; }
	# A client that sends and never reads is stopped being read.
	"$client" "$port" flood 100000 "$pid" > "$tmp/flood.$3" ||
	    { echo "FAIL ($3): flood"; fail=1; }
	sed "s/^/$3: /" "$tmp/many" "$tmp/flood.$3"
	# Still answering, and every descriptor given back.
	got=$(printf 'PING\r\n' | "$client" "$port" raw | tr -d '\r')
	if [ "$got" != "$(printf '+PONG\n<open>')" ]; then
		echo "FAIL ($3): no PONG after the load: $got"; fail=1
	fi
	i=0
	while [ "$(fds "$pid")" -gt "$before" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(fds "$pid")" -gt "$before" ]; then
		echo "FAIL ($3): $(fds "$pid") descriptors open after the" \
		    "load, $before before"
		ls -l "/proc/$pid/fd"
		fail=1
	fi
}

# AddressSanitizer keeps freed memory aside (256 MB by default) to catch
# late uses, which would hide from the memory check below whether the
# answers are freed; a smaller quarantine keeps both.
case ${SAN_NAME:-none} in
*address*)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	export ASAN_OPTIONS ;;
esac
start_rtkv alone
load "$rtkv_port" "$rtkv_pid" alone 4000 1000
# The flood's memory: what its connection may hold (KV_MAX_INFLIGHT
# answers of 64 KB, KV_MAX_PENDING of them unread) and more, but far less
# than the 1.3 GB of answers it asked for.
rss=$(sed -n 's/.*VmRSS \([0-9]*\) kB/\1/p' "$tmp/flood.alone")
if [ -z "$rss" ] || [ "$rss" -gt 200000 ]; then
	echo "FAIL: rtkv's memory grew to ${rss:-?} kB under a client that" \
	    "does not read"
	cat "$tmp/flood.alone"
	fail=1
fi
grep -q 'then the server stopped reading' "$tmp/flood.alone" ||
    { echo "FAIL: rtkv never stopped reading"; fail=1; }
stop "$rtkv_pid" alone
grep -q '^rtkv: stopped$' "$tmp/alone.out" ||
    { echo "FAIL: rtkv did not say it stopped"; fail=1; }

# A shard that crashes (tests/rtkv-crash's do on GET rtkv:crash) loses
# its keys, and only its own; the command is answered with an error, the
# crash is reported, and rtkv goes on.
keys=
i=0
while [ $i -lt 100 ]; do
	keys="$keys key$i"
	i=$((i + 1))
done
count() {
	printf "EXISTS$keys\r\n" | "$client" "$rtkv_port" raw |
	    sed -n 's/^:\([0-9]*\).*/\1/p'
}
bin="$top_builddir/tests/rtkv-crash"
rtkv_extra="--observer 127.0.0.1:0"
start_rtkv crash
rtkv_extra=
printf "MSET$(echo "$keys" | sed 's/\(key[0-9]*\)/\1 v/g')\r\n" |
    "$client" "$rtkv_port" raw > /dev/null
before=$(count)
got=$(printf 'GET rtkv:crash\r\nPING\r\n' | "$client" "$rtkv_port" raw |
    tr -d '\r')
after=$(count)
want=$(printf '%s\n+PONG\n<open>' "-ERR shard failure: a shard crashed\
 running this command, and restarts empty")
if [ "$got" != "$want" ]; then
	echo "FAIL: the answer to a command a shard crashed on: $got"; fail=1
fi
# Two commands on one shard in one read go in one message, and the
# crash of either answers both.
got=$(printf 'GET rtkv:crash\r\nGET rtkv:crash\r\nPING\r\n' |
    "$client" "$rtkv_port" raw | tr -d '\r')
want=$(printf '%s\n%s\n+PONG\n<open>' "-ERR shard failure: a shard crashed\
 running this command, and restarts empty" "-ERR shard failure: a shard\
 crashed running this command, and restarts empty")
if [ "$got" != "$want" ]; then
	echo "FAIL: the answers to a batch a shard crashed on: $got"; fail=1
fi
if [ "$before" != 100 ] || [ -z "$after" ] || [ "$after" -ge 100 ] ||
    [ "$after" -eq 0 ]; then
	echo "FAIL: $before keys before a shard crashed, ${after:-?} after" \
	    "(some, not all, should be lost)"
	fail=1
fi
printf "MSET$(echo "$keys" | sed 's/\(key[0-9]*\)/\1 v/g')\r\n" |
    "$client" "$rtkv_port" raw > /dev/null
if [ "$(count)" != 100 ]; then
	echo "FAIL: the restarted shard does not keep new keys"; fail=1
fi
if ! grep -q '^rt: crash: Server/shards/shard\.[0-9]* (kv\.Shard) crashed' \
    "$tmp/crash.err"; then
	echo "FAIL: no crash report for the shard"; cat "$tmp/crash.err"
	fail=1
fi
check_observer crash '"path": "Server/shards/shard.' \
    'crash: Server/shards/shard.' 'rt_actor_crashes_total'
stop "$rtkv_pid" crash
bin=$rtkv

# valgrind: no errors, no leaks, under the same load (smaller).
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	rtkv_extra="--observer 127.0.0.1:0"
	start_rtkv vg "$top_builddir/libtool" --mode=execute "$VALGRIND" -q \
	    --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible
	rtkv_extra=
	load "$rtkv_port" "$rtkv_pid" valgrind 400 100
	check_observer vg '"path": "Server/front/listener.1"'
	stop "$rtkv_pid" vg
	if [ -s "$tmp/vg.err" ]; then
		echo "FAIL: valgrind found problems"; cat "$tmp/vg.err"; fail=1
	fi
fi

[ $fail -eq 0 ] && [ $compare = no ] && exit 77
exit $fail
