/* SPDX-License-Identifier: MIT */
/*
 * rt_strerror: names for the result codes, built from the same table as the
 * codes themselves (include/rt/error.h), so the two cannot drift apart and
 * -Wswitch notices a code without a text.
 */
#include <rt/error.h>

const char *
rt_strerror(int code)
{
	if (code == 0)
		return "success";
	if (code == RT_DEFER)
		return "reply deferred";
	if (code == RT_KILL)
		return "killed";
	switch ((enum rt_errno)code) {
#define RT_ERRNO_TEXT(name, value, text) \
	case RT_##name:                  \
		return text;
		RT_ERRNO_MAP(RT_ERRNO_TEXT)
#undef RT_ERRNO_TEXT
	}
	return "unknown error";
}
