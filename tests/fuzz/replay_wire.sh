#!/bin/sh
# SPDX-License-Identifier: MIT
# Replay the seeds of the wire codecs' fuzz target in every build (make
# check), sanitizers included: tests/fuzz/wire-corpus holds a valid frame
# of each message of tests/rtp/wire.rtp (ok-*) and frames the codecs must
# refuse (bad-*), each a byte that picks the message and then the frame's
# body (tests/fuzz/fuzz_wire.c). tests/fuzz/replay_wire runs each through
# the target, which aborts on a broken promise.
# Exit: 0 pass, 1 fail.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
replay=$top_builddir/tests/fuzz/replay_wire
corpus=$top_srcdir/tests/fuzz/wire-corpus

# A sanitizer report must fail the run, whatever its exit status.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

tmp=$(mktemp "${TMPDIR:-/tmp}/rt-wire-replay.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT INT TERM

n=$(ls "$corpus" | wc -l)
if [ "$n" -lt 1 ]; then
	echo "FAIL: no seeds in $corpus"
	exit 1
fi
if "$replay" "$corpus" >"$tmp" 2>&1 &&
    ! grep -q -E 'Sanitizer|runtime error:' "$tmp"; then
	echo "PASS: the wire codecs' fuzz target ran $n seeds"
	exit 0
fi
echo "FAIL: the wire codecs' fuzz target stopped:"
tail -n 40 "$tmp"
exit 1
