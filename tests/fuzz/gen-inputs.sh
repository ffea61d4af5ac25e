#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-inputs.sh DIR: write into DIR the large inputs of the fuzz corpus,
# too big to keep in the tree: a 1 MB protocol that compiles, 10,000
# repeated and 10,000 nested declarations, deep brace nesting, a megabyte
# of one line, of stray bytes and of one identifier, and large files that
# end inside a comment or a string. replay.sh replays them; `make fuzz`
# starts from them too.
set -eu
dir=$1
mkdir -p "$dir"

# About 1 MB that compiles: messages with every simple field type, actors
# that accept and ask them, topics. Few actors: the header poisons every
# send an actor does not have, so its size grows with actors x messages.
awk 'BEGIN {
	print "protocol big;"
	for (i = 0; i < 14000; i++)
		printf "message M%d { u32 a; string b; bytes c; ref<A%d> d; f64 e; }\n", i, i % 5
	for (i = 0; i < 5; i++)
		printf "message Q%d -> M%d { u64 id; }\n", i, i
	for (i = 0; i < 5; i++) {
		printf "actor A%d {\n    accepts Q%d", i, i
		for (j = i; j < 14000; j += 5)
			printf ", M%d", j
		printf ";\n    asks Q%d;\n    state { u64 n; ref<A%d> next; }\n", (i + 1) % 5, (i + 1) % 5
		printf "    init { u32 id; }\n    mailbox %d overflow drop;\n    on start, stop;\n}\n", i + 1
	}
	for (i = 0; i < 5; i++)
		printf "topic t%d : M%d;\n", i, i
}' >"$dir/big-1mb.rtp"

# 10,000 declarations of one name.
awk 'BEGIN { print "protocol p;"; for (i = 0; i < 10000; i++) print "message M { u32 x; }" }' \
    >"$dir/repeated-10000.rtp"
# 10,000 declarations nested in each other (not in the language: errors).
awk 'BEGIN { print "protocol p;"; for (i = 0; i < 10000; i++) printf "actor A%d { ", i
	for (i = 0; i < 10000; i++) printf "} "; print "" }' >"$dir/nested-10000.rtp"
awk 'BEGIN { print "protocol p;"; for (i = 0; i < 10000; i++) printf "message M%d { ", i
	for (i = 0; i < 10000; i++) printf "u8 x; } "; print "" }' >"$dir/nested-messages-10000.rtp"
# 200,000 open braces, bare and after a message head.
awk 'BEGIN { s = "{{{{{{{{{{"; for (i = 0; i < 20000; i++) printf "%s", s; print "" }' \
    >"$dir/braces-200k.rtp"
awk 'BEGIN { printf "protocol p; message M "; s = "{{{{{{{{{{"; for (i = 0; i < 20000; i++) printf "%s", s; print "" }' \
    >"$dir/message-braces-200k.rtp"
# A megabyte on one line, of stray bytes, of one identifier.
awk 'BEGIN { printf "protocol p;"; for (i = 0; i < 50000; i++) printf " message M%d {}", i; print "" }' \
    >"$dir/one-line-1mb.rtp"
awk 'BEGIN { printf "protocol p;\n"; for (i = 0; i < 100000; i++) printf "@#$%%^&?!~`"; print "" }' \
    >"$dir/stray-1mb.rtp"
awk 'BEGIN { printf "protocol p;\nmessage "; for (i = 0; i < 100000; i++) printf "Abcdefghij"; print " {}" }' \
    >"$dir/identifier-1mb.rtp"
# Large files that end inside a comment, a string or a C type.
{ cat "$dir/big-1mb.rtp"; printf '/* never closed\nmessage X {}\n'; } \
    >"$dir/unterminated-comment-1mb.rtp"
{ cat "$dir/big-1mb.rtp"; printf 'message X { c"char * u8 x; }\n'; } \
    >"$dir/unterminated-ctype-1mb.rtp"
{ cat "$dir/big-1mb.rtp"; printf 'protocol "'; } >"$dir/unterminated-string-1mb.rtp"
# Runs of NUL bytes: bare, in a block comment, a line comment, a C type.
# flex rescanned a token from its start at each NUL in it, so each of
# these took minutes (a megabyte of them, hours).
head -c 1000000 /dev/zero >"$dir/nul-1mb.rtp"
{ printf 'protocol p;\n/* '; head -c 300000 /dev/zero; } >"$dir/nul-in-comment.rtp"
{ printf 'protocol p;\n// '; head -c 300000 /dev/zero; } >"$dir/nul-in-line-comment.rtp"
{ printf 'protocol p;\nmessage M { c"'; head -c 300000 /dev/zero; } >"$dir/nul-in-ctype.rtp"
# 10,000 unknown names, each close to a known one ("did you mean").
awk 'BEGIN { print "protocol p;"; for (i = 0; i < 10000; i++) printf "message Message%d {}\n", i
	print "actor A {"; for (i = 0; i < 10000; i++) printf "  accepts Mesage%d;\n", i; print "}" }' \
    >"$dir/unknown-names-10000.rtp"
