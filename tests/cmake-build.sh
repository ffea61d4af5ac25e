#!/bin/sh
# SPDX-License-Identifier: MIT
# cmake-build.sh PREFIX SRCDIR: after `make install` (make distcheck does
# one), build examples/user-build with CMake as an outside project would:
# find_package(rtactor) reads the installed rtactorConfig.cmake, found
# through CMAKE_PREFIX_PATH=PREFIX, rtactor_generate() runs the installed
# rtgen, and greet links librtactor and runs. Changing greet.rtp must
# regenerate its C. PREFIX may be a staging directory, so the package
# finds its files relative to itself; a copy of the tree elsewhere must
# work too. A project whose protocol imports another must regenerate when
# the imported one changes (rtgen -M as the DEPFILE), with each generator
# at hand (Unix Makefiles, and Ninja if it is installed). A configure that
# cannot find rt, finds a broken one, or one too old, must fail and say
# why.
set -eu
prefix=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
command -v cmake >/dev/null 2>&1 ||
    { echo "SKIP: no cmake; the CMake user build is not tried"; exit 0; }
version=$(cmake --version | sed -n '1s/^cmake version \([0-9.]*\).*/\1/p')
case $version in
[0-2].*|3.[0-9].*|3.1[0-9].*)
	echo "SKIP: cmake $version is older than 3.20; the CMake user build" \
	    "is not tried"
	exit 0 ;;
esac
config=$(ls "$prefix"/lib*/cmake/rtactor/rtactorConfig.cmake 2>/dev/null |
    head -n 1)
[ -n "$config" ] ||
    { echo "FAIL: rtactorConfig.cmake not installed under $prefix/lib*/cmake/rtactor"; exit 1; }
[ -f "${config%/*}/rtactorConfigVersion.cmake" ] ||
    { echo "FAIL: rtactorConfigVersion.cmake not installed beside $config"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rt-cmake-build.XXXXXX")
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT INT TERM
# An outside project's make knows nothing of ours (our MAKEFLAGS may carry
# DESTDIR=... from the command line). The program must run through the
# rpath CMake gives it, not through a library path of ours.
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR LD_LIBRARY_PATH CMAKE_PREFIX_PATH \
    CMAKE_GENERATOR

# fail LOG MESSAGE: show the log, say what failed, stop.
fail() {
	cat "$1"
	echo "FAIL: $2"
	exit 1
}

cp -R "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
cd "$tmp"
cmake -S src -B build -DCMAKE_PREFIX_PATH="$prefix" >configure.log 2>&1 ||
    fail configure.log "cmake could not configure examples/user-build"
grep -q "^rtactor_DIR:PATH=${config%/*}\$" build/CMakeCache.txt ||
    fail build/CMakeCache.txt "find_package(rtactor) did not use $config"
cmake --build build >build.log 2>&1 || fail build.log "cmake --build"
out=$(./build/greet)
[ "$out" = "$(printf 'hello, world\ngreeted 1')" ] ||
    { echo "FAIL: greet printed '$out'"; exit 1; }

# Change the protocol: the build must run rtgen again.
sleep 1
sed 's/u32 greeted;/u32 greeted; u32 spare;/' src/greet.rtp >greet.rtp.new
mv greet.rtp.new src/greet.rtp
cmake --build build >build2.log 2>&1 ||
    fail build2.log "cmake --build after greet.rtp changed"
grep -q spare build/greet.rtp.h ||
    fail build2.log "greet.rtp.h not regenerated after greet.rtp changed"

# The installed tree, moved (as a DESTDIR install is, or a copied one):
# the package must take rtgen, headers and library from where it is now.
cp -R "$prefix" moved
cmake -S src -B build-moved -DCMAKE_PREFIX_PATH="$tmp/moved" \
    >configure-moved.log 2>&1 ||
    fail configure-moved.log "cmake could not configure with the moved tree"
cmake --build build-moved -v >build-moved.log 2>&1 ||
    fail build-moved.log "cmake --build with the moved tree"
grep -q "$tmp/moved/bin/rtgen" build-moved.log ||
    fail build-moved.log "the moved tree's rtgen was not run"
grep -q "$tmp/moved/lib/librtactor" build-moved.log ||
    fail build-moved.log "greet was not linked with the moved tree's librtactor"
grep -q -e "-I$tmp/moved/include" -e "-isystem $tmp/moved/include" \
    build-moved.log ||
    fail build-moved.log "greet was not compiled with the moved tree's headers"
out=$(./build-moved/greet)
[ "$out" = "$(printf 'hello, world\ngreeted 1')" ] ||
    { echo "FAIL: greet (moved tree) printed '$out'"; exit 1; }

# A protocol that imports one from another directory (IMPORT_DIRS). When
# only the imported one changes, the importer's C must be made again.
mkdir imp imp/proto
cat >imp/proto/base.rtp <<'EOF'
protocol base;
message Ping { u32 n; }
EOF
cat >imp/user.rtp <<'EOF'
protocol user;
import "base.rtp";
actor Sink {
    accepts base.Ping;
    state   { u32 pings; }
}
EOF
cat >imp/main.c <<'EOF'
#include <stdio.h>
#include "user.rtp.h"

int
user_Sink_on_Ping(user_Sink *self, rt_ctx *ctx, const base_Ping *msg)
{
	self->pings += msg->n;
	printf("pings %u\n", (unsigned)self->pings);
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
main(void)
{
	rt_system *sys = rt_system_new(NULL);
	user_Sink_ref s;

	if (sys == NULL || user_Sink_spawn(sys, NULL, &s) != 0)
		return 1;
	user_Sink_send_Ping(s, &(base_Ping){ .n = 3 });
	rt_system_wait(sys);
	rt_system_free(sys);
	return 0;
}
EOF
cat >imp/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(imp LANGUAGES C)
find_package(rtactor ${WANT} REQUIRED)
add_executable(imp main.c)
rtactor_generate(imp user.rtp proto/base.rtp IMPORT_DIRS proto)
target_link_libraries(imp PRIVATE rtactor::rtactor)
EOF
# imports GENERATOR BUILDDIR: build imp with GENERATOR; then a build
# with nothing changed must not run rtgen, and one after base.rtp changed
# must run it for both protocols.
imports() {
	cp imp/proto/base.rtp base.rtp.orig
	cmake -S imp -B "$2" -G "$1" -DCMAKE_PREFIX_PATH="$prefix" \
	    -DWANT=0.1 >"$2.log" 2>&1 ||
	    fail "$2.log" "cmake -G '$1' could not configure a project with an import"
	cmake --build "$2" >>"$2.log" 2>&1 ||
	    fail "$2.log" "cmake --build ($1) of a project with an import"
	out=$("./$2/imp")
	[ "$out" = "pings 3" ] ||
	    { echo "FAIL: imp ($1) printed '$out'"; exit 1; }
	touch "$2/stamp"
	sleep 1
	cmake --build "$2" >>"$2.log" 2>&1 ||
	    fail "$2.log" "cmake --build ($1), again"
	if [ "$2/user.rtp.c" -nt "$2/stamp" ]; then
		fail "$2.log" "user.rtp.c ($1) generated again though nothing changed"
	fi
	echo 'message Pong { u32 n; }' >>imp/proto/base.rtp
	cmake --build "$2" >>"$2.log" 2>&1 ||
	    fail "$2.log" "cmake --build ($1) after base.rtp changed"
	[ "$2/user.rtp.c" -nt "$2/stamp" ] ||
	    fail "$2.log" "user.rtp.c ($1) not regenerated after the base.rtp it imports changed"
	grep -q Pong "$2/base.rtp.h" ||
	    fail "$2.log" "base.rtp.h ($1) not regenerated after base.rtp changed"
	mv base.rtp.orig imp/proto/base.rtp
}
imports "Unix Makefiles" build-make
if command -v ninja >/dev/null 2>&1; then
	imports Ninja build-ninja
else
	echo "note: no ninja; the project with an import is built with make only"
fi

# An rt older than the one asked for is not taken.
if cmake -S imp -B build-old -DCMAKE_PREFIX_PATH="$prefix" -DWANT=99.0 \
    >old.log 2>&1; then
	fail old.log "find_package(rtactor 99.0) accepted the rt in $prefix"
fi
grep -q "rtactorConfig.cmake, version: [0-9]" old.log ||
    fail old.log "find_package(rtactor 99.0) did not say which versions it saw"

# No rt at all: find_package says which files it looked for. (Rooting
# every search at a directory that does not exist hides an rt installed
# system-wide too.)
if cmake -S src -B build-none -DCMAKE_FIND_ROOT_PATH="$tmp/nowhere" \
    -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY >none.log 2>&1; then
	fail none.log "cmake configured examples/user-build without rt"
fi
grep -q "rtactorConfig.cmake" none.log ||
    fail none.log "cmake without rt did not name rtactorConfig.cmake"

# A package whose library is not there (a half-removed install): it must
# say which file is missing, not fail later at link time.
mkdir -p broken/lib/cmake
cp -R "${config%/*}" broken/lib/cmake/rtactor
if cmake -S src -B build-broken -DCMAKE_PREFIX_PATH="$tmp/broken" \
    -Drtactor_DIR="$tmp/broken/lib/cmake/rtactor" >broken.log 2>&1; then
	fail broken.log "cmake configured examples/user-build with no librtactor"
fi
{ grep -q "not there:" broken.log &&
    grep -q "/broken/lib/librtactor" broken.log; } ||
    fail broken.log "a broken rt package did not name the missing library"

# An RTACTOR_RTGEN that is not there is an error at configure time.
if cmake -S src -B build-rtgen -DCMAKE_PREFIX_PATH="$prefix" \
    -DRTACTOR_RTGEN=/nonexistent/rtgen >rtgen.log 2>&1; then
	fail rtgen.log "cmake configured with RTACTOR_RTGEN=/nonexistent/rtgen"
fi
grep -q "rtgen, the protocol compiler of rt, is not at /nonexistent/rtgen" \
    rtgen.log || fail rtgen.log "a missing RTACTOR_RTGEN was not named"

echo "an outside CMake project builds with the installed rtactorConfig.cmake and rtgen"
