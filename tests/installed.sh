#!/bin/sh
# SPDX-License-Identifier: MIT
# installed.sh PREFIX EXAMPLE_DIR CC [NODE_EXAMPLE_DIR]: build the
# walkthrough program the way an outside user would, with nothing but the
# installed rtgen and pkg-config, then run it; it must not need libnats.
# When librtnode is installed, build NODE_EXAMPLE_DIR (examples/price)
# against pkg-config rtnode too.
set -eu
prefix=$1 src=$2 cc=$3 node_src=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
libdir=$(ls -d "$prefix"/lib*/pkgconfig 2>/dev/null | head -n 1)
[ -n "$libdir" ] || { echo "FAIL: no pkgconfig directory under $prefix"; exit 1; }
export PKG_CONFIG_PATH="$libdir"
# The .pc file names prefix=/usr/local or the like; point it at the tree.
flags="--define-variable=prefix=$prefix"
rtgen=$(pkg-config $flags --variable=rtgen rtactor)
[ -x "$rtgen" ] || { echo "FAIL: rtgen not at $rtgen"; exit 1; }
cp "$src/counter.rtp" "$src/main.c" "$tmp/"
if [ -n "$node_src" ]; then
	mkdir "$tmp/price"
	cp "$node_src/price.rtp" "$node_src/main.c" "$tmp/price/"
fi
cd "$tmp"
"$rtgen" counter.rtp
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Wextra -o counter main.c counter.rtp.c \
    $(pkg-config $flags --cflags --libs rtactor)
out=$(LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ./counter)
[ "$out" = "sum: 5050" ] || { echo "FAIL: printed '$out'"; exit 1; }
if readelf -d counter | grep -q 'libnats'; then
	echo "FAIL: a program without nodes links libnats"
	exit 1
fi
echo "installed rt builds and runs an outside program"
if [ -n "$node_src" ] && pkg-config --exists rtnode; then
	cd price
	"$rtgen" price.rtp
	# shellcheck disable=SC2046
	$cc -std=c11 -Wall -Wextra -o rtprice main.c price.rtp.c \
	    $(pkg-config $flags --cflags --libs rtnode)
	readelf -d rtprice | grep -q 'librtnode' ||
	    { echo "FAIL: rtprice does not link librtnode"; exit 1; }
	echo "installed librtnode builds an outside program with nodes"
fi
