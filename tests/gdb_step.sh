#!/bin/sh
# SPDX-License-Identifier: MIT
# A debugger stepping into generated code shows the generated C. rtgen maps
# only what the user wrote (struct fields, handler prototypes) to the .rtp
# with #line; a send, the dispatch or the spawn must stay in FILE.rtp.c.
# gdb, in batch mode, stops the counter example (examples/counter) at its
# first send, steps into counter_Counter_send_Add and reports where it is:
# the frame, `info source` and `list` must all be in counter.rtp.c (or the
# .rtp.h), never counter.rtp; so must `info line` of the dispatch and the
# spawn.
# Exit: 0 pass, 1 fail, 77 skip (no gdb, no debug information, a sanitizer
# build, or a machine where gdb may not run programs).
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
prog="$top_builddir/examples/counter/counter"
main="$top_srcdir/examples/counter/main.c"

if ! command -v gdb >/dev/null 2>&1; then
	echo "SKIP: gdb is not installed"
	exit 77
fi
# The sanitizers' runtimes do not get along with a debugger stopping the
# program; what is checked here does not depend on them.
if [ "${SAN_NAME:-none}" != none ]; then
	echo "SKIP: not under sanitizers (this build has $SAN_NAME)"
	exit 77
fi
if [ ! -x "$prog" ]; then
	echo "FAIL: $prog is not built"
	exit 1
fi
line=$(grep -n 'counter_Counter_send_Add(c, &add);' "$main" | cut -d: -f1)
if [ -z "$line" ]; then
	echo "FAIL: no call of counter_Counter_send_Add in $main"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rt-gdb-step.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
to=
command -v timeout >/dev/null 2>&1 && to="timeout 300"
# Each -ex runs even when one before it failed; the echoes mark where the
# answer of each command starts.
$to "$top_builddir/libtool" --mode=execute gdb -batch -nx \
    -iex 'set debuginfod enabled off' \
    -ex 'set pagination off' -ex 'set confirm off' \
    -ex 'echo @@static\n' \
    -ex 'info line counter_Counter_dispatch' \
    -ex 'info line counter_Counter_spawn' \
    -ex "break main.c:$line" -ex run -ex step \
    -ex 'echo @@frame\n' -ex frame \
    -ex 'echo @@source\n' -ex 'info source' \
    -ex 'echo @@list\n' -ex list \
    -ex 'echo @@end\n' \
    "$prog" </dev/null >"$tmp/out" 2>&1

show() {
	echo "--- gdb said:"
	cat "$tmp/out"
	echo "---"
}

if ! grep -q '^Breakpoint 1 at' "$tmp/out"; then
	if grep -q 'No symbol table\|no debugging symbols' "$tmp/out"; then
		echo "SKIP: $prog has no debug information (CFLAGS without -g)"
		exit 77
	fi
	echo "FAIL: gdb could not break at main.c:$line"
	show
	exit 1
fi
if ! grep -q 'Breakpoint 1, main ' "$tmp/out"; then
	if grep -qi 'ptrace\|not permitted\|cannot create process' \
	    "$tmp/out"; then
		echo "SKIP: gdb may not run programs here"
		show
		exit 77
	fi
	echo "FAIL: the counter example never reached main.c:$line"
	show
	exit 1
fi

# The answers of the commands between two markers.
section() {
	sed -n "/^@@$1\$/,/^@@$2\$/p" "$tmp/out" | sed '1d;$d'
}

status=0
generated='counter\.rtp\.[ch]'

frame=$(section frame source | sed -n 's/^#0  *//p')
func=${frame%% *}
file=$(printf '%s\n' "$frame" | sed -n 's/.* at \(.*\):[0-9]*$/\1/p')
case $func in
counter_Counter_send_Add*)
	echo "PASS: step from main.c:$line enters $func" ;;
*)
	echo "FAIL: step from main.c:$line stopped in '$func', not in" \
	    "counter_Counter_send_Add"
	status=1 ;;
esac
if printf '%s\n' "$file" | grep -q "$generated\$"; then
	echo "PASS: the frame is in $file"
else
	echo "FAIL: the frame is in '$file', not the generated counter.rtp.c"
	status=1
fi

src=$(section source list | sed -n 's/^Current source file is //p')
if printf '%s\n' "$src" | grep -q "$generated\$"; then
	echo "PASS: info source names $src"
else
	echo "FAIL: info source names '$src', not the generated counter.rtp.c"
	status=1
fi

# The listing around the stop is the generated function's C.
if section list end | grep -q '^[0-9][0-9]*[[:space:]].*counter_Counter_send_Add'; then
	echo "PASS: list shows the C of counter_Counter_send_Add"
else
	echo "FAIL: list does not show the C of counter_Counter_send_Add"
	status=1
fi

for f in counter_Counter_dispatch counter_Counter_spawn; do
	where=$(section static frame | grep "<$f" | head -n 1)
	if printf '%s\n' "$where" | grep -q "^Line [0-9]* of \"[^\"]*$generated\""; then
		echo "PASS: $f is in ${where#* of }" | sed 's/ starts at.*//'
	else
		echo "FAIL: info line $f: '$where', not in the generated" \
		    "counter.rtp.c"
		status=1
	fi
done

[ $status -eq 0 ] || show
exit $status
