# SPDX-License-Identifier: MIT
# rtactor.m4: Autoconf macros for programs that use rt, the actor runtime
# for C (librtactor), and its protocol compiler, rtgen.
# `make install` of rt puts it in PREFIX/share/aclocal. aclocal looks
# there only if that is its own directory (aclocal --print-ac-dir), is
# listed in its dirlist file, or is named in ACLOCAL_PATH
# (ACLOCAL_PATH=PREFIX/share/aclocal autoreconf -fi).
# Say m4_pattern_forbid([^RT_]) in configure.ac, so that autoconf stops
# and names RT_PROG_RTGEN when this file was not found, instead of leaving
# the macro unexpanded in configure without a word.
#
# The make rules that run rtgen are in rt's README ("Using rt from your own
# autotools project"). Keep their empty rule `%.rtp: ;`: without it, GNU
# make's built-in `%: %.c` may "remake" foo.rtp as `cc foo.rtp.c -o
# foo.rtp` (during make dist), and a failed link deletes foo.rtp.
#
# serial 1

# RT_PROG_RTGEN([ACTION-IF-FOUND], [ACTION-IF-NOT-FOUND])
# ---------------------------------------------------------
# Find rtgen and AC_SUBST it as RTGEN. In order: the RTGEN the user gave
# (./configure RTGEN=/path/to/rtgen), the rtgen that rtactor.pc names
# (pkg-config --variable=rtgen rtactor), then rtgen on the PATH. A
# candidate counts only if `rtgen --version` runs.
# Without ACTION-IF-NOT-FOUND, a missing rtgen is a configure error that
# says how to fix it.
AC_DEFUN([RT_PROG_RTGEN],
[AC_ARG_VAR([RTGEN], [rt protocol compiler, rtgen])dnl
rt_rtgen_pc=
rt_rtgen_path=
AS_IF([test -z "$RTGEN"],
  [AS_IF([test -z "$PKG_CONFIG"], [AC_PATH_TOOL([PKG_CONFIG], [pkg-config])])
   AS_IF([test -n "$PKG_CONFIG"],
     [rt_rtgen_pc=`$PKG_CONFIG --variable=rtgen rtactor 2>/dev/null`])
   AC_PATH_PROG([rt_rtgen_path], [rtgen])])
AC_MSG_CHECKING([for rtgen, the rt protocol compiler])
rt_rtgen_found=
for rt_rtgen_try in "$RTGEN" "$rt_rtgen_pc" "$rt_rtgen_path"; do
  AS_IF([test -n "$rt_rtgen_try" &&
         $rt_rtgen_try --version >/dev/null 2>&1],
    [rt_rtgen_found=$rt_rtgen_try; break])
  dnl A RTGEN the user gave is the only one tried.
  AS_IF([test -n "$RTGEN"], [break])
done
AS_IF([test -n "$rt_rtgen_found"],
  [RTGEN=$rt_rtgen_found
   AC_MSG_RESULT([$RTGEN])
   $1],
  [AC_MSG_RESULT([no])
   m4_default([$2],
     [AC_MSG_ERROR([rtgen, the protocol compiler of rt, was not found.
Install rt (Debian: build it from source; see its README), then put its
bin directory on PATH or its rtactor.pc on PKG_CONFIG_PATH, or give its
path: ./configure RTGEN=/path/to/rtgen])])])
AC_SUBST([RTGEN])dnl
])
