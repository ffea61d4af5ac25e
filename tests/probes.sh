#!/bin/sh
# SPDX-License-Identifier: MIT
# The USDT probes (runtime/probes.h) are in librtactor as built: readelf -n
# shows, for each of the eight, a stapsdt note of provider rt with a
# semaphore (so that a tracer can tell the library it is there) and the
# arguments doc/tracing.md lists. Skipped (77) in a build without
# <sys/sdt.h>, where the library has no probes.
set -u
: "${top_builddir:=.}"
lib="$top_builddir/.libs/librtactor.so"
[ -f "$lib" ] || { echo "FAIL: $lib was not built"; exit 99; }
if ! grep -q '^#define HAVE_SYS_SDT_H 1' "$top_builddir/config.h"; then
	echo "skipped: built without <sys/sdt.h" \
	    "(Debian: apt-get install systemtap-sdt-dev)"
	exit 77
fi
command -v readelf >/dev/null 2>&1 ||
    { echo "skipped: no readelf (Debian: binutils)"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# One line per probe: provider, name, semaphore, number of arguments.
readelf -n "$lib" | awk '
	/Provider:/ { prov = $2 }
	/Name:/ && prov != "" { name = $2 }
	/Semaphore:/ { sem = $NF }
	/Arguments:/ {
		print prov, name, sem, NF - 1
		prov = ""
	}' > "$tmp/probes"

status=0
# name and argument count (doc/tracing.md)
for want in send:8 handle_start:6 handle_end:7 spawn:4 exit:7 crash:8 \
    restart:6 dead_letter:8; do
	name=${want%%:*} nargs=${want##*:}
	line=$(awk -v n="$name" '$1 == "rt" && $2 == n' "$tmp/probes")
	if [ -z "$line" ]; then
		echo "FAIL: no probe rt:$name in $lib"
		status=1
		continue
	fi
	# A site may be inlined more than once: every copy must be right.
	echo "$line" | while read -r _ _ sem n; do
		case $sem in
		0x0 | 0x0000000000000000 | 0)
			echo "FAIL: rt:$name has no semaphore"
			exit 1 ;;
		esac
		[ "$n" = "$nargs" ] || {
			echo "FAIL: rt:$name has $n arguments, not $nargs"
			exit 1
		}
	done || status=1
	echo "ok: rt:$name ($(echo "$line" | wc -l) site(s), $nargs arguments)"
done
extra=$(awk '$1 == "rt"' "$tmp/probes" | awk '{ print $2 }' | sort -u |
    grep -v -x -e send -e handle_start -e handle_end -e spawn -e exit \
	-e crash -e restart -e dead_letter)
[ -z "$extra" ] || { echo "FAIL: probes not in doc/tracing.md: $extra"; status=1; }
exit $status
