#!/bin/sh
# SPDX-License-Identifier: MIT
# user-build.sh PREFIX ACLOCALDIR SRCDIR: after `make install` (make
# distcheck does one), build examples/user-build as an outside project
# would: autoreconf finds RT_PROG_RTGEN in the installed rtactor.m4,
# configure finds rtgen and pkg-config finds librtactor; make runs rtgen
# through the documented pattern rule, and again when greet.rtp changes.
# A configure that cannot find rtgen must say so and stop, and so must an
# autoreconf that cannot find rtactor.m4.
# Then once more with rt's headers and library where the compiler looks
# by default, as after a system-wide install: there GNU make's built-in
# rule `%: %.c` could "remake" greet.rtp as `cc greet.rtp.c -o greet.rtp`,
# whose failed link deletes greet.rtp; `make distcheck` must pass and
# leave greet.rtp alone.
set -eu
prefix=$1 aclocaldir=$2
src=$(cd "$3" && pwd)
for tool in autoreconf automake pkg-config; do
	command -v "$tool" >/dev/null 2>&1 ||
	    { echo "SKIP: no $tool; the user build is not tried"; exit 0; }
done
[ -f "$aclocaldir/rtactor.m4" ] ||
    { echo "FAIL: rtactor.m4 not installed in $aclocaldir"; exit 1; }
libdir=$(ls -d "$prefix"/lib*/pkgconfig 2>/dev/null | head -n 1)
[ -n "$libdir" ] || { echo "FAIL: no pkgconfig directory under $prefix"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rt-user-build.XXXXXX")
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT INT TERM
# An outside project's make knows nothing of ours (our MAKEFLAGS may carry
# DESTDIR=... from the command line, which its distcheck must not get).
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
# rtactor.pc says where rt was configured to go; point it at PREFIX, in
# case that is a staging directory. RT_PROG_RTGEN finds rtgen through it.
PKG_CONFIG="pkg-config --define-variable=prefix=$prefix"
export PKG_CONFIG
export PKG_CONFIG_PATH="$libdir"
export LD_LIBRARY_PATH="${libdir%/pkgconfig}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# Without ACLOCAL_PATH, aclocal does not look in a private prefix: the
# m4_pattern_forbid in configure.ac makes autoreconf say RT_PROG_RTGEN
# is undefined, where it would have left it in configure unexpanded.
cp -R "$src" "$tmp/noaclocal"
chmod -R u+w "$tmp/noaclocal"
if (cd "$tmp/noaclocal" && unset ACLOCAL_PATH &&
    autoreconf -fi) >"$tmp/autoreconf0.log" 2>&1; then
	# Fine if aclocal found an rtactor.m4 of its own (rt installed where
	# aclocal looks anyway, or named in its dirlist).
	grep -q 'AC_DEFUN(\[RT_PROG_RTGEN\]' "$tmp/noaclocal/aclocal.m4" ||
	    { echo "FAIL: autoreconf succeeded without rtactor.m4"; exit 1; }
	echo "note: aclocal finds an rtactor.m4 without ACLOCAL_PATH; the check" \
	    "that autoreconf fails without one is not tried"
elif ! grep -q "RT_PROG_RTGEN" "$tmp/autoreconf0.log"; then
	cat "$tmp/autoreconf0.log"
	echo "FAIL: autoreconf without rtactor.m4 did not name RT_PROG_RTGEN"
	exit 1
fi

export ACLOCAL_PATH="$aclocaldir${ACLOCAL_PATH:+:$ACLOCAL_PATH}"
cp -R "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
cd "$tmp/src"
autoreconf -fi >"$tmp/autoreconf.log" 2>&1 ||
    { cat "$tmp/autoreconf.log"; echo "FAIL: autoreconf"; exit 1; }
mkdir build
cd build
../configure >"$tmp/configure.log" 2>&1 ||
    { cat "$tmp/configure.log"; echo "FAIL: configure"; exit 1; }
grep -q '^RTGEN = /' Makefile ||
    { echo "FAIL: RT_PROG_RTGEN did not set RTGEN"; exit 1; }
make >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; echo "FAIL: make"; exit 1; }
out=$(./greet)
[ "$out" = "$(printf 'hello, world\ngreeted 1')" ] ||
    { echo "FAIL: greet printed '$out'"; exit 1; }

# Change the protocol: make must run rtgen again.
sleep 1
sed 's/u32 greeted;/u32 greeted; u32 spare;/' ../greet.rtp >../greet.rtp.new
mv ../greet.rtp.new ../greet.rtp
make >"$tmp/make2.log" 2>&1 || { cat "$tmp/make2.log"; echo "FAIL: make after a change"; exit 1; }
grep -q spare greet.rtp.h ||
    { echo "FAIL: greet.rtp.h not regenerated after greet.rtp changed"; exit 1; }

# Without rtgen, configure stops and says what to do.
if ../configure RTGEN=/nonexistent/rtgen >"$tmp/configure2.log" 2>&1; then
	echo "FAIL: configure succeeded without rtgen"
	exit 1
fi
grep -q "rtgen, the protocol compiler of rt, was not found" "$tmp/configure2.log" ||
    { cat "$tmp/configure2.log"; echo "FAIL: configure did not say rtgen is missing"; exit 1; }

# rt's headers and library on the compiler's default paths (gcc and clang
# treat CPATH and LIBRARY_PATH as such, and pkg-config then leaves out their
# -I and -L, as for /usr/include). Build in the source directory, where a
# deleted greet.rtp would be the user's own; make distcheck then makes the
# dist (which asks for greet.rtp) and a VPATH build from it.
cp -R "$src" "$tmp/sys"
chmod -R u+w "$tmp/sys"
cd "$tmp/sys"
export CPATH="$prefix/include${CPATH:+:$CPATH}"
export LIBRARY_PATH="${libdir%/pkgconfig}${LIBRARY_PATH:+:$LIBRARY_PATH}"
autoreconf -fi >"$tmp/autoreconf3.log" 2>&1 ||
    { cat "$tmp/autoreconf3.log"; echo "FAIL: autoreconf (default paths)"; exit 1; }
./configure >"$tmp/configure3.log" 2>&1 ||
    { cat "$tmp/configure3.log"; echo "FAIL: configure (default paths)"; exit 1; }
make >"$tmp/make3.log" 2>&1 ||
    { cat "$tmp/make3.log"; echo "FAIL: make (default paths)"; exit 1; }
out=$(./greet)
[ "$out" = "$(printf 'hello, world\ngreeted 1')" ] ||
    { echo "FAIL: greet printed '$out' (default paths)"; exit 1; }
dc=0
make distcheck >"$tmp/distcheck.log" 2>&1 || dc=$?
cmp -s greet.rtp "$src/greet.rtp" || {
	tail -n 30 "$tmp/distcheck.log"
	echo "FAIL: make or make distcheck deleted or changed greet.rtp" \
	    "(GNU make's built-in rule '%: %.c'; the Makefile.am needs '%.rtp: ;')"
	exit 1
}
[ "$dc" -eq 0 ] ||
    { cat "$tmp/distcheck.log"; echo "FAIL: make distcheck (default paths)"; exit 1; }
echo "an outside autotools project builds with the installed rtactor.m4 and rtgen"
