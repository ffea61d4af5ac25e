#!/bin/sh
# SPDX-License-Identifier: MIT
# What rt_metrics_write writes passes `promtool check metrics` (Debian:
# prometheus), label values that need escaping and a kind's postponed
# messages included; and (with
# valgrind, outside sanitizer builds) the metrics and both dumps have no
# memory errors or leaks. Without promtool the check is skipped (77)
# unless valgrind ran.
set -u
: "${top_builddir:=.}"
prog="$top_builddir/tests/observe_out"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
ran=0

"$prog" metrics > "$tmp/metrics" || { echo "FAIL: observe_out exited $?"; exit 1; }
promtool=${PROMTOOL:-}
[ -n "$promtool" ] || promtool=$(command -v promtool 2>/dev/null || true)
if [ -n "$promtool" ]; then
	if ! "$promtool" check metrics < "$tmp/metrics" > "$tmp/check" 2>&1; then
		echo "FAIL: promtool check metrics:"
		cat "$tmp/check"
		echo "--- the metrics:"
		cat "$tmp/metrics"
		exit 1
	fi
	grep -q '^rt_supervisors{supervisor="odd \\"spec\\" \\\\ with\\na newline' \
	    "$tmp/metrics" || { echo "FAIL: label value not escaped:"; \
	    grep odd "$tmp/metrics"; exit 1; }
	grep -q '^rt_mailbox_stashed{kind="obs.Gate"} 1$' "$tmp/metrics" ||
	    { echo "FAIL: the Gate's postponed message not shown:"; \
	    grep rt_mailbox_stashed "$tmp/metrics"; exit 1; }
	ran=1
else
	echo "skipped: promtool not found (Debian: apt-get install prometheus)"
fi
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	for what in metrics json text; do
		"$top_builddir/libtool" --mode=execute "$VALGRIND" -q \
		    --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect,possible \
		    "$prog" "$what" > /dev/null ||
		    { echo "FAIL: valgrind found problems ($what)"; exit 1; }
	done
	ran=1
fi
[ "$ran" = 1 ] || exit 77
exit 0
