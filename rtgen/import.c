/* SPDX-License-Identifier: MIT */
/*
 * Finding included and imported files (see import.h).
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir + "/" + name, or name alone when dir is empty (caller frees). */
static char *
join_path(const char *dir, size_t dirlen, const char *name)
{
	size_t nlen = strlen(name);
	char *p = ast_xmalloc(dirlen + nlen + 2);

	memcpy(p, dir, dirlen);
	if (dirlen > 0 && dir[dirlen - 1] != '/')
		p[dirlen++] = '/';
	memcpy(p + dirlen, name, nlen + 1);
	return p;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
import_find(const ast_unit *unit, const char *name)
{
	const char *slash = strrchr(unit->path, '/');
	char *p;
	size_t i;

	if (name[0] == '/')
		return is_file(name) ? ast_xstrdup(name) : NULL;
	p = join_path(unit->path, slash != NULL ?
	    (size_t)(slash - unit->path) : 0, name);
	if (is_file(p))
		return p;
	free(p);
	for (i = 0; i < unit->nsearch; i++) {
		p = join_path(unit->search[i], strlen(unit->search[i]), name);
		if (is_file(p))
			return p;
		free(p);
	}
	return NULL;
}
