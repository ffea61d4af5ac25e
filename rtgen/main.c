/* SPDX-License-Identifier: MIT */
/* rtgen, the protocol compiler of rt: everything is in rtgen_main(). */
#include <stdio.h>

#include "rtgen.h"

int
main(int argc, char **argv)
{
	return rtgen_main(argc, argv, stdout, stderr);
}
