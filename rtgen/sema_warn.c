/* SPDX-License-Identifier: MIT */
/*
 * Warnings: what is legal but likely a mistake (an unused import, a topic
 * nobody can subscribe to, a message that can never be sent).
 */
#include "sema_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An import none of whose names are used is likely a leftover. */
void
sema_check_unused_imports(struct sema *s)
{
	const ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_IMPORT && d->imported != NULL && !d->used)
			diag_warning(s->d, d->name_loc,
			    "unused import '%s' "
			    "(nothing of protocol '%s' is used)",
			    d->file, d->imported->protocol->name);
}

/* Mark the messages `fields` holds by value as used. */
static void
mark_fields_used(struct symtab *used, const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (f->type.kind == AST_T_NAMED && f->type.target != NULL &&
		    f->type.target->kind == AST_D_MESSAGE)
			sema_symtab_put(used, f->type.target->name,
			    f->type.target);
}

/*
 * A message of this protocol that no actor accepts, that is no request's
 * reply, no topic's message and no field of anything can never be sent:
 * likely a mistake (a missing `accepts`), but not an unsafe one. A
 * protocol without actors, or one loaded by an import, is a library of
 * messages for others: its messages are for its importers to accept.
 */
void
sema_check_unused_messages(struct sema *s)
{
	struct symtab used = { .owns_keys = false };
	const ast_decl *d;

	if (s->unit->imported)
		return;
	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_ACTOR)
			break;
	if (d == NULL)
		return;
	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE) {
			mark_fields_used(&used, d->fields);
			if (d->reply != NULL && d->reply->target != NULL)
				sema_symtab_put(&used, d->reply->target->name,
				    d->reply->target);
		} else if (d->kind == AST_D_ACTOR) {
			if (d->state != NULL)
				mark_fields_used(&used, d->state->fields);
			if (d->init != NULL)
				mark_fields_used(&used, d->init->fields);
		} else if (d->kind == AST_D_TOPIC && d->carries != NULL &&
		    d->carries->target != NULL) {
			sema_symtab_put(&used, d->carries->target->name,
			    d->carries->target);
		}
	}
	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE &&
		    !ast_anyone_accepts(s->unit, d) &&
		    sema_symtab_get(&used, d->name) != d)
			diag_warning(s->d, d->name_loc,
			    "message '%s' can "
			    "never be sent: no actor accepts it, and it is no "
			    "reply, topic message or field",
			    d->name);
	sema_symtab_free(&used);
}
