/* SPDX-License-Identifier: MIT */
/*
 * Semantic checks of pools, `pool W : K size N route R intensity I within
 * D;` (sema_int.h): the member kind is an actor without an `init` (members
 * are started without arguments), the size is 1 to RTGEN_POOL_MAX, the
 * route is known, and `hash(field)` names a field that every message the
 * kind accepts has, of a type that hashes (integers, bool, enums, strings,
 * bytes, refs: see "Pools" in doc/design-notes.md). The intensity is a
 * supervisor's; left out, it is 3 restarts per member within 5 s.
 */
#include "sema_int.h"

#include <inttypes.h>
#include <string.h>

/* The largest pool: a supervisor's table holds its members, and the
 * generated spec lists each. */
#define RTGEN_POOL_MAX 65536

static const char *const route_names[] = { "round_robin", "random",
	"least_loaded", "broadcast", "hash" };

#define NROUTES (sizeof(route_names) / sizeof(*route_names))

/* The member kind: an actor, here or imported, without an init block;
 * NULL after reporting. */
static ast_decl *
member_kind(struct sema *s, const ast_decl *pool)
{
	ast_name *n = pool->member;
	bool reported;
	ast_decl *d = sema_lookup(s, n->qual, n->qual_loc, n->name, n->loc,
	    AST_D_ACTOR, &reported);
	char buf[256];

	if (reported || (d == NULL && s->import_failed))
		return NULL;
	if (d == NULL) {
		diag_error(s->d, n->loc,
		    "unknown actor '%s' (the members "
		    "of a pool are actors)%s",
		    n->name,
		    sema_did_you_mean(buf, sizeof(buf),
			sema_closest_decl(s, AST_D_ACTOR, n->name)));
		return NULL;
	}
	if (d->kind != AST_D_ACTOR) {
		diag_error(s->d, n->loc,
		    "'%s' is %s %s; the members of a pool "
		    "are actors",
		    n->name, sema_article(d->kind), ast_decl_keyword(d->kind));
		sema_note_decl(s, d, "'%s' is declared here", n->name);
		return NULL;
	}
	if (d->init != NULL) {
		diag_error(s->d, n->loc,
		    "actor '%s' has an 'init' block; "
		    "the members of a pool are started without arguments",
		    n->name);
		sema_note_decl(s, d, "'%s' is declared here", n->name);
		return NULL;
	}
	n->target = d;
	return d;
}

/* Can a field of type t be hashed? Integers, bool and enums by value,
 * strings and bytes by their bytes, refs by identity; not reals (0.0 and
 * -0.0 are equal, NaN is not itself), C types, arrays or messages. */
static bool
hashable(const ast_type *t)
{
	if (t->array)
		return false;
	switch (t->kind) {
	case AST_T_BOOL:
	case AST_T_I8:
	case AST_T_I16:
	case AST_T_I32:
	case AST_T_I64:
	case AST_T_U8:
	case AST_T_U16:
	case AST_T_U32:
	case AST_T_U64:
	case AST_T_STRING:
	case AST_T_BYTES:
	case AST_T_REF:
		return true;
	case AST_T_NAMED:
		return t->target != NULL && t->target->kind == AST_D_ENUM;
	case AST_T_F32:
	case AST_T_F64:
	case AST_T_CTYPE:
		return false;
	}
	return false;
}

/* The field of message m named `name`, or NULL. */
static const ast_field *
field_named(const ast_decl *m, const char *name)
{
	const ast_field *f;

	for (f = m->fields; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* hash(field): in every message the kind accepts, and hashable. */
static void
check_hash_field(struct sema *s, const ast_decl *pool, const ast_decl *kind)
{
	const ast_name *f = pool->route_field;
	size_t i;

	for (i = 0; i < kind->naccepts; i++) {
		const ast_decl *m = kind->accepts[i]->target;
		const ast_field *field;

		if (m == NULL)
			continue;
		field = field_named(m, f->name);
		if (field == NULL) {
			diag_error(s->d, f->loc,
			    "message '%s', which '%s' "
			    "accepts, has no field '%s' to hash",
			    m->name, kind->name, f->name);
			sema_note_decl(s, m, "'%s' is declared here", m->name);
		} else if (ast_type_failed(&field->type)) {
			continue;
		} else if (!hashable(&field->type)) {
			diag_error(s->d, f->loc,
			    "field '%s' of message '%s' "
			    "cannot be hashed (integers, bool, enums, strings, "
			    "bytes and refs can)",
			    f->name, m->name);
			sema_note_decl(s, m, "'%s' is declared here", m->name);
		}
	}
}

void
sema_check_pool(struct sema *s, ast_decl *pool)
{
	const ast_clause *c;
	ast_decl *kind = member_kind(s, pool);
	size_t r;

	if (pool->size == 0 || pool->size > RTGEN_POOL_MAX)
		diag_error(s->d, pool->size_loc,
		    "a pool's size must be 1 to %d "
		    "members, not %" PRIu64,
		    RTGEN_POOL_MAX, pool->size);
	r = sema_named(s, pool->route, route_names, NROUTES, "route",
	    "routes are round_robin, random, least_loaded, broadcast and "
	    "hash(field)");
	if (r < NROUTES)
		pool->route_kind = (enum ast_route)r;
	if (r == AST_ROUTE_HASH && pool->route_field == NULL)
		diag_error(s->d, pool->route->loc,
		    "route 'hash' needs the field "
		    "to hash: 'hash(field)'");
	else if (r < NROUTES && r != AST_ROUTE_HASH &&
	    pool->route_field != NULL)
		diag_error(s->d, pool->route_field->loc,
		    "route '%s' takes no field "
		    "(only 'hash(field)' does)",
		    route_names[r]);
	else if (r == AST_ROUTE_HASH && kind != NULL)
		check_hash_field(s, pool, kind);
	/* Members fail on their own: the default allows each member the
	 * restarts a supervisor's child gets (3 within 5 s). */
	pool->intensity = pool->size <= RTGEN_POOL_MAX ?
	    3 * (uint32_t)pool->size :
	    3;
	pool->period = UINT64_C(5000000000);
	for (c = pool->clauses; c != NULL; c = c->next)
		if (c->kind == AST_C_INTENSITY)
			sema_check_intensity(s, pool, c);
}
