#!/bin/sh
# SPDX-License-Identifier: MIT
# user-build.sh PREFIX ACLOCALDIR SRCDIR: after `make install` (make
# distcheck does one), build examples/user-build as an outside project
# would: autoreconf finds RT_PROG_RTGEN in the installed rtactor.m4,
# configure finds rtgen and pkg-config finds librtactor; make runs rtgen
# through the documented pattern rule, and again when greet.rtp changes.
# A configure that cannot find rtgen must say so and stop.
set -eu
prefix=$1 aclocaldir=$2 src=$3
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
cp -R "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
export ACLOCAL_PATH="$aclocaldir${ACLOCAL_PATH:+:$ACLOCAL_PATH}"
export PKG_CONFIG_PATH="$libdir"
export LD_LIBRARY_PATH="${libdir%/pkgconfig}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# rtactor.pc says where rt was configured to go; point it at PREFIX, in
# case that is a staging directory. RT_PROG_RTGEN finds rtgen through it.
PKG_CONFIG="pkg-config --define-variable=prefix=$prefix"
export PKG_CONFIG
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
echo "an outside autotools project builds with the installed rtactor.m4 and rtgen"
