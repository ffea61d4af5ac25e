#!/bin/sh
# SPDX-License-Identifier: MIT
# Compile-fail tests (DESIGN.md §3, §8): code that misuses the generated
# API must not compile under a user's default flags, with every compiler we
# have. tests/compile-fail/cf.rtp is compiled with rtgen; then each
# ok_*.c must compile (so a failure below is not a broken harness), and
# each bad_*.c must fail with the text of its first line,
# `/* expect: TEXT */`, in the compiler's messages (TEXT may be `a|b` when
# gcc and clang word it differently) on an error line.
# Exit: 0 pass, 1 fail, 77 skip (no compiler).

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${RTGEN:=$top_builddir/rtgen/rtgen}"
dir=$top_srcdir/tests/compile-fail
flags="-std=c11 -Wall -Wextra"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rt-compile-fail.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$RTGEN" -o "$tmp" "$dir/cfbase.rtp" "$dir/cf.rtp"; then
	echo "FAIL: rtgen could not compile $dir/cf.rtp"
	exit 1
fi

# The compilers to try: CC, GCC and CLANG, each once.
compilers=
keys=
for cc in "$CC" "$GCC" "$CLANG"; do
	[ -n "$cc" ] || continue
	set -- $cc
	path=$(command -v "$1" 2>/dev/null) || continue
	shift
	key="$path $*"
	case "|$keys|" in
	*"|$key|"*) ;;
	*) keys="$keys|$key"; compilers="$compilers $cc" ;;
	esac
done
if [ -z "$compilers" ]; then
	echo "SKIP: no C compiler"
	exit 77
fi

status=0
for cc in $compilers; do
	if ! $cc $flags -I"$top_srcdir/include" -I"$tmp" -c "$tmp/cf.rtp.c" \
	    -o "$tmp/cf.o" >"$tmp/out" 2>&1; then
		echo "FAIL ($cc): the generated cf.rtp.c does not compile"
		cat "$tmp/out"
		status=1
	fi
	for f in "$dir"/ok_*.c; do
		if $cc $flags -I"$top_srcdir/include" -I"$tmp" -c "$f" \
		    -o "$tmp/ok.o" >"$tmp/out" 2>&1; then
			echo "PASS ($cc): $(basename "$f") compiles"
		else
			echo "FAIL ($cc): $(basename "$f") must compile"
			cat "$tmp/out"
			status=1
		fi
	done
	for f in "$dir"/bad_*.c; do
		expect=$(sed -n '1s/^\/\* expect: \(.*\) \*\/$/\1/p' "$f")
		if [ -z "$expect" ]; then
			echo "FAIL: $(basename "$f") has no '/* expect: ... */' line"
			status=1
			continue
		fi
		if $cc $flags -I"$top_srcdir/include" -I"$tmp" -c "$f" \
		    -o "$tmp/bad.o" >"$tmp/out" 2>&1; then
			echo "FAIL ($cc): $(basename "$f") compiled but must not"
			cat "$tmp/out"
			status=1
		elif grep -E -- "$expect" "$tmp/out" | grep -q error; then
			echo "PASS ($cc): $(basename "$f") fails with '$expect'"
		else
			echo "FAIL ($cc): $(basename "$f") failed without '$expect'"
			cat "$tmp/out"
			status=1
		fi
	done
done

# A header generated for another protocol ABI, by an older rtgen or a
# newer one, must not compile against this library: it stops with the
# #error that says to rerun rtgen, not later at link time or at run time.
abi=$(sed -n 's/^#define RT_PROTOCOL_ABI \([0-9]*\)$/\1/p' \
    "$top_srcdir/include/rt/version.h")
if [ -z "$abi" ] || ! grep -q "^#if RT_PROTOCOL_ABI != $abi\$" "$tmp/cf.rtp.h"
then
	echo "FAIL: cf.rtp.h does not check for protocol ABI '$abi'"
	status=1
fi
mkdir "$tmp/stale"
echo '#include "cf.rtp.h"' >"$tmp/stale/use.c"
for other in $((abi - 1)) $((abi + 1)); do
	sed "s/RT_PROTOCOL_ABI != $abi\$/RT_PROTOCOL_ABI != $other/
s/for rt protocol ABI $abi;/for rt protocol ABI $other;/" \
	    "$tmp/cf.rtp.h" >"$tmp/stale/cf.rtp.h"
	want="cf.rtp.h was generated for rt protocol ABI $other; rerun rtgen"
	for cc in $compilers; do
		if $cc $flags -I"$top_srcdir/include" -I"$tmp/stale" -I"$tmp" \
		    -c "$tmp/stale/use.c" -o "$tmp/bad.o" >"$tmp/out" 2>&1; then
			echo "FAIL ($cc): a header for ABI $other compiled"
			status=1
		elif grep -F -- "$want" "$tmp/out" | grep -q error; then
			echo "PASS ($cc): a header for ABI $other fails with '$want'"
		else
			echo "FAIL ($cc): a header for ABI $other failed otherwise"
			cat "$tmp/out"
			status=1
		fi
	done
done

# A protocol too big to poison every combination (over 200,000 names):
# its header makes a call to an undeclared send an error instead.
awk 'BEGIN {
	print "protocol big;"
	for (i = 0; i < 600; i++) printf "message M%d { u32 n; }\n", i
	for (a = 0; a < 100; a++) printf "actor A%d { accepts M%d; }\n", a, a
}' >"$tmp/big.rtp"
if ! "$RTGEN" -o "$tmp" "$tmp/big.rtp" 2>"$tmp/out"; then
	echo "FAIL: rtgen could not compile the big protocol"
	cat "$tmp/out"
	exit 1
fi
cat >"$tmp/big_ok.c" <<'EOF2'
#include "big.rtp.h"
int use(big_A0_ref a);
int use(big_A0_ref a) { return big_A0_send_M0(a, &(big_M0){ 1 }); }
EOF2
sed 's/big_A0_send_M0/big_A0_send_M1/; s/big_M0/big_M1/' "$tmp/big_ok.c" \
    >"$tmp/big_bad.c"
for cc in $compilers; do
	if ! $cc $flags -I"$top_srcdir/include" -I"$tmp" -c "$tmp/big_ok.c" \
	    -o "$tmp/ok.o" >"$tmp/out" 2>&1; then
		echo "FAIL ($cc): a send the big protocol has must compile"
		cat "$tmp/out"
		status=1
	elif $cc $flags -I"$top_srcdir/include" -I"$tmp" -c "$tmp/big_bad.c" \
	    -o "$tmp/bad.o" >"$tmp/out" 2>&1; then
		echo "FAIL ($cc): a send the big protocol lacks compiled"
		status=1
	elif grep -E "implicit declaration|undeclared function" "$tmp/out" |
	    grep -q error; then
		echo "PASS ($cc): a send the big protocol lacks is an error"
	else
		echo "FAIL ($cc): a send the big protocol lacks failed otherwise"
		cat "$tmp/out"
		status=1
	fi
done
exit $status
