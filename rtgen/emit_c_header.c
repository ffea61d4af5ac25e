/* SPDX-License-Identifier: MIT */
/*
 * The header half of the C emitter: the types, prototypes and
 * type-checking macros of a protocol, in the order emit_c.c's opening
 * comment gives, and the poisoned names of what does not exist.
 */
#include "emit_c_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rt/version.h>

/* ---- the header ------------------------------------------------------ */

static void
guard_name(struct emit *e)
{
	const char *base = strrchr(e->o->src_path, '/'), *s;

	base = base != NULL ? base + 1 : e->o->src_path;
	if (!((*base >= 'A' && *base <= 'Z') || (*base >= 'a' && *base <= 'z')))
		emit_out(e, "RTGEN_");
	for (s = base; *s != '\0'; s++) {
		char c = *s;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		emit_put(e, &c, 1);
	}
	emit_out(e, "_H");
}

/* The typed refs of the declarations of `kind`, after `comment`. */
static void
header_refs(struct emit *e, enum ast_decl_kind kind, const char *comment)
{
	const ast_decl *d;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != kind)
			continue;
		if (!any)
			emit_out(e, "%s", comment);
		any = true;
		emit_out(e, "typedef struct %s_%s_ref {\n"
		    "\trt_ref ref;\n} %s_%s_ref;\n", e->p, d->name, e->p,
		    d->name);
	}
	if (any)
		emit_out(e, "\n");
}

static void
header_refs_and_tags(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	header_refs(e, AST_D_ACTOR, "/*\n * References to actors, one type "
	    "per actor kind so that they do not convert\n * into each other. "
	    "A zeroed one names no actor.\n */\n");
	header_refs(e, AST_D_SUPERVISOR, "/* References to supervisors, one "
	    "type per supervisor. */\n");
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_out(e, "/*\n * Message ids: the number of "
			    "each message in the protocol, in\n"
			    " * declaration order, for P_message_names. "
			    "Envelopes do not carry\n * them: they carry the "
			    "dispatch tags of the actor kind they are for\n"
			    " * (enum P_A_tag below).\n */\nenum {\n");
		else
			emit_out(e, ",\n");
		any = true;
		emit_out(e, "\t%s_%s_ID = %lu", e->p, d->name,
		    (unsigned long)d->tag);
	}
	if (any)
		emit_out(e, "\n};\n\n");
}

/* The enums, each with the function that names its values. */
static void
header_enums(struct emit *e)
{
	const ast_decl *d;
	const ast_name *v;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		unsigned long i = 0;

		if (d->kind != AST_D_ENUM)
			continue;
		if (!any)
			emit_out(e, "/* Enums. P_E_name(v) is the .rtp name of "
			    "v, or NULL when v is none of\n"
			    " * E's values. */\n");
		any = true;
		emit_src(e, &d->name_loc);
		emit_out(e, "typedef enum %s_%s {\n", e->p, d->name);
		for (v = d->values; v != NULL; v = v->next, i++) {
			const char *c;

			emit_src(e, &v->loc);
			emit_out(e, "\t%s_%s_", e->p, d->name);
			for (c = v->name; *c != '\0'; c++)
				emit_out(e, "%c", *c >= 'a' && *c <= 'z' ?
				    *c - 'a' + 'A' : *c);
			emit_out(e, " = %lu%s\n", i,
			    v->next != NULL ? "," : "");
		}
		emit_out(e, "} %s_%s;\n", e->p, d->name);
		emit_gen(e);
		emit_out(e, "const char *%s_%s_name(%s_%s v);\n", e->p, d->name,
		    e->p, d->name);
	}
	if (any)
		emit_out(e, "\n");
}

/* The struct of message d, after those of the messages it nests (C needs
 * a struct complete before it holds one by value). */
static void
header_message(struct emit *e, const ast_decl *d)
{
	const ast_field *f;
	char name[512];

	/* An imported message's struct is in its own protocol's header. */
	if (d->home != e->unit || !emit_pset_add(&e->done, d))
		return;
	for (f = d->fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL)
			header_message(e, ast_nested(f));
	snprintf(name, sizeof(name), "%s_%s", e->p, d->name);
	if (ast_fields_have(d->fields, AST_T_CTYPE)) {
		emit_gen(e);
		emit_out(e, "/*\n * %s: a send copies its C-typed fields "
		    "by value. A pointer in one\n * moves to the "
		    "receiver when the send returns 0, and stays the "
		    "caller's\n * when it returns an error. A message "
		    "that becomes a dead letter\n * reaches the "
		    "dead-letter hook (rt_config) with its payload\n"
		    " * (rt_dead_letter.msg), where the pointee can be "
		    "freed.\n */\n", name);
	}
	emit_src(e, &d->name_loc);
	emit_struct_def(e, name, d->fields);
}

static void
header_messages(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_out(e, "/* Messages. */\n");
		any = true;
		header_message(e, d);
	}
	emit_pset_clear(&e->done);
	if (!any)
		return;
	emit_gen(e);
	emit_out(e, "\n/*\n * Printers, for logs and crash reports: P_M_print "
	    "writes *m to f on one\n * line as M{field=value, ...}: "
	    "strings quoted and escaped, bytes as\n * their length and "
	    "first bytes in hex, enums by name, arrays in [],\n * refs as "
	    "<ref> and C-typed fields as <c>. P_message_names[P_M_ID]\n"
	    " * is \"M\" (entry 0 is NULL).\n */\n");
	emit_out(e, "extern const char *const %s_message_names[];\n", e->p);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		emit_out(e, "void %s_%s_print(FILE *f, const %s_%s "
		    "*m);\n", e->p,
		    d->name, e->p, d->name);
	}
	emit_out(e, "\n");
}

/*
 * A type-checking macro of the same name as the function `name`: its
 * parameters are `lead` ("to, "), passed on as `lead_args` ("(to), "),
 * then `arg`, which must point to a `type` (type * or const type *, or
 * a void * such as NULL when `nullable`), then `params` (", opts"),
 * passed on as `args` (", (opts)"). When `arg` comes last it is the
 * macro's `...`, so that a compound literal with commas in it, as in
 * &(P_M){ 1, 2 }, is still one argument.
 */
void
emit_checked_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const char *type,
    bool nullable, const char *params, const char *args)
{
	char tail[2048];

	if (*params == 0)
		arg = "__VA_ARGS__";
	emit_out(e, "#define %s(%s%s%s) \\\n", name, lead,
	    *params == 0 ? "..." : arg, params);
	emit_out(e, "\t(%s)(%s_Generic((%s), \\\n", name, lead_args, arg);
	snprintf(tail, sizeof(tail), "%s *: (%s), const %s *: (%s)%s%s%s)%s)",
	    type, arg, type, arg, nullable ? ", void *: (" : "",
	    nullable ? arg : "", nullable ? ")" : "", args);
	emit_macro_lines(e, tail);
}

/* emit_checked_macro() for an argument that points to message m, which
 * may be NULL when m has no fields. */
static void
checked_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const ast_decl *m,
    const char *params, const char *args)
{
	char type[512];

	snprintf(type, sizeof(type), "%s_%s", ast_prefix(m), m->name);
	emit_checked_macro(e, name, lead, lead_args, arg, type,
	    m->fields == NULL, params, args);
}

/* The descriptors of the requests and their deferred replies. */
static void
header_requests(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		if (!any)
			emit_out(e, "/*\n * Requests: a message M -> R is "
			    "answered with an R. P_M_request_desc\n * "
			    "describes it to the runtime. P_reply_M answers a "
			    "request whose\n * handler deferred its reply "
			    "(took rt_reply_defer(ctx) and returned\n * "
			    "RT_DEFER): it borrows reply (strings and bytes "
			    "are copied) and uses\n * up the token. Returns 0, "
			    "RT_ENOENT (answered before), RT_ENOMEM, or\n * "
			    "RT_EINVAL (a zeroed token; a NULL reply when R "
			    "has fields, or bad\n * bytes: the token is then "
			    "left unused).\n */\n");
		any = true;
		emit_out(e, "extern const rt_request %s_%s_request_desc;\n",
		    e->p, d->name);
		emit_wrapped(e, "int %s_reply_%s(rt_reply_token t, const %s_%s "
		    "*reply);\n", e->p, d->name, ast_prefix(emit_reply_of(d)),
		    emit_reply_of(d)->name);
	}
	if (!any)
		return;
	emit_out(e, "#ifndef __cplusplus\n/* Make a reply of the wrong type a "
	    "hard error. */\n");
	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		char name[512];

		snprintf(name, sizeof(name), "%s_reply_%s", e->p, d->name);
		checked_macro(e, name, "t, ", "(t), ", "reply",
		    emit_reply_of(d), "", "");
	}
	emit_out(e, "#endif\n\n");
}

/*
 * The type-checking macro of A's send of m, or of a twin: `suffix` is ""
 * for the send, else "_opt", "_after" or "_every"; `params` and `args` are
 * the twin's parameters after msg (", opts") and how the macro passes them
 * on (", (opts)").
 */
static void
send_macro(struct emit *e, const ast_decl *a, const ast_decl *m,
    const char *suffix, const char *params, const char *args)
{
	char name[512];

	snprintf(name, sizeof(name), "%s_%s_send_%s%s", e->p, a->name,
	    m->name, suffix);
	checked_macro(e, name, "to, ", "(to), ", "msg", m, params, args);
}

/* The type-checking macros of A's call and ask of request m: the reply of
 * a call is checked too (NULL is allowed only for a reply without
 * fields). */
static void
request_macros(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = emit_reply_of(m);
	char name[512], args[512];

	snprintf(name, sizeof(name), "%s_%s_call_%s", e->p, a->name, m->name);
	snprintf(args, sizeof(args), ", _Generic((reply), %s_%s *: (reply)%s), "
	    "(timeout)", ast_prefix(r), r->name, r->fields != NULL ? "" :
	    ", void *: (reply)");
	checked_macro(e, name, "sys, to, ", "(sys), (to), ", "req", m,
	    ", reply, timeout", args);
	snprintf(name, sizeof(name), "%s_%s_ask_%s", e->p, a->name, m->name);
	checked_macro(e, name, "ctx, to, ", "(ctx), (to), ", "req", m,
	    ", timeout", ", (timeout)");
}

/* What a full mailbox does (include/rt/protocol.h), as an item of the
 * actors' comment. */
static const char *
overflow_text(enum ast_overflow policy)
{
	switch (policy) {
	case AST_OVERFLOW_BLOCK:
		return " * - overflow block: a plain thread's send waits for "
		    "room (with\n *   rt_send_opts.timeout > 0, at most that "
		    "long, then RT_ETIMEDOUT);\n *   an actor's send is "
		    "accepted, and the sending actor is not run again\n"
		    " *   until the mailbox drains below its bound.\n";
	case AST_OVERFLOW_DROP:
		return " * - overflow drop: a message sent to it is dropped "
		    "and counted as a dead\n *   letter, and the send returns "
		    "0.\n";
	case AST_OVERFLOW_REJECT:
		return " * - overflow reject: a send returns RT_EFULL.\n";
	}
	return "";
}

/* Do the args or a message A accepts have a bytes field? */
static bool
bytes_fields(const ast_decl *a)
{
	size_t i;

	if (a->init != NULL && emit_has_bytes(a->init->fields))
		return true;
	for (i = 0; i < a->naccepts; i++)
		if (emit_has_bytes(a->accepts[i]->target->fields))
			return true;
	return false;
}

/* Does A accept a request? */
static bool
accepts_requests(const ast_decl *a)
{
	size_t i;

	for (i = 0; i < a->naccepts; i++)
		if (emit_reply_of(a->accepts[i]->target) != NULL)
			return true;
	return false;
}

/* How the calls, asks and handlers of requests work, for the actors'
 * comment when an actor accepts some. */
static const char requests_text[] =
    " * A request M -> R that an actor accepts can also be called or asked\n"
    " * (req as msg above). P_A_call_M, for a thread that is not an actor,\n"
    " * waits at most timeout (RT_FOREVER: no limit) for the reply, copied\n"
    " * to *reply (its strings and bytes stay valid until the thread's next\n"
    " * call), and returns 0, RT_ETIMEDOUT or the request's error\n"
    " * (RT_ENOACTOR: the actor stopped or crashed first); reply may be NULL\n"
    " * only when R has no fields (else RT_EINVAL). P_A_ask_M, from a\n"
    " * handler of an actor that `asks M`, returns at once a correlation id\n"
    " * (> 0) or a negative RT_E* code; the answer comes to that actor's\n"
    " * on_M_reply. The handler of a request fills *reply (zeroed before it\n"
    " * runs) and returns 0, or takes rt_reply_defer(ctx), returns RT_DEFER\n"
    " * and answers later with P_reply_M. A request that is sent, not called\n"
    " * or asked, runs the same handler and its reply is dropped.\n";

/* How the answers to asks arrive, for the actors' comment when an actor
 * asks. */
static const char asks_text[] =
    " * An actor that asks M gets each answer in its P_A_on_M_reply, with\n"
    " * the id P_X_ask_M returned and a status: 0 with the reply (valid\n"
    " * while the handler runs), or RT_ETIMEDOUT, RT_ENOACTOR, RT_EFULL, ...\n"
    " * with reply NULL. Each ask that returned an id is answered exactly\n"
    " * once.\n";

/* What every actor of a header has, for the actors' comment. */
static const char actors_text[] =
    "/*\n"
    " * Actors. Each actor kind A has its state P_A, spawn arguments\n"
    " * P_A_args, dispatch tags P_A_TAG_M (enum P_A_tag: the messages it\n"
    " * accepts, then the replies to its asks), its class and functions that\n"
    " * return 0 or a negative RT_E* code. P_A_spawn copies args (NULL: all\n"
    " * zero) and stores the new ref in *out (out may be NULL). In a handler\n"
    " * of A, P_A_self(ctx) is its own ref. P_A_register and P_A_whereis name\n"
    " * it in the registry (_whereis: RT_ETYPE for another kind's name).\n"
    " * P_A_send_M queues a copy of msg (borrowed: strings are copied before\n"
    " * it returns) and returns RT_EINVAL for a NULL msg when M has fields.\n"
    " * P_A_send_M_opt also takes rt_send_opts (priority, ttl, timeout; NULL:\n"
    " * the defaults, as the plain send) and returns RT_EINVAL for bad ones;\n"
    " * _after sends once after delay, _every every period (rt/timer.h). In\n"
    " * C, a macro of the same name makes a message of the wrong type a hard\n"
    " * error (a compound literal with commas needs parentheses, except in a\n"
    " * plain send). The user writes the handlers: P_A_on_M, and those of the\n"
    " * hooks A has.\n";

/* The comment on all the actors of the unit, before the first: what they
 * all have, then what only some of them have. */
static void
header_actors_text(struct emit *e)
{
	bool bytes = false, ctype = false, requests = false, asks = false;
	bool policy[3] = { false, false, false };
	const ast_decl *a;
	size_t i;

	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR)
			continue;
		bytes = bytes || bytes_fields(a);
		ctype = ctype || (a->init != NULL &&
		    emit_has_kind(a->init->fields, AST_T_CTYPE));
		requests = requests || accepts_requests(a);
		asks = asks || a->nasks > 0;
		if (a->mailbox_bound != 0)
			policy[a->overflow] = true;
	}
	emit_out(e, "%s", actors_text);
	if (bytes)
		emit_out(e, " * The data of bytes fields is copied like "
		    "strings; a bytes field with\n * NULL data and a len > 0 "
		    "makes a send or the spawn return RT_EINVAL.\n");
	if (ctype)
		emit_out(e, " * C-typed args are copied by value: a pointer in "
		    "one is the new\n * actor's once the spawn returns 0.\n");
	if (policy[0] || policy[1] || policy[2])
		emit_out(e, " * When the bounded mailbox of an actor (`mailbox "
		    "N`) is full:\n");
	for (i = 0; i < 3; i++)
		if (policy[i])
			emit_out(e, "%s", overflow_text((enum ast_overflow)i));
	if (requests)
		emit_out(e, "%s", requests_text);
	if (asks)
		emit_out(e, "%s", asks_text);
	emit_out(e, " */\n\n");
}

/* The prototypes of A's call and ask of request m. */
static void
header_call_ask(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mp = ast_prefix(m);

	emit_wrapped(e, "int %s_%s_call_%s(rt_system *sys, %s_%s_ref to, "
	    "const %s_%s *req, %s_%s *reply, rt_duration timeout);\n", p, n,
	    m->name, p, n, mp, m->name, ast_prefix(emit_reply_of(m)),
	    emit_reply_of(m)->name);
	emit_wrapped(e, "rt_corr %s_%s_ask_%s(rt_ctx *ctx, %s_%s_ref to, "
	    "const %s_%s *req, rt_duration timeout);\n", p, n, m->name, p, n,
	    mp, m->name);
}

/* The handler the user writes for message m of A: with a reply for a
 * request. */
static void
header_handler(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name;
	const ast_decl *r = emit_reply_of(m);

	if (r != NULL)
		emit_wrapped(e, "int %s_%s_on_%s(%s_%s *self, rt_ctx *ctx, "
		    "const %s_%s *req, %s_%s *reply);\n", p, n, m->name, p, n,
		    ast_prefix(m), m->name, ast_prefix(r), r->name);
	else
		emit_wrapped(e, "int %s_%s_on_%s(%s_%s *self, rt_ctx *ctx, "
		    "const %s_%s *msg);\n", p, n, m->name, p, n, ast_prefix(m),
		    m->name);
}

/* A's names in the registry (include/rt/registry.h). */
static void
header_registry(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;

	emit_wrapped(e, "int %s_%s_register(%s_%s_ref a, const char *name);\n",
	    p, n, p, n);
	emit_wrapped(e, "int %s_%s_whereis(rt_system *sys, const char *name, "
	    "%s_%s_ref *out);\n", p, n, p, n);
}

static void
header_actor(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	char name[512];
	size_t i;

	if (a->mailbox_bound != 0)
		emit_comment(e, "Actor %s (see \"Actors\" above). Its mailbox "
		    "holds at most %lu message%s: overflow %s.", n,
		    (unsigned long)a->mailbox_bound,
		    a->mailbox_bound == 1 ? "" : "s",
		    a->overflow == AST_OVERFLOW_DROP ? "drop" :
		    a->overflow == AST_OVERFLOW_REJECT ? "reject" : "block");
	else
		emit_comment(e, "Actor %s (see \"Actors\" above).", n);
	/* The state and args the user wrote map to the .rtp; when there are
	 * none, the empty struct is the generator's. */
	snprintf(name, sizeof(name), "%s_%s", p, n);
	if (a->state != NULL)
		emit_src(e, &a->state->loc);
	else
		emit_gen(e);
	emit_struct_def(e, name, a->state != NULL ? a->state->fields : NULL);
	snprintf(name, sizeof(name), "%s_%s_args", p, n);
	if (a->init != NULL)
		emit_src(e, &a->init->loc);
	else
		emit_gen(e);
	emit_struct_def(e, name, a->init != NULL ? a->init->fields : NULL);
	emit_gen(e);
	if (a->naccepts + a->nasks > 0) {
		/* The messages it accepts, then the replies to its asks. */
		emit_out(e, "enum %s_%s_tag {\n", p, n);
		for (i = 0; i < a->naccepts + a->nasks; i++)
			emit_out(e, "\t%s_%s_TAG_%s%s = %lu%s\n", p, n,
			    i < a->naccepts ? a->accepts[i]->name :
			    a->asks[i - a->naccepts]->name,
			    i < a->naccepts ? "" : "_reply", (unsigned long)i,
			    i + 1 < a->naccepts + a->nasks ? "," : "");
		emit_out(e, "};\n");
	}
	emit_out(e, "extern const rt_actor_class %s_%s_class;\n", p, n);
	emit_wrapped(e, "int %s_%s_spawn(rt_system *sys, const %s_%s_args "
	    "*args, %s_%s_ref *out);\n", p, n, p, n, p, n);
	emit_out(e, "static inline %s_%s_ref\n%s_%s_self(rt_ctx *ctx)\n{\n"
	    "\t%s_%s_ref r = { rt_self(ctx) };\n\n\treturn r;\n}\n", p, n,
	    p, n, p, n);
	header_registry(e, a);
	for (i = 0; i < a->naccepts; i++) {
		const ast_name *m = a->accepts[i];
		const char *mp = ast_prefix(m->target);

		emit_wrapped(e, "int %s_%s_send_%s(%s_%s_ref to, const %s_%s "
		    "*msg);\n",
		    p, n, m->name, p, n, mp, m->name);
		emit_wrapped(e, "int %s_%s_send_%s_opt(%s_%s_ref to, "
		    "const %s_%s *msg, const rt_send_opts *opts);\n", p, n,
		    m->name, p, n, mp, m->name);
		emit_wrapped(e, "int %s_%s_send_%s_after(%s_%s_ref to, "
		    "const %s_%s *msg, rt_duration delay, rt_timer *out);\n",
		    p, n, m->name, p, n, mp, m->name);
		if (emit_every_allowed(m->target))
			emit_wrapped(e, "int %s_%s_send_%s_every(%s_%s_ref to, "
			    "const %s_%s *msg, rt_duration period, rt_timer "
			    "*out);\n", p, n, m->name, p, n, mp, m->name);
		if (emit_reply_of(m->target) != NULL)
			header_call_ask(e, a, m->target);
	}
	if (a->naccepts > 0) {
		emit_out(e, "#ifndef __cplusplus\n");
		for (i = 0; i < a->naccepts; i++) {
			const ast_decl *m = a->accepts[i]->target;

			send_macro(e, a, m, "", "", "");
			send_macro(e, a, m, "_opt", ", opts", ", (opts)");
			send_macro(e, a, m, "_after", ", delay, out",
			    ", (delay), (out)");
			if (emit_every_allowed(m))
				send_macro(e, a, m, "_every", ", period, out",
				    ", (period), (out)");
			if (emit_reply_of(m) != NULL)
				request_macros(e, a, m);
		}
		emit_out(e, "#endif\n");
	}
	if (a->naccepts > 0 || a->nasks > 0 || a->hooks != 0)
		emit_out(e, "/* Handlers of %s, which the user writes. "
		    "*/\n", n);
	for (i = 0; i < a->naccepts; i++) {
		emit_src(e, &a->accepts[i]->loc);
		header_handler(e, a, a->accepts[i]->target);
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_name *m = a->asks[i];

		emit_src(e, &m->loc);
		emit_wrapped(e, "int %s_%s_on_%s_reply(%s_%s *self, rt_ctx "
		    "*ctx, rt_corr id, int status, const %s_%s *reply);\n", p,
		    n, m->name, p, n, ast_prefix(emit_reply_of(m->target)),
		    emit_reply_of(m->target)->name);
	}
	for (i = 0; a->hooks != 0 && i < 3; i++) {
		static const char *const hooks[] = { "start", "stop", "down" };
		const ast_clause *c;
		const ast_name *h = NULL;

		for (c = a->clauses; c != NULL; c = c->next)
			if (c->kind == AST_C_ON)
				for (h = c->names; h != NULL; h = h->next)
					if (strcmp(h->name, hooks[i]) == 0)
						goto found;
		continue;
found:
		emit_src(e, &h->loc);
		if (i == 0)
			emit_wrapped(e, "int %s_%s_on_start(%s_%s *self, "
			    "rt_ctx *ctx, const %s_%s_args *args);\n", p, n, p,
			    n, p, n);
		else if (i == 1)
			emit_wrapped(e, "void %s_%s_on_stop(%s_%s *self, "
			    "rt_ctx *ctx, int reason);\n", p, n, p, n);
		else
			emit_wrapped(e, "int %s_%s_on_down(%s_%s *self, rt_ctx "
			    "*ctx, rt_ref who, int reason);\n", p, n, p, n);
	}
	emit_gen(e);
	emit_out(e, "\n");
}

/* The functions of an actor A and a message M, P_A_<verb>_M<suffix>,
 * that the header poisons when they do not exist: the sends, then the
 * call and the ask of a request; last the subscriptions of A to a topic
 * (M is then the topic). */
static const struct twin {
	const char *verb, *suffix;
} twins[] = { { "send", "" }, { "send", "_opt" }, { "send", "_after" },
	{ "send", "_every" }, { "call", "" }, { "ask", "" },
	{ "subscribe", "" }, { "unsubscribe", "" } };

/* Add one name to a #pragma GCC poison line, starting or wrapping it. */
static void
poison_name(struct emit *e, size_t *col, const ast_decl *a,
    const ast_decl *m, const struct twin *t)
{
	size_t len = strlen(e->p) + strlen(a->name) + strlen(t->verb) +
	    strlen(m->name) + strlen(t->suffix) + 4;

	if (*col == 0) {
		emit_out(e, "#pragma GCC poison");
		*col = 18;
	} else if (*col + len > 76) {
		emit_out(e, " \\\n\t");
		*col = 8;
	}
	emit_out(e, " %s_%s_%s_%s%s", e->p, a->name, t->verb, m->name,
	    t->suffix);
	*col += len;
}

/* How topics work, for the comment on them (include/rt/topic.h). */
static const char topics_text[] =
    "/*\n"
    " * Topics. P_T_publish delivers msg to every actor subscribed to T in\n"
    " * sys, through its handler of M. It borrows msg and copies it once\n"
    " * (strings and bytes too): all the subscribers share that one copy.\n"
    " * Each subscriber gets the messages of one publisher in the order\n"
    " * they were published. It returns how many deliveries failed (>= 0: a\n"
    " * subscriber's mailbox refused it or its wait ended without room, or no\n"
    " * memory could be had for it; a subscriber that has stopped is not\n"
    " * counted, it leaves; 0 when nobody is subscribed), or RT_EINVAL\n"
    " * (a NULL msg when M has fields, bad bytes), RT_ESHUTDOWN or RT_ENOMEM,\n"
    " * and then nothing was delivered. A full mailbox that drops makes a\n"
    " * dead letter, as for a send, not a failure.\n"
    " * P_A_subscribe_T subscribes actor a, which accepts M: 0, RT_EEXIST\n"
    " * (already subscribed), RT_ENOACTOR, RT_EINVAL (a zeroed ref),\n"
    " * RT_ESHUTDOWN or RT_ENOMEM. P_A_unsubscribe_T ends it: 0 or RT_ENOENT;\n"
    " * what was delivered stays in the mailbox. An actor that stops for\n"
    " * good is dropped from its topics.\n"
    " */\n";

/* Topic t: its descriptor, its publish with a type-checking macro, and
 * the subscriptions of each actor that accepts its message. */
static void
header_topic(struct emit *e, const ast_decl *t)
{
	const ast_decl *m = t->carries->target, *a;
	const char *p = e->p, *tn = t->name;
	char name[512];

	emit_out(e, "extern const rt_topic %s_%s_topic;\n", p, tn);
	emit_wrapped(e, "int %s_%s_publish(rt_system *sys, const %s_%s "
	    "*msg);\n", p,
	    tn, ast_prefix(m), m->name);
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		emit_out(e, "int %s_%s_subscribe_%s(%s_%s_ref "
		    "a);\n", p, a->name, tn,
		    p, a->name);
		emit_out(e, "int %s_%s_unsubscribe_%s(%s_%s_ref "
		    "a);\n", p, a->name,
		    tn, p, a->name);
	}
	emit_out(e, "#ifndef __cplusplus\n/* Make a message of the wrong type "
	    "a hard error. */\n");
	snprintf(name, sizeof(name), "%s_%s_publish", p, tn);
	checked_macro(e, name, "sys, ", "(sys), ", "msg", m, "", "");
	emit_out(e, "#endif\n\n");
}

static void
header_topics(struct emit *e)
{
	const ast_decl *d;

	if (emit_any_topic(e->unit))
		emit_out(e, "%s", topics_text);
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			header_topic(e, d);
}

/* The comment on the poisoned names; `topics`: the unit declares some. */
static void
poison_comment(struct emit *e, bool topics)
{
	emit_out(e, "/*\n * Sends, calls and asks that do not exist: an actor "
	    "accepts only the\n * messages of its 'accepts' clauses (and has "
	    "no _every send of a\n * message with C-typed fields), and only "
	    "requests have calls and\n * asks. Poisoning the names of the "
	    "other combinations makes a call\n * to one a hard error, not just "
	    "a warning about an implicit\n * declaration.%s\n */\n",
	    topics ? " Likewise an actor subscribes only to the topics "
	    "whose\n * message it accepts." : "");
}

/* Does actor a accept a message named `name` (of any protocol)? */
static bool
accepts_named(const ast_decl *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->naccepts; i++)
		if (strcmp(a->accepts[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * The messages whose sends the header poisons for the actors that do not
 * accept them: this unit's, then those of its imports. A bare name that
 * two of them share (shop.Order and common.Order) makes one set of
 * function names: it is poisoned once, and not at all for an actor that
 * accepts either. `shared` gets the messages whose name another has,
 * `skip` those whose names an earlier one poisons already.
 */
static void
poison_candidates(const struct emit *e, struct emit_dlist *l,
    struct emit_pset *shared, struct emit_pset *skip)
{
	struct emit_pset seen = { 0 };
	const ast_decl *d;
	size_t i, j;

	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_TOPIC)
			emit_dlist_add(l, &seen, d);
	j = l->len;
	for (i = 0; i < e->unit->nimports; i++)
		for (d = e->unit->imports[i]->decls; d != NULL; d = d->next)
			if (d->kind == AST_D_MESSAGE)
				emit_dlist_add(l, &seen, d);
	emit_pset_clear(&seen);
	/* Only imported names can be shared: this unit's are unique. */
	for (i = j; i < l->len; i++)
		for (j = 0; j < i; j++) {
			if (l->at[j]->kind != AST_D_MESSAGE ||
			    strcmp(l->at[i]->name, l->at[j]->name) != 0)
				continue;
			emit_pset_add(shared, l->at[i]);
			emit_pset_add(shared, l->at[j]);
			emit_pset_add(skip, l->at[i]);
		}
}

/*
 * Past this many poisoned names, the header makes calls to undeclared
 * functions errors instead: a protocol of 10,000 messages and 1,000 actors
 * would otherwise get a gigabyte of names, one per combination that does
 * not exist.
 */
#define POISON_MAX 200000

/*
 * Walk the combinations to poison: with `emit`, write them; either way,
 * return how many names there are.
 */
static size_t
poison_walk(struct emit *e, const struct emit_dlist *cands,
    const struct emit_pset *shared, const struct emit_pset *skip, bool emit)
{
	const ast_decl *a, *m;
	size_t k, total = 0;
	bool any = false;

	for (a = e->unit->decls; a != NULL; a = a->next) {
		size_t col = 0;

		if (a->kind != AST_D_ACTOR)
			continue;
		for (k = 0; k < cands->len; k++) {
			size_t i, t, end;

			m = cands->at[k];
			if (emit_pset_has(skip, m))
				continue;
			if (m->kind == AST_D_TOPIC) {
				/* The subscriptions: twins 6 and 7. */
				i = ast_accepts(a, m->carries->target) ? 8 :
				    6;
				end = 8;
			} else if (ast_accepts(a, m)) {
				i = 3;
				/* Accepted: only the _every send, if any. */
				end = emit_every_allowed(m) ? 3 : 4;
			} else if (emit_pset_has(shared, m) &&
			    accepts_named(a, m->name)) {
				continue; /* it accepts the other one */
			} else {
				i = 0;
				end = emit_reply_of(m) != NULL ? 6 : 4;
			}
			total += end - i;
			if (!emit || i == end)
				continue;
			if (!any)
				poison_comment(e, emit_any_topic(e->unit));
			any = true;
			for (t = i; t < end; t++)
				poison_name(e, &col, a, m, &twins[t]);
		}
		if (col != 0)
			emit_out(e, "\n");
	}
	if (any)
		emit_out(e, "\n");
	return total;
}

static void
header_poison(struct emit *e)
{
	struct emit_pset shared = { 0 }, skip = { 0 };
	struct emit_dlist cands = { 0 };

	poison_candidates(e, &cands, &shared, &skip);
	if (poison_walk(e, &cands, &shared, &skip, false) <= POISON_MAX)
		poison_walk(e, &cands, &shared, &skip, true);
	else
		emit_out(e, "/*\n * Sends, calls and asks that do not exist "
		    "are not declared: this\n * protocol has too many "
		    "combinations of actors and messages to name\n * each one, "
		    "so a call to one is made an error here instead (C99\n * "
		    "removed implicit declarations; compilers only warn by "
		    "default).\n * It stays in force for the rest of the file "
		    "that includes this\n * header; with warnings off (-w), "
		    "such a call fails when linking.\n */\n"
		    "#pragma GCC diagnostic error "
		    "\"-Wimplicit-function-declaration\"\n\n");
	free(cands.at);
	emit_pset_clear(&shared);
	emit_pset_clear(&skip);
}

void
emit_header(struct emit *e)
{
	bool first_actor = true;
	const ast_decl *d;

	emit_banner(e);
	emit_out(e, "#ifndef ");
	guard_name(e);
	emit_out(e, "\n#define ");
	guard_name(e);
	emit_out(e, "\n\n#include <stdbool.h>\n#include <stddef.h>\n"
	    "#include <stdint.h>\n#include <stdio.h>\n#include <rt/rt.h>\n");
	if (emit_any_supervisor(e->unit))
		emit_out(e, "#include <rt/supervisor.h>\n");
	/* Imports first: an included C type may use their types. */
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_IMPORT) {
			emit_out(e, "#include \"");
			emit_put_cstring(e, d->file);
			emit_out(e, ".h\"\n");
		}
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_INCLUDE) {
			emit_out(e, "#include \"");
			emit_put_cstring(e, d->file);
			emit_out(e, "\"\n");
		}
	emit_out(e, "\n");
	emit_out(e, "#if RT_PROTOCOL_ABI != %d\n#error \"", RT_PROTOCOL_ABI);
	emit_put_cstring(e, e->o->h_name);
	emit_out(e, " was generated for rt protocol ABI %d; rerun rtgen\"\n"
	    "#endif\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
	    RT_PROTOCOL_ABI);
	header_refs_and_tags(e);
	header_enums(e);
	header_messages(e);
	header_requests(e);
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_ACTOR) {
			if (first_actor)
				header_actors_text(e);
			first_actor = false;
			header_actor(e, d);
		}
	header_topics(e);
	emit_sup_header(e);
	header_poison(e);
	emit_out(e, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}
