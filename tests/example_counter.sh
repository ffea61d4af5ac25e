#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's walkthrough program prints the sum it was sent, and (with
# valgrind, outside sanitizer builds) has no memory errors or leaks.
set -u
: "${top_builddir:=.}"
prog="$top_builddir/examples/counter/counter"
out=$("$prog") || { echo "FAIL: counter exited $?"; exit 1; }
[ "$out" = "sum: 5050" ] || { echo "FAIL: printed '$out', want 'sum: 5050'"; exit 1; }
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	"$top_builddir/libtool" --mode=execute "$VALGRIND" -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	    "$prog" > /dev/null || { echo "FAIL: valgrind found problems"; exit 1; }
fi
exit 0
