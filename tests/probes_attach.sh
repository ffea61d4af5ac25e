#!/bin/sh
# SPDX-License-Identifier: MIT
# A tracer attached to the USDT probes sees them fire, with their
# arguments. perf probe reads each of the eight from librtactor's notes and
# adds it as a uprobe event (with its semaphore); perf 6.1 cannot type an
# SDT event's arguments, so each is added again in a group of this test's
# own with the string arguments read as strings. perf record then runs
# tests/observe_out, whose system spawns a tree, crashes and restarts a
# child and stops an actor with a message left for it, so that every probe
# fires, and perf script must show each one with sane arguments: the kind
# "obs.Worker", the message "Crash", the reason 3, the cause "stopped",
# the path "Shop/cart".
#
# Skipped (77), saying why, where the library has no probes, perf is
# missing, or the kernel or our permissions do not allow uprobes (as
# root, with tracefs mounted, they do).
set -u
: "${top_builddir:=.}"
lib="$top_builddir/.libs/librtactor.so"
prog="$top_builddir/tests/observe_out"
skip() {
	echo "skipped: $*"
	exit 77
}
[ -f "$lib" ] || { echo "FAIL: $lib was not built"; exit 99; }
grep -q '^#define HAVE_SYS_SDT_H 1' "$top_builddir/config.h" ||
    skip "built without <sys/sdt.h> (Debian: apt-get install systemtap-sdt-dev)"
perf=$(command -v perf 2>/dev/null) ||
    skip "no perf (Debian: apt-get install linux-perf)"
"$perf" version >/dev/null 2>&1 ||
    skip "perf does not run: $("$perf" version 2>&1 | head -n 1)"
[ -d /sys/bus/event_source/devices/uprobe ] ||
    skip "the kernel has no uprobe events (CONFIG_UPROBE_EVENTS)"
find_tracefs() {
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -f "$d/uprobe_events" ] && { echo "$d"; return; }
	done
}
tracefs=$(find_tracefs)
# perf mounts tracefs where it may (as root), as it would for a user.
[ -n "$tracefs" ] || { "$perf" probe -l >/dev/null 2>&1; tracefs=$(find_tracefs); }
[ -n "$tracefs" ] || skip "tracefs is not mounted" \
    "(mount -t tracefs nodev /sys/kernel/tracing)"
[ -w "$tracefs/uprobe_events" ] ||
    skip "$tracefs/uprobe_events is not writable here (not root)"
lib=$(readlink -f "$lib")
tmp=$(mktemp -d) || exit 99
group="rt_probes_$$"
added=
cleanup() {
	for e in $added; do
		echo "-:$group/$e" >>"$tracefs/uprobe_events" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Probe, then its arguments as doc/tracing.md names them, in order: a name
# ending in "$" is a string.
add() {
	name=$1
	shift
	# -f: another build's test may hold sdt_rt:$name; perf then adds
	# sdt_rt:${name}_1.
	if ! "$perf" probe -f -x "$lib" -a "%sdt_rt:$name" >"$tmp/add.out" 2>&1
	then
		if grep -q -i -e 'permission' -e 'not permitted' \
		    -e 'tracefs' -e 'debugfs' "$tmp/add.out"; then
			skip "perf probe may not add uprobes here:" \
			    "$(head -n 2 "$tmp/add.out" | tr '\n' ' ')"
		fi
		echo "FAIL: perf probe %sdt_rt:$name:"
		cat "$tmp/add.out"
		exit 1
	fi
	event=$(sed -n 's/^ *sdt_rt:\([a-z_0-9]*\) .*/\1/p' "$tmp/add.out" |
	    head -n 1)
	def=$(grep "^p:sdt_rt/$event " "$tracefs/uprobe_events")
	"$perf" probe -q -d "sdt_rt:$event" >/dev/null 2>&1
	[ -n "$event" ] && [ -n "$def" ] || {
		echo "FAIL: perf probe added no event for rt:$name:"
		cat "$tmp/add.out"
		exit 1
	}
	# "p:sdt_rt/E PATH:ADDR(SEMAPHORE) arg1=LOC:TYPE ...": the same
	# place and semaphore, the arguments named and typed.
	line="p:$group/$name $(echo "$def" | awk '{ print $2 }')"
	i=0
	for a in "$@"; do
		i=$((i + 1))
		loc=$(echo "$def" | tr ' ' '\n' |
		    sed -n "s/^arg$i=\\(.*\\):\\([a-z0-9]*\\)\$/\\1 \\2/p")
		[ -n "$loc" ] || {
			echo "FAIL: rt:$name has no argument $i: $def"
			exit 1
		}
		case $a in
		*\$) line="$line ${a%\$}=+0(${loc% *}):string" ;;
		*) line="$line $a=${loc% *}:${loc#* }" ;;
		esac
	done
	echo "$line" >>"$tracefs/uprobe_events" || {
		echo "FAIL: the kernel refused $line"
		exit 1
	}
	added="$added $name"
}
add send 'kind$' 'msg$' tag cell gen from from_gen sys
add handle_start 'kind$' 'msg$' tag cell gen sys
add handle_end 'kind$' 'msg$' tag rc cell gen sys
add spawn 'kind$' cell gen sys
add exit 'kind$' reason 'why$' restarting cell gen sys
add crash 'kind$' reason 'why$' 'msg$' 'path$' cell gen sys
add restart 'kind$' restarts 'path$' cell gen sys
add dead_letter 'kind$' 'msg$' cause 'cause_name$' tag cell gen sys

if ! "$perf" record -q -o "$tmp/perf.data" -e "$group:*" -- \
    "$top_builddir/libtool" --mode=execute "$prog" text \
    >"$tmp/record.out" 2>&1; then
	if grep -q -i -e 'permission' -e 'paranoid' "$tmp/record.out"; then
		skip "perf record may not use the events here:" \
		    "$(head -n 2 "$tmp/record.out" | tr '\n' ' ')"
	fi
	echo "FAIL: perf record:"
	cat "$tmp/record.out"
	exit 1
fi
"$perf" script -i "$tmp/perf.data" >"$tmp/script" 2>"$tmp/script.err" || {
	echo "FAIL: perf script:"
	cat "$tmp/script.err"
	exit 1
}

status=0
# Each probe, and what one of its events at least must say.
expect() {
	n=$(grep -c " $group:$1: " "$tmp/script")
	if ! grep " $group:$1: " "$tmp/script" | grep -q -e "$2"; then
		echo "FAIL: $n events of rt:$1, none with: $2"
		status=1
	else
		echo "ok: rt:$1 ($n events)"
	fi
}
expect send 'kind="obs.Worker" msg="Crash" tag=[0-9]* cell=[1-9]'
expect handle_start 'kind="obs.Worker" msg="Crash" tag=[0-9]* cell=[1-9]'
expect handle_end 'kind="obs.Worker" msg="Crash" tag=[0-9]* rc=3 cell=[1-9]'
expect spawn 'kind="obs.Loner" cell=[1-9][0-9]* gen=[1-9]'
expect exit 'kind="obs.Worker" reason=3 why="handler error" restarting=1'
expect exit 'kind="obs.Loner" reason=0 why="[^"]*" restarting=0'
expect crash 'kind="obs.Worker" reason=3 why="handler error" msg="Crash" path="Shop/cart"'
expect restart 'kind="obs.Worker" restarts=1 path="Shop/cart"'
expect dead_letter 'kind="obs.Loner" msg="Work" cause=1 cause_name="stopped"'
if [ "$status" != 0 ]; then
	echo "--- perf script (first 40 events):"
	head -n 40 "$tmp/script"
fi
exit $status
