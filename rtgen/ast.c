/* SPDX-License-Identifier: MIT */
/*
 * Construction and destruction of AST nodes, and the questions sema and
 * the emitters both ask of a checked unit. Nodes are plain malloc'd
 * structs in singly linked lists; the parser prepends to lists and reverses
 * them once complete, so building is linear whatever the input size.
 */
#include "ast.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ast_oom(void)
{
	fputs("rtgen: out of memory\n", stderr);
	abort();
}

void *
ast_xmalloc(size_t size)
{
	void *p = calloc(1, size == 0 ? 1 : size);

	if (p == NULL)
		ast_oom();
	return p;
}

void *
ast_xrealloc(void *p, size_t size)
{
	p = realloc(p, size == 0 ? 1 : size);
	if (p == NULL)
		ast_oom();
	return p;
}

void *
ast_xgrow(void *p, size_t *cap, size_t size)
{
	*cap = *cap == 0 ? 8 : 2 * *cap;
	return ast_xrealloc(p, *cap * size);
}

char *
ast_xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = ast_xmalloc(len);

	memcpy(p, s, len);
	return p;
}

ast_unit *
ast_unit_new(const char *path)
{
	ast_unit *unit = ast_xmalloc(sizeof(*unit));

	unit->path = ast_xstrdup(path);
	unit->tail = &unit->decls;
	unit->deps_tail = &unit->deps;
	return unit;
}

void
ast_unit_free(ast_unit *unit)
{
	ast_decl *d, *next;

	if (unit == NULL)
		return;
	for (d = unit->decls; d != NULL; d = next) {
		next = d->next;
		ast_decl_free(d);
	}
	free(unit->imports);
	ast_name_free_list(unit->deps);
	free(unit->path);
	free(unit);
}

const char *
ast_prefix(const ast_decl *d)
{
	return d->home->protocol->name;
}

ast_name *
ast_unit_add_dep(ast_unit *unit, const char *path, ast_loc loc)
{
	ast_name *n = ast_name_new(ast_xstrdup(path), loc);

	*unit->deps_tail = n;
	unit->deps_tail = &n->next;
	return n;
}

void
ast_unit_append(ast_unit *unit, ast_decl *decl)
{
	decl->next = NULL;
	*unit->tail = decl;
	unit->tail = &decl->next;
}

ast_decl *
ast_decl_new(enum ast_decl_kind kind, char *name, ast_loc loc, ast_loc name_loc)
{
	ast_decl *d = ast_xmalloc(sizeof(*d));

	d->kind = kind;
	d->name = name;
	d->loc = loc;
	d->name_loc = name_loc;
	return d;
}

ast_field *
ast_field_new(ast_type type, char *name, ast_loc loc)
{
	ast_field *f = ast_xmalloc(sizeof(*f));

	f->type = type;
	f->name = name;
	f->loc = loc;
	return f;
}

ast_name *
ast_name_new(char *name, ast_loc loc)
{
	ast_name *n = ast_xmalloc(sizeof(*n));

	n->name = name;
	n->loc = loc;
	return n;
}

ast_clause *
ast_clause_new(enum ast_clause_kind kind, ast_loc loc)
{
	ast_clause *c = ast_xmalloc(sizeof(*c));

	c->kind = kind;
	c->loc = loc;
	return c;
}

ast_arg *
ast_arg_new(char *name, ast_loc loc)
{
	ast_arg *a = ast_xmalloc(sizeof(*a));

	a->name = name;
	a->loc = loc;
	return a;
}

void
ast_arg_free_list(ast_arg *list)
{
	ast_arg *next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list->name);
		free(list->text);
		free(list);
	}
}

ast_arg *
ast_arg_reverse(ast_arg *list)
{
	ast_arg *done = NULL, *next;

	for (; list != NULL; list = next) {
		next = list->next;
		list->next = done;
		done = list;
	}
	return done;
}

void
ast_decl_free(ast_decl *decl)
{
	if (decl == NULL)
		return;
	free(decl->name);
	ast_field_free_list(decl->fields);
	ast_name_free_list(decl->reply);
	ast_name_free_list(decl->carries);
	ast_name_free_list(decl->values);
	ast_name_free_list(decl->member);
	ast_name_free_list(decl->route);
	ast_name_free_list(decl->route_field);
	free(decl->file);
	ast_clause_free_list(decl->clauses);
	free(decl->accepts);
	free(decl->accept_in);
	free(decl->accepts_sorted);
	free(decl->asks);
	free(decl->children);
	free(decl);
}

void
ast_field_free_list(ast_field *list)
{
	ast_field *next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list->type.name);
		free(list->type.qual);
		free(list->name);
		free(list);
	}
}

void
ast_name_free_list(ast_name *list)
{
	ast_name *next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list->name);
		free(list->qual);
		free(list);
	}
}

void
ast_clause_free_list(ast_clause *list)
{
	ast_clause *next;

	for (; list != NULL; list = next) {
		next = list->next;
		ast_name_free_list(list->names);
		ast_field_free_list(list->fields);
		ast_name_free_list(list->policy);
		ast_name_free_list(list->word);
		ast_name_free_list(list->word2);
		ast_name_free_list(list->subject);
		ast_name_free_list(list->child_of);
		ast_arg_free_list(list->args);
		free(list->dur.name);
		free(list->dur2.name);
		ast_name_free_list(list->probe_words);
		free(list->probe_every.name);
		free(list->probe_timeout.name);
		free(list);
	}
}

void
ast_child_probe(ast_clause *c, ast_clause *probe)
{
	if (probe == NULL)
		return;
	c->has_probe = true;
	c->probe_loc = probe->loc;
	c->probe_words = probe->names;
	c->probe_every = probe->dur;
	c->probe_timeout = probe->dur2;
	probe->names = NULL;
	probe->dur.name = NULL;
	probe->dur2.name = NULL;
	ast_clause_free_list(probe);
}

/* The three reversals differ only in their type; C has no generics. */
ast_field *
ast_field_reverse(ast_field *list)
{
	ast_field *prev = NULL, *next;

	for (; list != NULL; list = next) {
		next = list->next;
		list->next = prev;
		prev = list;
	}
	return prev;
}

ast_name *
ast_name_reverse(ast_name *list)
{
	ast_name *prev = NULL, *next;

	for (; list != NULL; list = next) {
		next = list->next;
		list->next = prev;
		prev = list;
	}
	return prev;
}

ast_clause *
ast_clause_reverse(ast_clause *list)
{
	ast_clause *prev = NULL, *next;

	for (; list != NULL; list = next) {
		next = list->next;
		list->next = prev;
		prev = list;
	}
	return prev;
}

static int
by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const ast_decl *const *)a;
	uintptr_t y = (uintptr_t)*(const ast_decl *const *)b;

	return x < y ? -1 : x > y;
}

void
ast_index_accepts(ast_decl *actor)
{
	size_t i;

	free(actor->accepts_sorted);
	actor->accepts_sorted = NULL;
	if (actor->naccepts == 0)
		return;
	actor->accepts_sorted = ast_xmalloc(actor->naccepts *
	    sizeof(*actor->accepts_sorted));
	for (i = 0; i < actor->naccepts; i++) {
		actor->accepts_sorted[i] = actor->accepts[i]->target;
		actor->accepts[i]->target->accepted = true;
	}
	qsort(actor->accepts_sorted, actor->naccepts,
	    sizeof(*actor->accepts_sorted), by_address);
}

bool
ast_accepts(const ast_decl *actor, const ast_decl *msg)
{
	size_t i;

	if (actor->accepts_sorted != NULL)
		return bsearch(&msg, actor->accepts_sorted, actor->naccepts,
			   sizeof(*actor->accepts_sorted), by_address) != NULL;
	for (i = 0; i < actor->naccepts; i++)
		if (actor->accepts[i]->target == msg)
			return true;
	return false;
}

bool
ast_anyone_accepts(const ast_unit *unit, const ast_decl *msg)
{
	(void)unit;
	return msg->accepted;
}

const ast_decl *
ast_nested(const ast_field *f)
{
	const ast_decl *t = f->type.target;

	return f->type.kind == AST_T_NAMED && t != NULL &&
		t->kind == AST_D_MESSAGE ?
	    t :
	    NULL;
}

bool
ast_fields_have(const ast_field *f, enum ast_type_kind kind)
{
	for (; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);

		if (f->type.kind == kind ||
		    (m != NULL && (m->deep & (1u << kind)) != 0))
			return true;
	}
	return false;
}

const char *
ast_type_keyword(enum ast_type_kind kind)
{
	switch (kind) {
	case AST_T_BOOL:
		return "bool";
	case AST_T_I8:
		return "i8";
	case AST_T_I16:
		return "i16";
	case AST_T_I32:
		return "i32";
	case AST_T_I64:
		return "i64";
	case AST_T_U8:
		return "u8";
	case AST_T_U16:
		return "u16";
	case AST_T_U32:
		return "u32";
	case AST_T_U64:
		return "u64";
	case AST_T_F32:
		return "f32";
	case AST_T_F64:
		return "f64";
	case AST_T_STRING:
		return "string";
	case AST_T_BYTES:
		return "bytes";
	case AST_T_REF:
		return "ref";
	case AST_T_CTYPE:
		return "c\"\"";
	case AST_T_NAMED:
		return "named";
	}
	return "?";
}

const char *
ast_clause_keyword(const ast_clause *c)
{
	switch (c->kind) {
	case AST_C_ACCEPTS:
		return "accepts";
	case AST_C_ASKS:
		return "asks";
	case AST_C_STATE:
		return "state";
	case AST_C_INIT:
		return "init";
	case AST_C_ON:
		return "on";
	case AST_C_MAILBOX:
		return "mailbox";
	case AST_C_FLAG:
		return c->names->name; /* the word itself */
	case AST_C_STATES:
	case AST_C_ACCEPT:
		return c->word->name; /* the word as written */
	case AST_C_STRATEGY:
		return "strategy";
	case AST_C_INTENSITY:
		return "intensity";
	case AST_C_BACKOFF:
		return "backoff";
	case AST_C_CHILD:
		return "child";
	case AST_C_TEMPLATE:
		return "template";
	}
	return "?";
}

const char *
ast_decl_keyword(enum ast_decl_kind kind)
{
	switch (kind) {
	case AST_D_PROTOCOL:
		return "protocol";
	case AST_D_MESSAGE:
		return "message";
	case AST_D_ACTOR:
		return "actor";
	case AST_D_TOPIC:
		return "topic";
	case AST_D_ENUM:
		return "enum";
	case AST_D_INCLUDE:
		return "include";
	case AST_D_IMPORT:
		return "import";
	case AST_D_SUPERVISOR:
		return "supervisor";
	case AST_D_POOL:
		return "pool";
	}
	return "?";
}

const char *
ast_overflow_keyword(enum ast_overflow policy)
{
	switch (policy) {
	case AST_OVERFLOW_BLOCK:
		return "block";
	case AST_OVERFLOW_DROP:
		return "drop";
	case AST_OVERFLOW_REJECT:
		return "reject";
	}
	return "?";
}

const char *
ast_restart_keyword(enum ast_restart restart)
{
	switch (restart) {
	case AST_RESTART_PERMANENT:
		return "permanent";
	case AST_RESTART_TRANSIENT:
		return "transient";
	case AST_RESTART_TEMPORARY:
		return "temporary";
	}
	return "?";
}

const char *
ast_strategy_keyword(enum ast_strategy strategy)
{
	switch (strategy) {
	case AST_STRATEGY_ONE_FOR_ONE:
		return "one_for_one";
	case AST_STRATEGY_ONE_FOR_ALL:
		return "one_for_all";
	case AST_STRATEGY_REST_FOR_ONE:
		return "rest_for_one";
	case AST_STRATEGY_SIMPLE_ONE_FOR_ONE:
		return "simple_one_for_one";
	}
	return "?";
}

const char *
ast_route_keyword(enum ast_route route)
{
	switch (route) {
	case AST_ROUTE_ROUND_ROBIN:
		return "round_robin";
	case AST_ROUTE_RANDOM:
		return "random";
	case AST_ROUTE_LEAST_LOADED:
		return "least_loaded";
	case AST_ROUTE_BROADCAST:
		return "broadcast";
	case AST_ROUTE_HASH:
		return "hash";
	}
	return "?";
}

const char *
ast_duration_text(char *buf, size_t size, uint64_t ns)
{
	static const struct {
		uint64_t scale;
		const char *unit;
	} units[] = { { UINT64_C(60000000000), "m" },
		{ UINT64_C(1000000000), "s" }, { UINT64_C(1000000), "ms" },
		{ UINT64_C(1000), "us" } };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (ns != 0 && ns % units[i].scale == 0) {
			snprintf(buf, size, "%" PRIu64 "%s",
			    ns / units[i].scale, units[i].unit);
			return buf;
		}
	if (ns == 0)
		snprintf(buf, size, "0s");
	else
		snprintf(buf, size, "%" PRIu64 "ns", ns);
	return buf;
}
