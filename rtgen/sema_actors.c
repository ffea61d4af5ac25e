/* SPDX-License-Identifier: MIT */
/*
 * Actors and topics: the messages of `accepts` and `asks`, hooks,
 * mailboxes, duplicate clauses, requests nobody can answer, and what a
 * topic can carry.
 */
#include "sema_int.h"
#include "canon.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In the order of enum ast_hook's bits. */
static const char *const hook_names[] = { "start", "stop", "down", "io",
	"health" };

/* The overflow policies, in the order of enum ast_overflow. */
static const char *const policy_names[] = { "block", "drop", "reject" };

/* The largest mailbox bound: what an int counts. */
#define MAILBOX_MAX UINT64_C(2147483647)

/* How one name-list clause of messages reads in its errors. */
struct list_clause {
	const char *keyword; /* "accepts" */
	const char *noun;    /* what it takes: "message" */
	const char *done;    /* "accepted" */
};

static const struct list_clause accepts_clause = { "accepts", "message",
	"accepted" };
static const struct list_clause asks_clause = { "asks", "request", "asked" };

/* Append n to a growing array of names. */
static void
push_name(ast_name ***list, size_t *len, size_t *cap, ast_name *n)
{
	if (*len == *cap) {
		*cap = *cap == 0 ? 8 : 2 * *cap;
		*list = ast_xrealloc(*list, *cap * sizeof(**list));
	}
	(*list)[(*len)++] = n;
}

/* The messages of an `accepts` or `asks` clause (`k`), resolved and
 * appended to *list unless listed before in the actor (`seen`). */
static void
check_message_list(struct sema *s, ast_decl *actor, ast_clause *c,
    const struct list_clause *k, struct symtab *seen, ast_name ***list,
    size_t *len, size_t *cap)
{
	char takes[64];
	ast_name *n;

	snprintf(takes, sizeof(takes), "'%s' takes %ss", k->keyword, k->noun);
	for (n = c->names; n != NULL; n = n->next) {
		const ast_decl *m = sema_resolve_message(s, n, takes);
		const ast_name *prev;

		if (m == NULL)
			continue;
		if (k == &asks_clause && m->reply == NULL) {
			diag_error(s->d, n->loc,
			    "'%s' is not a request "
			    "(declare it 'message %s -> R')",
			    n->name, n->name);
			sema_note_decl(s, m, "'%s' is declared here", m->name);
			continue;
		}
		prev = sema_symtab_put(seen, n->name, n);
		if (prev != NULL && prev->target != m) {
			/* shop.Order and common.Order: one P_A_send_Order. */
			diag_error(s->d, n->loc,
			    "actor '%s' %s two %ss named "
			    "'%s' (from protocols '%s' and '%s'); their "
			    "functions would have the same C names",
			    actor->name, k->keyword, k->noun, n->name,
			    ast_prefix(prev->target), ast_prefix(m));
			diag_note(s->d, prev->loc, "the first is %s here",
			    k->done);
			continue;
		}
		if (prev != NULL) {
			diag_error(s->d, n->loc, "actor '%s' %s %s '%s' twice",
			    actor->name, k->keyword, k->noun, n->name);
			diag_note(s->d, prev->loc, "'%s' was first %s here",
			    n->name, k->done);
			continue;
		}
		push_name(list, len, cap, n);
	}
}

static void
check_hooks(struct sema *s, ast_decl *actor, ast_clause *c)
{
	const ast_name *seen[sizeof(hook_names) / sizeof(*hook_names)] = {
		NULL
	};
	const size_t nhooks = sizeof(hook_names) / sizeof(*hook_names);
	char buf[256];
	ast_name *n;
	size_t i;

	for (n = c->names; n != NULL; n = n->next) {
		for (i = 0; i < nhooks; i++)
			if (strcmp(n->name, hook_names[i]) == 0)
				break;
		if (i == nhooks) {
			const char *near = sema_closest(hook_names, nhooks,
			    n->name);

			diag_error(s->d, n->loc, "unknown hook '%s'%s%s",
			    n->name, sema_did_you_mean(buf, sizeof(buf), near),
			    near == NULL ? " (hooks are start, stop, down, "
					   "io and health)" :
					   "");
			continue;
		}
		if (seen[i] != NULL) {
			diag_error(s->d, n->loc, "hook '%s' is listed twice",
			    n->name);
			diag_note(s->d, seen[i]->loc,
			    "'%s' was first listed "
			    "here",
			    n->name);
			continue;
		}
		seen[i] = n;
		actor->hooks |= 1u << i;
	}
}

static void
check_mailbox(struct sema *s, ast_decl *actor, const ast_clause *c)
{
	const size_t npolicies = sizeof(policy_names) / sizeof(*policy_names);
	char buf[256];
	size_t i;

	if (c->unbounded)
		return;
	if (c->bound == 0)
		diag_error(s->d, c->bound_loc,
		    "a bounded mailbox needs room "
		    "for at least one message; write 'mailbox unbounded;' for "
		    "no bound");
	else if (c->bound > MAILBOX_MAX)
		diag_error(s->d, c->bound_loc,
		    "mailbox bound %llu is too "
		    "large (the limit is %llu messages)",
		    (unsigned long long)c->bound,
		    (unsigned long long)MAILBOX_MAX);
	else
		actor->mailbox_bound = (uint32_t)c->bound;
	if (c->policy == NULL)
		return;
	for (i = 0; i < npolicies; i++)
		if (strcmp(c->policy->name, policy_names[i]) == 0)
			break;
	if (i == npolicies) {
		const char *near = sema_closest(policy_names, npolicies,
		    c->policy->name);

		diag_error(s->d, c->policy->loc,
		    "unknown overflow policy "
		    "'%s'%s%s",
		    c->policy->name, sema_did_you_mean(buf, sizeof(buf), near),
		    near == NULL ? " (policies are block, "
				   "drop and reject)" :
				   "");
		return;
	}
	actor->overflow = (enum ast_overflow)i;
}

/* The one-word clauses of an actor. */
static const char *const flag_names[] = { "thread", "remote" };

/* Where clause c (AST_C_FLAG) goes in the actor, or NULL when it is no
 * known word (said why). */
static ast_clause **
flag_slot(struct sema *s, ast_decl *actor, const ast_clause *c)
{
	const size_t n = sizeof(flag_names) / sizeof(*flag_names);

	if (strcmp(c->names->name, "thread") == 0)
		return &actor->thread;
	if (strcmp(c->names->name, "remote") == 0)
		return &actor->remote;
	if (sema_states_word(s, c->names->name, c->loc))
		return NULL;
	sema_unknown_clause(s, actor, c->names->name, c->loc, flag_names, n);
	return NULL;
}

void
sema_unknown_clause(struct sema *s, const ast_decl *actor, const char *word,
    ast_loc loc, const char *const *cands, size_t n)
{
	const char *near = sema_closest(cands, n, word);
	char buf[256];

	diag_error(s->d, loc, "unknown clause '%s' in actor '%s'%s%s", word,
	    actor->name, sema_did_you_mean(buf, sizeof(buf), near),
	    near == NULL ? " (an actor's clauses are accepts, asks, state, "
			   "init, on, mailbox, states, accept, thread and "
			   "remote)" :
			   "");
}

void
sema_check_actor(struct sema *s, ast_decl *actor)
{
	struct symtab accepted = { 0 }, asked = { 0 };
	ast_clause *c, *on = NULL;
	size_t cap = 0, askcap = 0;

	for (c = actor->clauses; c != NULL; c = c->next) {
		ast_clause **slotp = NULL;

		switch (c->kind) {
		case AST_C_ACCEPTS:
			check_message_list(s, actor, c, &accepts_clause,
			    &accepted, &actor->accepts, &actor->naccepts, &cap);
			continue;
		case AST_C_ASKS:
			check_message_list(s, actor, c, &asks_clause, &asked,
			    &actor->asks, &actor->nasks, &askcap);
			continue;
		case AST_C_STATE:
			slotp = &actor->state;
			break;
		case AST_C_INIT:
			slotp = &actor->init;
			break;
		case AST_C_ON:
			slotp = &on;
			break;
		case AST_C_MAILBOX:
			slotp = &actor->mailbox;
			break;
		case AST_C_FLAG:
			if ((slotp = flag_slot(s, actor, c)) == NULL)
				continue;
			break;
		case AST_C_STATES:
			if (!sema_states_clause(s, actor, c))
				continue;
			slotp = &actor->states;
			break;
		case AST_C_ACCEPT:
			continue; /* once accepts are known (sema_states.c) */
		case AST_C_STRATEGY:
		case AST_C_INTENSITY:
		case AST_C_BACKOFF:
		case AST_C_CHILD:
		case AST_C_TEMPLATE:
			continue; /* the grammar keeps them in supervisors */
		}
		if (*slotp != NULL) {
			diag_error(s->d, c->loc,
			    "duplicate '%s' clause in "
			    "actor '%s'",
			    ast_clause_keyword(c), actor->name);
			diag_note(s->d, (*slotp)->loc,
			    "the first '%s' clause "
			    "is here",
			    ast_clause_keyword(c));
			continue;
		}
		*slotp = c;
		if (c->kind == AST_C_ON)
			check_hooks(s, actor, c);
		else if (c->kind == AST_C_MAILBOX)
			check_mailbox(s, actor, c);
		else if (c->kind == AST_C_STATE || c->kind == AST_C_INIT)
			sema_check_fields(s, c->fields,
			    c->kind == AST_C_STATE ? "the state of actor" :
						     "the init of actor",
			    actor->name);
	}
	ast_index_accepts(actor);
	sema_check_states(s, actor);
	sema_symtab_free(&accepted);
	sema_symtab_free(&asked);
}

/* Does an actor of this unit, of the unit that declares m or of an
 * import accept m? */
static bool
accepted_anywhere(struct sema *s, const ast_decl *m)
{
	size_t i;

	if (ast_anyone_accepts(s->unit, m) || ast_anyone_accepts(m->home, m))
		return true;
	for (i = 0; i < s->unit->nimports; i++)
		if (ast_anyone_accepts(s->unit->imports[i], m))
			return true;
	return false;
}

/* A request nobody accepts could never be answered: asking it is an error
 * (it needs every actor's accepts resolved). */
void
sema_check_asked(struct sema *s, const ast_decl *actor)
{
	size_t i;

	for (i = 0; i < actor->nasks; i++) {
		const ast_name *n = actor->asks[i];

		if (!accepted_anywhere(s, n->target))
			diag_error(s->d, n->loc,
			    "actor '%s' asks '%s', but "
			    "no actor accepts '%s'",
			    actor->name, n->name, n->name);
	}
}

/*
 * The first C-typed field of m or of a message nested in it, depth first,
 * and in `*holder` the message that declares it; NULL when there is none.
 * Cycles were cut by sema_check_cycles.
 */
static const ast_field *
ctype_field(const ast_decl *m, const ast_decl **holder)
{
	const ast_field *f;

	if (!(m->deep & (1u << AST_T_CTYPE)))
		return NULL;
	for (f = m->fields; f != NULL; f = f->next) {
		const ast_decl *t = ast_nested(f);
		const ast_field *in;

		if (f->type.kind == AST_T_CTYPE) {
			*holder = m;
			return f;
		}
		if (t != NULL && (in = ctype_field(t, holder)) != NULL)
			return in;
	}
	return NULL;
}

/*
 * The first ref field of m or of a message nested in it, depth first, that
 * names an actor kind that is not remote, and in `*holder` the message
 * that declares it; NULL when there is none. Only for a message whose
 * canonical text fits (canon.h): the text has a part for every field this
 * search can visit, so the search is as bounded as the text.
 */
static const ast_field *
local_ref_field(const ast_decl *m, const ast_decl **holder)
{
	const ast_field *f;

	if (!(m->deep & (1u << AST_T_REF)))
		return NULL;
	for (f = m->fields; f != NULL; f = f->next) {
		const ast_decl *t = ast_nested(f), *a = f->type.target;
		const ast_field *in;

		if (f->type.kind == AST_T_REF && a != NULL &&
		    a->kind == AST_D_ACTOR && a->remote == NULL) {
			*holder = m;
			return f;
		}
		if (t != NULL && (in = local_ref_field(t, holder)) != NULL)
			return in;
	}
	return NULL;
}

/* What a field found in m is reached through, for the end of an error:
 * "remote actor 'A' accepts 'M' from other nodes", after "'M' holds 'H',
 * and " when the field is in a message H nested in M; or "'R' answers
 * 'Q', which remote actor 'A' accepts from other nodes" for a reply. */
static void
wire_path(char *buf, size_t size, const ast_decl *actor, const ast_decl *m,
    const ast_decl *holder, const ast_decl *request)
{
	char via[256] = "";

	if (holder != m)
		snprintf(via, sizeof(via), "'%s' holds '%s', and ", m->name,
		    holder->name);
	if (request != NULL)
		snprintf(buf, size,
		    "%s'%s' answers '%s', which remote actor '%s' "
		    "accepts from other nodes",
		    via, m->name, request->name, actor->name);
	else
		snprintf(buf, size,
		    "%sremote actor '%s' accepts '%s' from other nodes", via,
		    actor->name, m->name);
}

/*
 * One message that a remote actor's messages carry across nodes (what it
 * accepts, named at `at`, or the reply to it): refuse a C type in it, at
 * the field; a definition too long for a fingerprint (canon.h); and a ref
 * to a kind that is not remote, which the other node could not send to,
 * as only a remote kind has codecs for what it accepts.
 */
static void
check_wire(struct sema *s, const ast_decl *actor, const ast_decl *m,
    const ast_decl *request, const ast_name *at)
{
	const ast_decl *holder = NULL;
	const ast_field *f = ctype_field(m, &holder);
	char path[1024];
	char *text;

	if (f != NULL) {
		wire_path(path, sizeof(path), actor, m, holder, request);
		diag_error(s->d, f->type.name_loc,
		    "field '%s' of '%s' has the C type '%s', which has no "
		    "form on the wire; %s",
		    f->name, holder->name, f->type.name, path);
		diag_note(s->d, actor->remote->loc, "'%s' is made remote here",
		    actor->name);
	}
	text = canon_message(m, NULL);
	if (text == NULL) {
		if (request != NULL)
			diag_error(s->d, at->loc,
			    "'%s', the reply of '%s', is too large to cross "
			    "the wire: its definition, with nested messages "
			    "written out, is longer than %d bytes",
			    m->name, request->name, CANON_MAX);
		else
			diag_error(s->d, at->loc,
			    "'%s' is too large to cross the wire: its "
			    "definition, with nested messages written out, is "
			    "longer than %d bytes",
			    m->name, CANON_MAX);
		diag_note(s->d, actor->remote->loc, "'%s' is made remote here",
		    actor->name);
		return;
	}
	free(text);
	f = local_ref_field(m, &holder);
	if (f == NULL)
		return;
	wire_path(path, sizeof(path), actor, m, holder, request);
	diag_error(s->d, f->type.name_loc,
	    "field '%s' of '%s' is a ref to actor '%s', which is not "
	    "remote: other nodes could not send to it; %s",
	    f->name, holder->name, f->type.name, path);
	diag_note(s->d, actor->remote->loc, "'%s' is made remote here",
	    actor->name);
}

/* A remote actor's messages and their replies cross nodes: none may hold
 * a C type or a ref to a kind that is not remote (it needs every
 * message's `deep`, after sema_check_cycles). */
void
sema_check_remote(struct sema *s, const ast_decl *actor)
{
	size_t i;

	if (actor->remote == NULL)
		return;
	for (i = 0; i < actor->naccepts; i++) {
		const ast_name *n = actor->accepts[i];
		const ast_decl *m = n->target;

		if (m == NULL)
			continue;
		check_wire(s, actor, m, NULL, n);
		if (m->reply != NULL && m->reply->target != NULL)
			check_wire(s, actor, m->reply->target, m, n);
	}
}

/* Does m have a C-typed field, directly or in a nested message? */
bool
sema_has_ctype(const ast_decl *m)
{
	return ast_fields_have(m->fields, AST_T_CTYPE);
}

/* The message of a topic: a plain message (a published request would
 * have nowhere to send its reply) without C-typed fields (all subscribers
 * share one copy, so none could own what such a field holds). One it
 * cannot carry is left unresolved, so that later checks pass over it. */
void
sema_check_topic(struct sema *s, ast_decl *t)
{
	const ast_decl *m = sema_resolve_message(s, t->carries,
	    "a topic carries messages");

	if (m == NULL)
		return;
	if (m->reply != NULL || sema_has_ctype(m))
		t->carries->target = NULL;
	if (m->reply != NULL) {
		diag_error(s->d, t->carries->loc,
		    "'%s' is a request; a topic "
		    "carries messages, not requests (a published request "
		    "could not be answered)",
		    m->name);
		sema_note_decl(s, m, "'%s' is declared here", m->name);
	} else if (sema_has_ctype(m)) {
		diag_error(s->d, t->carries->loc,
		    "'%s' has C-typed fields; a "
		    "topic cannot carry it (its subscribers share one copy, "
		    "so none of them could own what such a field holds)",
		    m->name);
		sema_note_decl(s, m, "'%s' is declared here", m->name);
	}
}

/* A topic whose message no actor accepts can be published, but nothing
 * can subscribe to it: likely a mistake, but not an unsafe one. */
void
sema_check_subscribers(struct sema *s, const ast_decl *t)
{
	const ast_name *m = t->carries;

	if (m->target != NULL && !ast_anyone_accepts(s->unit, m->target))
		diag_warning(s->d, t->name_loc,
		    "topic '%s' has no possible "
		    "subscriber: no actor accepts '%s'",
		    t->name, m->name);
}
