#!/bin/sh
# SPDX-License-Identifier: MIT
# The door lock example: an Open sent while the door is locked is handled
# once it is unlocked, before what was sent after it; one that never gets
# its state is a dead letter when the door stops; and (with valgrind,
# outside sanitizer builds) the program has no memory errors or leaks.
set -u
: "${top_builddir:=.}"
prog="$top_builddir/examples/door/door"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

"$prog" > "$tmp/out" || { echo "FAIL: door exited $?"; exit 1; }
cat > "$tmp/want" <<'WANT'
ana knocks: the door is locked
unlock with 1111: wrong code
unlocked
opened
bo knocks: the door is open
closed
locked with 42
dead letter: Open (still postponed)
WANT
if ! cmp -s "$tmp/want" "$tmp/out"; then
	echo "FAIL: door printed something else:"
	diff "$tmp/want" "$tmp/out"
	exit 1
fi
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	"$top_builddir/libtool" --mode=execute "$VALGRIND" -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	    "$prog" > /dev/null || { echo "FAIL: valgrind found problems"; exit 1; }
fi
exit 0
