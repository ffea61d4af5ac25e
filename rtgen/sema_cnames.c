/* SPDX-License-Identifier: MIT */
/*
 * Generated C names: every C identifier the emitter will declare for the
 * unit, so that two declarations that would declare the same one (actor
 * `A` and message `A_ref` both make `P_A_ref`) are rejected, as is a
 * declaration whose C name is a send, call, ask or subscription the
 * header poisons. It runs only when everything else is clean, as
 * duplicates would be reported twice.
 *
 * The wire codecs of the messages that cross nodes add names of their own
 * (emit_c_wire.h): those of the protocol's messages and remote kinds are
 * claimed like the rest; those of an imported message whose codec is
 * static in this source, and the helpers the codecs share, are only
 * looked up, as no declaration owns them.
 */
#include "sema_int.h"
#include "emit_c_poison.h"
#include "emit_c_wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- generated C names ---------------------------------------------- */

static void
claim(struct sema *s, struct symtab *names, char *name, const ast_decl *d)
{
	const ast_decl *prev = sema_symtab_get(names, name);

	if (prev == NULL) {
		sema_symtab_put(names, name, d);
		return;
	}
	if (d->home != s->unit) {
		/* Two imported protocols: report it at the second import. */
		const ast_decl *i;

		for (i = s->unit->decls; i != NULL; i = i->next)
			if (i->kind == AST_D_IMPORT && i->imported == d->home)
				break;
		diag_error(s->d, i->name_loc,
		    "%s '%s.%s' and %s '%s.%s' "
		    "would both declare the C name '%s'",
		    ast_decl_keyword(d->kind), ast_prefix(d), d->name,
		    ast_decl_keyword(prev->kind), ast_prefix(prev), prev->name,
		    name);
		free(name);
		return;
	}
	diag_error(s->d, d->name_loc,
	    "%s '%s' and %s '%s%s%s' would both "
	    "declare the C name '%s'",
	    ast_decl_keyword(d->kind), d->name, ast_decl_keyword(prev->kind),
	    prev->home != s->unit ? ast_prefix(prev) : "",
	    prev->home != s->unit ? "." : "", prev->name, name);
	sema_note_decl(s, prev, "%s '%s' is declared here",
	    ast_decl_keyword(prev->kind), prev->name);
	free(name);
}

/* Does actor a accept a message named `name`, of this protocol or of an
 * import? (The header poisons a name only when it accepts none.) */
static bool
accepts_name(struct sema *s, const ast_decl *a, const char *name)
{
	const ast_decl *m = sema_symtab_get(&s->decls, name);

	if (m != NULL && ast_accepts(a, m))
		return true;
	m = sema_symtab_get(&s->imported, name);
	if (m != NULL && ast_accepts(a, m))
		return true;
	m = sema_symtab_get(&s->twice, name);
	return m != NULL && ast_accepts(a, m);
}

/* Is `key` (claimed by `owner`), split at `at` where "_verb_" of kind k
 * (emit_c_poison.h) starts, a name the header poisons? Report it and
 * return true if so. */
static bool
poisoned(struct sema *s, const char *key, const ast_decl *owner, const char *at,
    enum emit_poison_kind k)
{
	const struct emit_poison *pn = &emit_poisons[k];
	bool requests = pn->of == EMIT_POISON_OF_REQUEST;
	bool topics = pn->of == EMIT_POISON_OF_TOPIC;
	size_t plen = strlen(s->prefix), vlen = strlen(pn->verb) + 2;
	size_t mlen = strlen(at + vlen), slen = strlen(pn->suffix);
	const ast_decl *a, *m, *t = NULL;
	char *aname, *mname;
	const char *why;

	if (mlen <= slen || strcmp(at + vlen + mlen - slen, pn->suffix) != 0)
		return false;
	aname = sema_cname("%.*s", (int)((size_t)(at - key) - plen - 1),
	    key + plen + 1);
	mname = sema_cname("%.*s", (int)(mlen - slen), at + vlen);
	a = sema_symtab_get(&s->decls, aname);
	m = sema_symtab_get(&s->decls, mname);
	if (m == NULL)
		m = sema_symtab_get(&s->imported, mname);
	free(aname);
	free(mname);
	if (m != NULL && topics && m->kind == AST_D_TOPIC) {
		t = m;
		m = t->carries->target;
	}
	if (a == NULL || m == NULL || a->kind != AST_D_ACTOR ||
	    m->kind != AST_D_MESSAGE || topics != (t != NULL) ||
	    (requests && m->reply == NULL))
		return false;
	if (!accepts_name(s, a, m->name))
		why = "does not accept";
	else if (k == EMIT_POISON_SEND_EVERY && sema_has_ctype(m))
		why = "has no periodic send (C-typed fields) of";
	else
		return false;
	diag_error(s->d, owner->name_loc,
	    "%s '%s' would declare the C name "
	    "'%s', which the header poisons because actor '%s' %s %s "
	    "'%s'%s%s%s",
	    ast_decl_keyword(owner->kind), owner->name, key, a->name, why,
	    requests ? "request" : "message", m->name,
	    t != NULL ? ", which topic '" : "", t != NULL ? t->name : "",
	    t != NULL ? "' carries" : "");
	return true;
}

/* A declared C name that reads as a send, call, ask or subscription that
 * the header poisons (see emit_c_poison.h) would be an error in the
 * generated code. */
static void
check_poisoned(struct sema *s, const struct symtab *names)
{
	size_t plen = strlen(s->prefix), i, j;
	char verbs[EMIT_POISON_KINDS][32];

	/* "_send_": each verb as it stands between the actor and M. */
	for (j = 0; j < EMIT_POISON_KINDS; j++)
		snprintf(verbs[j], sizeof(verbs[j]), "_%s_",
		    emit_poisons[j].verb);
	for (i = 0; i < names->cap; i++) {
		const char *key = names->slots[i].key, *p;

		if (key == NULL)
			continue;
		for (j = 0; j < EMIT_POISON_KINDS; j++) {
			for (p = strstr(key + plen, verbs[j]); p != NULL;
			    p = strstr(p + 1, verbs[j])) {
				if (p - key <= (ptrdiff_t)plen)
					continue;
				/* One report per name is enough. */
				if (poisoned(s, key, names->slots[i].val, p,
					(enum emit_poison_kind)j))
					goto next;
			}
		}
next:;
	}
}

/* The names of an actor's functions for one message M: P_A<infix>M<suffix>.
 * Those of a message it accepts (the last three only for a request), and
 * those of a request it asks. */
struct cform {
	const char *infix, *suffix;
};

static const struct cform accepted_forms[] = { { "_send_", "" },
	{ "_send_", "_opt" }, { "_on_", "" }, { "_TAG_", "" },
	{ "_expect_", "" }, { "_call_", "" }, { "_ask_", "" },
	{ "_serve_", "" } };
static const struct cform asked_forms[] = { { "_on_", "_reply" },
	{ "_TAG_", "_reply" } };

static void
claim_forms(struct sema *s, struct symtab *names, const ast_decl *d,
    const char *m, const struct cform *forms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		claim(s, names,
		    sema_cname("%s_%s%s%s%s", s->prefix, d->name,
			forms[i].infix, m, forms[i].suffix),
		    d);
}

/* A topic T's names: P_T_topic, P_T_publish, and P_A_subscribe_T and
 * P_A_unsubscribe_T of each actor A that accepts its message. */
static void
claim_topic(struct sema *s, struct symtab *names, const ast_decl *t)
{
	const ast_decl *a;

	claim(s, names, sema_cname("%s_%s_topic", s->prefix, t->name), t);
	claim(s, names, sema_cname("%s_%s_publish", s->prefix, t->name), t);
	for (a = s->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR ||
		    !ast_accepts(a, t->carries->target))
			continue;
		claim(s, names,
		    sema_cname("%s_%s_subscribe_%s", s->prefix, a->name,
			t->name),
		    t);
		claim(s, names,
		    sema_cname("%s_%s_unsubscribe_%s", s->prefix, a->name,
			t->name),
		    t);
	}
}

/* A supervisor S's names: P_S_ref, P_S_spec, P_S_start, its table of
 * children, its management calls, P_S_start_child when it is
 * simple_one_for_one, and for each child c its lookup P_S_c and the static
 * P_S_c_args of its arguments. */
static void
claim_supervisor(struct sema *s, struct symtab *names, const ast_decl *sup)
{
	static const char *const sup_names[] = { "_ref", "_spec", "_start",
		"_children", "_terminate_child", "_restart_child",
		"_which_children" };
	const char *p = s->prefix;
	size_t i;

	for (i = 0; i < sizeof(sup_names) / sizeof(*sup_names); i++)
		claim(s, names,
		    sema_cname("%s_%s%s", p, sup->name, sup_names[i]), sup);
	if (sup->strategy == AST_STRATEGY_SIMPLE_ONE_FOR_ONE) {
		claim(s, names, sema_cname("%s_%s_start_child", p, sup->name),
		    sup);
		return;
	}
	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];

		claim(s, names,
		    sema_cname("%s_%s_%s", p, sup->name, c->names->name), sup);
		if (c->args != NULL)
			claim(s, names,
			    sema_cname("%s_%s_%s_args", p, sup->name,
				c->names->name),
			    sup);
	}
}

/* The state machine of an actor A with `states`: P_A_state_t,
 * P_A_become, P_A_current and P_A_<STATE> for each state. */
static void
claim_states(struct sema *s, struct symtab *names, const ast_decl *a)
{
	static const char *const fsm_names[] = { "_state_t", "_become",
		"_current" };
	const ast_name *v;
	size_t i;

	for (i = 0; i < sizeof(fsm_names) / sizeof(*fsm_names); i++)
		claim(s, names,
		    sema_cname("%s_%s%s", s->prefix, a->name, fsm_names[i]), a);
	for (v = a->states->names; v != NULL; v = v->next) {
		char *u = sema_upper(v->name);

		claim(s, names, sema_cname("%s_%s_%s", s->prefix, a->name, u),
		    a);
		free(u);
	}
}

/* A pool W's names: P_W_ref, P_W_spec, P_W_pool, P_W_start, P_W_member,
 * its table of members, and P_W_send_M for each message M its member
 * kind accepts, with P_W_call_M and P_W_ask_M for a request unless it
 * broadcasts. */
static void
claim_pool(struct sema *s, struct symtab *names, const ast_decl *w)
{
	static const char *const pool_names[] = { "_ref", "_spec", "_pool",
		"_start", "_member", "_children" };
	const ast_decl *k = w->member->target;
	const char *p = s->prefix;
	size_t i;

	for (i = 0; i < sizeof(pool_names) / sizeof(*pool_names); i++)
		claim(s, names,
		    sema_cname("%s_%s%s", p, w->name, pool_names[i]), w);
	for (i = 0; k != NULL && i < k->naccepts; i++) {
		const ast_name *m = k->accepts[i];

		claim(s, names,
		    sema_cname("%s_%s_send_%s", p, w->name, m->name), w);
		if (m->target->reply == NULL ||
		    w->route_kind == AST_ROUTE_BROADCAST)
			continue;
		claim(s, names,
		    sema_cname("%s_%s_call_%s", p, w->name, m->name), w);
		claim(s, names, sema_cname("%s_%s_ask_%s", p, w->name, m->name),
		    w);
	}
}

/* The header poisons P_S_start_child of a supervisor S that is not
 * simple_one_for_one: no declaration may have that name. */
static void
check_start_child(struct sema *s, const struct symtab *names)
{
	const ast_decl *d, *owner;
	char *name;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_SUPERVISOR ||
		    d->strategy == AST_STRATEGY_SIMPLE_ONE_FOR_ONE)
			continue;
		name = sema_cname("%s_%s_start_child", s->prefix, d->name);
		owner = sema_symtab_get(names, name);
		if (owner != NULL)
			diag_error(s->d, owner->name_loc,
			    "%s '%s' would "
			    "declare the C name '%s', which the header poisons "
			    "because supervisor '%s' is not simple_one_for_one",
			    ast_decl_keyword(owner->kind), owner->name, name,
			    d->name);
		free(name);
	}
}

/* The wire codecs would declare `name` (owned), which `owner` declares
 * already: report it at the remote clause of the first remote kind. */
static void
wire_taken(struct sema *s, const struct symtab *names, char *name,
    const ast_decl *remote)
{
	const ast_decl *owner = sema_symtab_get(names, name);

	if (owner != NULL) {
		diag_error(s->d, remote->remote->loc,
		    "the wire codecs of protocol '%s' would declare the C "
		    "name '%s', which %s '%s%s%s' declares",
		    s->prefix, name, ast_decl_keyword(owner->kind),
		    owner->home != s->unit ? ast_prefix(owner) : "",
		    owner->home != s->unit ? "." : "", owner->name);
		sema_note_decl(s, owner, "%s '%s' is declared here",
		    ast_decl_keyword(owner->kind), owner->name);
	}
	free(name);
}

/* The names of the wire codecs: a remote kind's, those of each message
 * whose codec this source defines, and the helpers they share. */
static void
claim_wire(struct sema *s, struct symtab *names)
{
	const ast_decl *d, *remote = NULL, **codecs;
	size_t n, i, j;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ACTOR || d->remote == NULL)
			continue;
		if (remote == NULL)
			remote = d;
		for (j = 0; j < EMIT_WIRE_ACTOR_NAMES; j++)
			claim(s, names,
			    sema_cname("%s_%s%s", s->prefix, d->name,
				emit_wire_actor_names[j]),
			    d);
	}
	if (remote == NULL)
		return;
	codecs = emit_wire_codecs(s->unit, &n);
	for (i = 0; i < n; i++)
		for (j = 0; j < EMIT_WIRE_MSG_NAMES; j++) {
			char *name = sema_cname("%s_%s%s",
			    ast_prefix(codecs[i]), codecs[i]->name,
			    emit_wire_msg_names[j]);

			if (codecs[i]->home == s->unit)
				claim(s, names, name, codecs[i]);
			else
				wire_taken(s, names, name, remote);
		}
	if (n > 0)
		for (j = 0; j < EMIT_WIRE_HELPER_NAMES; j++)
			wire_taken(s, names,
			    sema_cname("%s_%s", s->prefix,
				emit_wire_helper_names[j]),
			    remote);
	free(codecs);
}

void
sema_check_cnames(struct sema *s)
{
	static const char *const actor_names[] = { "", "_ref", "_args", "_tag",
		"_class", "_spawn", "_dispatch", "_tag_names", "_start_thunk",
		"_stop_thunk", "_down_thunk", "_args_extra", "_args_copy",
		"_args_place", "_on_start", "_on_stop", "_on_down", "_asks",
		"_register", "_whereis", "_probe", "_probe_copy",
		"_probe_equal", "_probe_kind" };
	static const char *const message_names[] = { "", "_ID", "_extra",
		"_copy", "_place", "_clone", "_env", "_print", "_equal" };
	struct symtab names = { .owns_keys = true };
	const char *p = s->prefix;
	ast_decl *d;
	size_t i;

	/* The types of the imports, which this unit's header includes: a
	 * message b_M of protocol a and a message M of protocol a_b are both
	 * a_b_M. */
	for (i = 0; i < s->unit->nimports; i++) {
		const ast_unit *u = s->unit->imports[i];

		for (d = u->decls; d != NULL; d = d->next)
			if (d->kind == AST_D_MESSAGE ||
			    d->kind == AST_D_ACTOR || d->kind == AST_D_ENUM ||
			    d->kind == AST_D_SUPERVISOR ||
			    d->kind == AST_D_POOL)
				claim(s, &names,
				    sema_cname("%s_%s%s", u->protocol->name,
					d->name,
					d->kind == AST_D_ACTOR ||
						d->kind == AST_D_SUPERVISOR ||
						d->kind == AST_D_POOL ?
					    "_ref" :
					    ""),
				    d);
	}
	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE) {
			for (i = 0;
			    i < sizeof(message_names) / sizeof(*message_names);
			    i++)
				claim(s, &names,
				    sema_cname("%s_%s%s", p, d->name,
					message_names[i]),
				    d);
			if (d->reply != NULL) {
				claim(s, &names,
				    sema_cname("%s_%s_request_desc", p,
					d->name),
				    d);
				claim(s, &names,
				    sema_cname("%s_reply_%s", p, d->name), d);
			}
		} else if (d->kind == AST_D_ACTOR) {
			for (i = 0;
			    i < sizeof(actor_names) / sizeof(*actor_names); i++)
				claim(s, &names,
				    sema_cname("%s_%s%s", p, d->name,
					actor_names[i]),
				    d);
			for (i = 0; i < d->naccepts; i++) {
				const ast_name *m = d->accepts[i];

				claim_forms(s, &names, d, m->name,
				    accepted_forms,
				    m->target->reply != NULL ? 8 : 5);
			}
			for (i = 0; i < d->nasks; i++)
				claim_forms(s, &names, d, d->asks[i]->name,
				    asked_forms, 2);
			if (d->states != NULL)
				claim_states(s, &names, d);
		} else if (d->kind == AST_D_TOPIC) {
			claim_topic(s, &names, d);
		} else if (d->kind == AST_D_SUPERVISOR) {
			claim_supervisor(s, &names, d);
		} else if (d->kind == AST_D_POOL) {
			claim_pool(s, &names, d);
		} else if (d->kind == AST_D_ENUM) {
			const ast_name *v;

			claim(s, &names, sema_cname("%s_%s", p, d->name), d);
			claim(s, &names, sema_cname("%s_%s_name", p, d->name),
			    d);
			for (v = d->values; v != NULL; v = v->next) {
				char *u = sema_upper(v->name);

				claim(s, &names,
				    sema_cname("%s_%s_%s", p, d->name, u), d);
				free(u);
			}
		}
	}
	claim_wire(s, &names);
	check_poisoned(s, &names);
	check_start_child(s, &names);
	sema_symtab_free(&names);
}
