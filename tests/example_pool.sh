#!/bin/sh
# SPDX-License-Identifier: MIT
# The supervised pool example: every good job is done whatever crashes
# around it, each malformed job costs one crash report, one crash and one
# restart, and (with valgrind, outside sanitizer builds) the program has no
# memory errors or leaks, crashes and restarts included.
set -u
: "${top_builddir:=.}"
prog="$top_builddir/examples/pool/pool"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0

"$prog" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: pool exited $rc"; cat "$tmp/out" "$tmp/err"; fail=1
fi

# The summary: 40 jobs, 7, 14, 21, 28 and 35 malformed; the pool routes
# round-robin, so job n goes to worker (n - 1) % 4 + 1, and what each
# worker did since its last start follows from the order of its mailbox,
# which its crashes do not change.
cat > "$tmp/want" <<'EOF'
pool: 4 workers, 40 jobs, 5 of them malformed
worker 1: 10 jobs, 1 malformed, 4 done since its last start
worker 2: 10 jobs, 1 malformed, 6 done since its last start
worker 3: 10 jobs, 2 malformed, 1 done since its last start
worker 4: 10 jobs, 1 malformed, 3 done since its last start
done: 35 of 35 good jobs, sum of squares 19445 (expected 19445)
crashes: 5, restarts: 5, dead letters: 0
EOF
if ! cmp -s "$tmp/want" "$tmp/out"; then
	echo "FAIL: unexpected summary"; diff "$tmp/want" "$tmp/out"; fail=1
fi

# One crash report per malformed job, naming the worker (the pool's
# member by its index, from 0), its job and how often it had been
# restarted; nothing else on stderr.
for r in "Worker.2 .* Job{id=7, text=\"7?\", report_to=<ref>}; restarts so far: 0" \
    "Worker.1 .* Job{id=14, text=\"14?\", report_to=<ref>}; restarts so far: 0" \
    "Worker.0 .* Job{id=21, text=\"21?\", report_to=<ref>}; restarts so far: 0" \
    "Worker.3 .* Job{id=28, text=\"28?\", report_to=<ref>}; restarts so far: 0" \
    "Worker.2 .* Job{id=35, text=\"35?\", report_to=<ref>}; restarts so far: 1"; do
	if ! grep -q "^rt: crash: Service/pool/$r\$" "$tmp/err"; then
		echo "FAIL: no crash report matching '$r'"; fail=1
	fi
done
if [ "$(wc -l < "$tmp/err")" -ne 5 ]; then
	echo "FAIL: expected exactly 5 lines on stderr"; fail=1
fi
[ $fail -eq 0 ] || cat "$tmp/err"

# valgrind: no errors, no leaks (on the real binary, through libtool).
if [ -n "${VALGRIND:-}" ] && [ "${SAN_NAME:-none}" = none ]; then
	if ! "$top_builddir/libtool" --mode=execute "$VALGRIND" -q \
	    --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    "$prog" > /dev/null 2> "$tmp/vg"; then
		echo "FAIL: valgrind found problems"; cat "$tmp/vg"; fail=1
	fi
fi
exit $fail
