/* SPDX-License-Identifier: MIT */
/*
 * Semantic checks (see sema.h): the protocol declaration, the names this
 * unit declares and imports, included files, and sema_check(), which runs
 * the checks of sema_int.h in order.
 */
#include "sema_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

/* The file of an include or import: a name that can go between the
 * quotes of a C #include, for a file that exists. */
static bool
check_file_name(struct sema *s, const ast_decl *d)
{
	const unsigned char *c;

	if (d->file[0] == '\0') {
		diag_error(s->d, d->name_loc, "empty file name in '%s'",
		    ast_decl_keyword(d->kind));
		return false;
	}
	for (c = (const unsigned char *)d->file; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '"' || *c == '\\') {
			diag_error(s->d, d->name_loc,
			    "a file name in '%s' "
			    "must not contain '\"', '\\' or control "
			    "characters",
			    ast_decl_keyword(d->kind));
			return false;
		}
	return true;
}

/* `include "h"`: the header must be found beside the .rtp or in a -I
 * directory, so that a typo shows here and not in the C compiler. */
static void
check_include(struct sema *s, const ast_decl *d)
{
	char *path;

	if (!check_file_name(s, d))
		return;
	path = loader_find(s->unit, d->file);
	if (path == NULL)
		diag_error(s->d, d->name_loc,
		    "included file '%s' not found "
		    "(looked beside the .rtp file%s)",
		    d->file,
		    s->unit->nsearch > 0 ? " and in the -I directories" : "");
	else
		ast_unit_add_dep(s->unit, path, d->name_loc);
	free(path);
}

/*
 * The imports: each file once, each protocol once and not this one; then
 * the names each declares, bare and qualified. The loader (loader.c) has
 * already reported what it could not load.
 */
static void
declare_imports(struct sema *s)
{
	ast_decl *d, *e;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		const ast_decl *prev;
		const char *proto;

		if (d->kind != AST_D_IMPORT || !check_file_name(s, d))
			continue;
		if (d->imported == NULL) {
			/* The loader reported why; without one (a caller that
			 * only parses and checks text), say it here, or the
			 * emitter would meet names that lead nowhere. */
			if (!s->unit->imports_resolved)
				diag_error(s->d, d->name_loc,
				    "'%s' cannot be "
				    "imported here: no imported file is loaded "
				    "when checking text alone",
				    d->file);
			s->import_failed = true;
			continue;
		}
		for (e = s->unit->decls; e != d; e = e->next)
			if (e->kind == AST_D_IMPORT &&
			    e->imported == d->imported)
				break;
		if (e != d) {
			diag_error(s->d, d->name_loc,
			    "'%s' is imported "
			    "twice",
			    d->file);
			diag_note(s->d, e->name_loc,
			    "it was first imported "
			    "here");
			d->imported = NULL;
			continue;
		}
		proto = d->imported->protocol->name;
		if (strcmp(proto, s->prefix) == 0) {
			diag_error(s->d, d->name_loc,
			    "'%s' declares protocol "
			    "'%s', the name of this protocol; the C names of "
			    "the two would collide",
			    d->file, proto);
			d->imported = NULL;
			continue;
		}
		prev = sema_symtab_put(&s->protos, proto, d);
		if (prev != NULL) {
			diag_error(s->d, d->name_loc,
			    "'%s' declares protocol "
			    "'%s', as '%s' does; the C names of the two would "
			    "collide",
			    d->file, proto, prev->file);
			diag_note(s->d, prev->name_loc,
			    "'%s' is imported "
			    "here",
			    prev->file);
			d->imported = NULL;
			continue;
		}
		for (e = d->imported->decls; e != NULL; e = e->next) {
			if (e->kind != AST_D_MESSAGE &&
			    e->kind != AST_D_ACTOR && e->kind != AST_D_ENUM &&
			    e->kind != AST_D_SUPERVISOR &&
			    e->kind != AST_D_POOL)
				continue;
			sema_symtab_put(&s->qualified,
			    sema_cname("%s.%s", proto, e->name), e);
			if (sema_symtab_put(&s->imported, e->name, e) != NULL)
				sema_symtab_put(&s->twice, e->name, e);
		}
	}
}

static void
check_protocol(struct sema *s)
{
	ast_decl *d, *first = NULL;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_PROTOCOL)
			continue;
		if (first != NULL) {
			diag_error(s->d, d->loc,
			    "duplicate 'protocol' "
			    "declaration (a file declares one protocol)");
			diag_note(s->d, first->loc,
			    "the protocol is declared "
			    "here");
			continue;
		}
		first = d;
		if (d != s->unit->decls)
			diag_error(s->d, d->loc,
			    "'protocol' must be the first "
			    "declaration");
		if (sema_bad_underscores(d->name, true)) {
			sema_check_decl_name(s, d);
		} else if (strcmp(d->name, "rt") == 0 ||
		    strcmp(d->name, "rti") == 0 || strcmp(d->name, "RT") == 0) {
			diag_error(s->d, d->name_loc,
			    "protocol name '%s' is "
			    "reserved for the runtime",
			    d->name);
		}
	}
	if (first == NULL) {
		ast_loc start = { 1, 1, 1, 1 };

		diag_error(s->d,
		    s->unit->decls != NULL ? s->unit->decls->loc : start,
		    "missing 'protocol' "
		    "declaration (the file must begin with 'protocol NAME;')");
	}
	s->unit->protocol = first;
	s->prefix = first != NULL ? first->name : "";
}

static void
declare(struct sema *s)
{
	uint32_t tag = 1;
	ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		const ast_decl *prev;

		if (d->kind == AST_D_PROTOCOL || d->kind == AST_D_INCLUDE ||
		    d->kind == AST_D_IMPORT)
			continue;
		if (d->kind == AST_D_MESSAGE)
			d->tag = tag++;
		d->home = s->unit;
		sema_check_decl_name(s, d);
		prev = sema_symtab_put(&s->decls, d->name, d);
		if (prev != NULL) {
			diag_error(s->d, d->name_loc,
			    "'%s' is already "
			    "declared (as %s %s)",
			    d->name, sema_article(prev->kind),
			    ast_decl_keyword(prev->kind));
			diag_note(s->d, prev->name_loc,
			    "'%s' was first "
			    "declared here",
			    d->name);
		}
	}
}

/* Mark the messages of this protocol that are the reply of one of its
 * requests or the message of one of its topics, so that the emitter asks
 * in constant time rather than scanning every declaration for each
 * message. A name that did not resolve marks nothing. */
static void
mark_replies_and_published(struct sema *s)
{
	ast_decl *d, *m;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE && d->reply != NULL)
			m = d->reply->target;
		else if (d->kind == AST_D_TOPIC && d->carries != NULL)
			m = d->carries->target;
		else
			continue;
		if (m == NULL || m->kind != AST_D_MESSAGE || m->home != s->unit)
			continue;
		if (d->kind == AST_D_MESSAGE)
			m->is_reply = true;
		else
			m->published = true;
	}
}

unsigned
sema_check(ast_unit *unit, diag *d)
{
	struct sema s = { .unit = unit, .d = d };
	unsigned before = d->errors;
	ast_decl *decl;

	s.qualified.owns_keys = true;
	check_protocol(&s);
	declare(&s);
	declare_imports(&s);
	for (decl = unit->decls; decl != NULL; decl = decl->next) {
		if (decl->kind == AST_D_MESSAGE) {
			sema_check_fields(&s, decl->fields, "message",
			    decl->name);
			if (decl->reply != NULL)
				sema_resolve_message(&s, decl->reply,
				    "the reply of a request must be a message");
		} else if (decl->kind == AST_D_ACTOR) {
			sema_check_actor(&s, decl);
		} else if (decl->kind == AST_D_ENUM) {
			sema_check_enum(&s, decl);
		} else if (decl->kind == AST_D_INCLUDE) {
			check_include(&s, decl);
		} else if (decl->kind == AST_D_SUPERVISOR) {
			sema_check_supervisor(&s, decl);
		}
	}
	/* What follows looks into nested messages: cycles first. */
	sema_check_cycles(&s);
	sema_check_sup_cycles(&s);
	sema_check_probes(&s);
	for (decl = unit->decls; decl != NULL; decl = decl->next)
		if (decl->kind == AST_D_TOPIC)
			sema_check_topic(&s, decl);
	for (decl = unit->decls; decl != NULL; decl = decl->next)
		if (decl->kind == AST_D_ACTOR) {
			sema_check_asked(&s, decl);
			sema_check_remote(&s, decl);
		} else if (decl->kind == AST_D_TOPIC) {
			sema_check_subscribers(&s, decl);
		} else if (decl->kind == AST_D_POOL) {
			sema_check_pool(&s, decl);
		}
	mark_replies_and_published(&s);
	sema_check_unused_imports(&s);
	if (d->errors == before)
		sema_check_unused_messages(&s);
	if (d->errors == before)
		sema_check_cnames(&s);
	sema_symtab_free(&s.decls);
	sema_symtab_free(&s.imported);
	sema_symtab_free(&s.twice);
	sema_symtab_free(&s.qualified);
	sema_symtab_free(&s.protos);
	return d->errors - before;
}
