#!/bin/sh
# SPDX-License-Identifier: MIT
# The rtwc example against wc(1): same counts for every file and the total,
# exit status 1 and a message for a missing file, and (when valgrind is
# installed and this is not a sanitizer build) no memory errors or leaks.
set -u
: "${top_builddir:=.}"
RTWC="$top_builddir/examples/wc/rtwc"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0

# Files of different shapes: empty, no final newline, blank runs, tabs, a
# big one, and binary bytes.
: > "$tmp/empty.txt"
printf 'one line without newline' > "$tmp/nonl.txt"
printf 'a b  c\n\n\n  d\te\n' > "$tmp/spaces.txt"
i=0
while [ $i -lt 3000 ]; do
	echo "line $i of a longer file with several words in it"
	i=$((i + 1))
done > "$tmp/big.txt"
head -c 20000 /dev/urandom > "$tmp/random.bin" 2>/dev/null || printf '\001\002 \n' > "$tmp/random.bin"
files="$tmp/empty.txt $tmp/nonl.txt $tmp/spaces.txt $tmp/big.txt $tmp/random.bin"

# shellcheck disable=SC2086
"$RTWC" -j 3 $files > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: rtwc exited $rc"; cat "$tmp/err"; fail=1
fi
# shellcheck disable=SC2086
LC_ALL=C wc $files | awk '{print $1, $2, $3, $4}' | sort > "$tmp/want"
awk '{print $1, $2, $3, $4}' "$tmp/out" | sort > "$tmp/got"
if ! cmp -s "$tmp/want" "$tmp/got"; then
	echo "FAIL: rtwc and wc disagree"; diff "$tmp/want" "$tmp/got"; fail=1
fi
if [ "$(tail -n 1 "$tmp/out" | awk '{print $4}')" != total ]; then
	echo "FAIL: the total is not the last line"; cat "$tmp/out"; fail=1
fi
if [ "$(grep -c 'worker .* counted' "$tmp/err")" -ne 3 ]; then
	echo "FAIL: expected a report from each of the 3 workers"; cat "$tmp/err"; fail=1
fi

# A missing file: reported, the others still counted, exit status 1.
"$RTWC" -j 2 "$tmp/nonl.txt" "$tmp/missing.txt" > "$tmp/out2" 2> "$tmp/err2"
rc=$?
if [ $rc -ne 1 ]; then echo "FAIL: exit $rc with a missing file, want 1"; fail=1; fi
if ! grep -q "missing.txt: No such file or directory" "$tmp/err2"; then
	echo "FAIL: missing file not reported"; cat "$tmp/err2"; fail=1
fi
if ! grep -q "nonl.txt" "$tmp/out2"; then
	echo "FAIL: the readable file was not counted"; fail=1
fi

# More workers than files, and usage errors.
"$RTWC" -j 8 "$tmp/spaces.txt" > /dev/null 2>&1 || { echo "FAIL: -j 8 with one file"; fail=1; }
"$RTWC" > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: no file must exit 2"; fail=1; }
"$RTWC" -j 0 x > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: -j 0 must exit 2"; fail=1; }

# valgrind: no errors, no leaks (on the real binary, through libtool).
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	# shellcheck disable=SC2086
	if ! "$top_builddir/libtool" --mode=execute "$VALGRIND" -q \
	    --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    "$RTWC" -j 2 $files > /dev/null 2> "$tmp/vg"; then
		echo "FAIL: valgrind found problems"; cat "$tmp/vg"; fail=1
	fi
fi
exit $fail
