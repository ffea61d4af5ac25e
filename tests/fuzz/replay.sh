#!/bin/sh
# SPDX-License-Identifier: MIT
# Replay the fuzz corpus in every build (make check), sanitizers included:
# the committed seeds (tests/fuzz/corpus: hand-made edge cases and every
# input that ever crashed rtgen), the large inputs gen-inputs.sh writes,
# and every .rtp file of the test suite and the examples.
#
#  1. tests/fuzz/replay runs them all through the fuzz target in-process,
#     with every emitter (it aborts on a broken promise);
#  2. the rtgen program runs each one, as C, as --dot and as -M, and must
#     exit 0 or 1 (never a crash, a hang, a sanitizer report or a usage
#     error); on 1 it must leave no file behind and print nothing on
#     stdout, on 0 write exactly FILE.rtp.h and FILE.rtp.c.
# Exit: 0 pass, 1 fail.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${RTGEN:=$top_builddir/rtgen/rtgen}"
replay=$top_builddir/tests/fuzz/replay
fuzz=$top_srcdir/tests/fuzz

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rt-fuzz-replay.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# A sanitizer report must not pass for rtgen's own "errors in the input".
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS
# A run that takes this long has hung (the largest input takes a few
# seconds under ASan).
limit=120
if command -v timeout >/dev/null 2>&1; then
	limited() { timeout "$limit" "$@"; }
else
	limited() { "$@"; }
fi

"$SHELL" "$fuzz/gen-inputs.sh" "$tmp/large" || exit 1
set -- "$fuzz"/corpus/* "$tmp"/large/* "$top_srcdir"/tests/rtgen/*/*.rtp \
    "$top_srcdir"/tests/rtp/*.rtp "$top_srcdir"/tests/compile-fail/*.rtp \
    "$top_srcdir"/examples/*/*.rtp "$top_srcdir"/bench/*.rtp

status=0
fail() {
	echo "FAIL: $*"
	status=1
}

# 1. In-process, every emitter.
if limited "$replay" "$@" >"$tmp/replay.out" 2>&1; then
	echo "PASS: the fuzz target ran $# inputs"
else
	fail "the fuzz target stopped (exit $?):"
	tail -n 40 "$tmp/replay.out"
fi

# Did a sanitizer speak? (Its report goes to stderr.)
sanitized() {
	grep -q -E 'Sanitizer|runtime error:' "$1"
}

# 2. The program.
n=0
for f in "$@"; do
	n=$((n + 1))
	base=$(basename "$f")
	out=$tmp/out$n
	mkdir "$out"
	limited "$RTGEN" -o "$out" "$f" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	files=$(ls -A "$out")
	case $rc in
	0)
		[ "$files" = "$(printf '%s\n%s' "$base.c" "$base.h")" ] ||
		    fail "$f: exit 0 but wrote: $files" ;;
	1)
		[ -z "$files" ] || fail "$f: exit 1 but left: $files" ;;
	*)
		fail "$f: exit $rc"
		tail -n 20 "$tmp/stderr" ;;
	esac
	sanitized "$tmp/stderr" && { fail "$f: sanitizer report"; tail -n 30 "$tmp/stderr"; }
	rm -rf "$out"
	for mode in --dot -M; do
		limited "$RTGEN" "$mode" "$f" >"$tmp/stdout" 2>"$tmp/stderr"
		rc=$?
		case $rc in
		0)
			[ -s "$tmp/stdout" ] || fail "$f: $mode: exit 0, no output" ;;
		1)
			[ -s "$tmp/stdout" ] && fail "$f: $mode: exit 1 with output" ;;
		*)
			fail "$f: $mode: exit $rc"
			tail -n 20 "$tmp/stderr" ;;
		esac
		sanitized "$tmp/stderr" && { fail "$f: $mode: sanitizer report"; tail -n 30 "$tmp/stderr"; }
	done
done
[ $status -eq 0 ] && echo "PASS: rtgen exited 0 or 1 on $n inputs, in 3 modes, leaving nothing half-done"
exit $status
