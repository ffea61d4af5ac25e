/* SPDX-License-Identifier: MIT */
/* A C type for the C-typed fields of lang.rtp, brought in by its
 * `include "lang_types.h";`. */
#ifndef LANG_TYPES_H
#define LANG_TYPES_H

struct lang_point {
	int x, y;
};

#endif
