/* SPDX-License-Identifier: MIT */
/*
 * Actors in the C emitter (emit_c_int.h). In the header: the typed refs,
 * one comment on what every actor has (and what only some have), then per
 * actor its state and args structs, its dispatch tags, class, spawn, self
 * and registry functions, its sends, calls and asks (emit_c_send.c) and
 * the prototypes of the handlers the user writes, mapped to the .rtp. In
 * the source, per actor: the names of its tags, the helpers that run its
 * handlers of requests (emit_c_request.c), its dispatch switch, the thunks
 * of its hooks, the copies of its args, its printer, class, spawn and
 * registry functions, then its sends, calls and asks.
 */
#include "emit_c_int.h"

#include <string.h>

void
emit_actor_refs_h(struct emit *e)
{
	emit_refs_h(e, AST_D_ACTOR,
	    "/*\n * References to actors, one type "
	    "per actor kind so that they do not convert\n * into each other. "
	    "A zeroed one names no actor.\n */\n");
}

/* ---- the header: the comment on all actors --------------------------- */

/* What every actor of a header has. */
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
    " * hooks A has. For tests, P_A_probe spawns a probe that records what\n"
    " * it is sent, and P_A_expect_M checks what it recorded (rt/test.h).\n";

/* What a full mailbox does (include/rt/protocol.h). */
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

/* How the calls, asks and handlers of requests work, when an actor
 * accepts some. */
static const char requests_text[] =
    " * A request M -> R that an actor accepts can also be called or asked\n"
    " * (req as msg above). P_A_call_M, for a thread that is not a worker\n"
    " * (a plain thread, or the handler of a `thread;` actor), waits at\n"
    " * most timeout (RT_FOREVER: no limit) for the reply, copied\n"
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

/* How the answers to asks arrive, when an actor asks. */
static const char asks_text[] =
    " * An actor that asks M gets each answer in its P_A_on_M_reply, with\n"
    " * the id P_X_ask_M returned and a status: 0 with the reply (valid\n"
    " * while the handler runs), or RT_ETIMEDOUT, RT_ENOACTOR, RT_EFULL, ...\n"
    " * with reply NULL. Each ask that returned an id is answered exactly\n"
    " * once.\n";

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

/* The comment on all the actors of the unit, before the first: what they
 * all have, then what only some of them have. */
static void
actors_text_h(struct emit *e)
{
	bool bytes = false, ctype = false, requests = false, asks = false;
	bool policy[3] = { false, false, false };
	const ast_decl *a;
	size_t i;

	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR)
			continue;
		bytes = bytes || bytes_fields(a);
		ctype = ctype ||
		    (a->init != NULL &&
			emit_has_kind(a->init->fields, AST_T_CTYPE));
		requests = requests || accepts_requests(a);
		asks = asks || a->nasks > 0;
		if (a->mailbox_bound != 0)
			policy[a->overflow] = true;
	}
	emit_print(e, NULL, actors_text);
	if (bytes)
		emit_print(e, NULL,
		    " * The data of bytes fields is copied like "
		    "strings; a bytes field with\n * NULL data and a len > 0 "
		    "makes a send or the spawn return RT_EINVAL.\n");
	if (ctype)
		emit_print(e, NULL,
		    " * C-typed args are copied by value: a "
		    "pointer in one is the new\n * actor's once the spawn "
		    "returns 0.\n");
	if (policy[0] || policy[1] || policy[2])
		emit_print(e, NULL,
		    " * When the bounded mailbox of an actor "
		    "(`mailbox N`) is full:\n");
	for (i = 0; i < 3; i++)
		if (policy[i])
			emit_print(e, NULL,
			    overflow_text((enum ast_overflow)i));
	if (requests)
		emit_print(e, NULL, requests_text);
	if (asks)
		emit_print(e, NULL, asks_text);
	emit_print(e, NULL, " */\n\n");
}

/* ---- the header: each actor ------------------------------------------ */

/* The overflow policy's name, as `overflow` spells it in the .rtp. */
static const char *
overflow_name(enum ast_overflow policy)
{
	return policy == AST_OVERFLOW_DROP ? "drop" :
	    policy == AST_OVERFLOW_REJECT  ? "reject" :
					     "block";
}

/* The handler the user writes for message m of A: with a reply for a
 * request. */
static void
handler_h(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = emit_reply_of(m);
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.M = m->name,
		.MP = ast_prefix(m) };

	if (r != NULL) {
		v.RP = ast_prefix(r);
		v.R = r->name;
		emit_wrapped(e, &v,
		    "int $P$_$A$_on_$M$($P$_$A$ *self, rt_ctx "
		    "*ctx, const $MP$_$M$ *req, $RP$_$R$ *reply);\n");
	} else {
		emit_wrapped(e, &v,
		    "int $P$_$A$_on_$M$($P$_$A$ *self, rt_ctx "
		    "*ctx, const $MP$_$M$ *msg);\n");
	}
}

/* The `on` clause that names hook `hook` of A, or NULL. */
static const ast_name *
hook_clause(const ast_decl *a, const char *hook)
{
	const ast_clause *c;
	const ast_name *h;

	for (c = a->clauses; c != NULL; c = c->next)
		if (c->kind == AST_C_ON)
			for (h = c->names; h != NULL; h = h->next)
				if (strcmp(h->name, hook) == 0)
					return h;
	return NULL;
}

/* The handlers of A's hooks, in this order. */
static const struct hook {
	const char *name, *proto;
} hooks[] = {
	{ "start",
	    "int $P$_$A$_on_start($P$_$A$ *self, rt_ctx *ctx, "
	    "const $P$_$A$_args *args);\n" },
	{ "stop",
	    "void $P$_$A$_on_stop($P$_$A$ *self, rt_ctx *ctx, "
	    "int reason);\n" },
	{ "down",
	    "int $P$_$A$_on_down($P$_$A$ *self, rt_ctx *ctx, "
	    "rt_ref who, int reason);\n" },
	{ "io",
	    "int $P$_$A$_on_io($P$_$A$ *self, rt_ctx *ctx, int fd, "
	    "unsigned events);\n" },
	{ "health", "int $P$_$A$_on_health($P$_$A$ *self, rt_ctx *ctx);\n" },
};

/* The handlers of A that the user writes, each mapped to where the .rtp
 * names it. */
static void
handlers_h(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	size_t i;

	if (a->naccepts > 0 || a->nasks > 0 || a->hooks != 0)
		emit_print(e, &v,
		    "/* Handlers of $A$, which the user writes. "
		    "*/\n");
	for (i = 0; i < a->naccepts; i++) {
		emit_src(e, &a->accepts[i]->loc);
		handler_h(e, a, a->accepts[i]->target);
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_name *m = a->asks[i];
		const ast_decl *r = emit_reply_of(m->target);

		v.M = m->name;
		v.RP = ast_prefix(r);
		v.R = r->name;
		emit_src(e, &m->loc);
		emit_wrapped(e, &v,
		    "int $P$_$A$_on_$M$_reply($P$_$A$ *self, "
		    "rt_ctx *ctx, rt_corr id, int status, const $RP$_$R$ "
		    "*reply);\n");
	}
	for (i = 0; a->hooks != 0 && i < sizeof(hooks) / sizeof(*hooks); i++) {
		const ast_name *h = hook_clause(a, hooks[i].name);

		if (h == NULL)
			continue;
		emit_src(e, &h->loc);
		emit_wrapped(e, &v, hooks[i].proto);
	}
}

static void
actor_h(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	char name[512], n[EMIT_NUM];
	size_t i;

	if (a->mailbox_bound != 0) {
		v.N = emit_num(n, a->mailbox_bound);
		v.s = a->mailbox_bound == 1 ? "" : "s";
		v.text = overflow_name(a->overflow);
		emit_comment(e, &v,
		    "Actor $A$ (see \"Actors\" above). Its "
		    "mailbox holds at most $N$ message$s$: overflow $text$.");
	} else {
		emit_comment(e, &v, "Actor $A$ (see \"Actors\" above).");
	}
	/* The state and args the user wrote map to the .rtp; when there are
	 * none, the empty struct is the generator's. */
	if (a->state != NULL)
		emit_src(e, &a->state->loc);
	else
		emit_gen(e);
	emit_struct_def(e, emit_sprint(name, sizeof(name), &v, "$P$_$A$"),
	    a->state != NULL ? a->state->fields : NULL);
	if (a->init != NULL)
		emit_src(e, &a->init->loc);
	else
		emit_gen(e);
	emit_struct_def(e, emit_sprint(name, sizeof(name), &v, "$P$_$A$_args"),
	    a->init != NULL ? a->init->fields : NULL);
	emit_gen(e);
	if (a->naccepts + a->nasks > 0) {
		/* The messages it accepts, then the replies to its asks. */
		emit_print(e, &v, "enum $P$_$A$_tag {\n");
		for (i = 0; i < a->naccepts + a->nasks; i++) {
			v.N = emit_num(n, i);
			v.sep = i + 1 < a->naccepts + a->nasks ? "," : "";
			if (i < a->naccepts) {
				v.M = a->accepts[i]->name;
				emit_print(e, &v,
				    "\t$P$_$A$_TAG_$M$ = $N$$sep$\n");
			} else {
				v.M = a->asks[i - a->naccepts]->name;
				emit_print(e, &v,
				    "\t$P$_$A$_TAG_$M$_reply = $N$$sep$\n");
			}
		}
		emit_print(e, NULL, "};\n");
	}
	emit_print(e, &v, "extern const rt_actor_class $P$_$A$_class;\n");
	emit_wrapped(e, &v,
	    "int $P$_$A$_spawn(rt_system *sys, const "
	    "$P$_$A$_args *args, $P$_$A$_ref *out);\n");
	emit_print(e, &v,
	    "static inline $P$_$A$_ref\n$P$_$A$_self(rt_ctx *ctx)"
	    "\n{\n\t$P$_$A$_ref r = { rt_self(ctx) };\n\n\treturn r;\n}\n");
	/* Its names in the registry (include/rt/registry.h). */
	emit_wrapped(e, &v,
	    "int $P$_$A$_register($P$_$A$_ref a, const char "
	    "*name);\n");
	emit_wrapped(e, &v,
	    "int $P$_$A$_whereis(rt_system *sys, const char "
	    "*name, $P$_$A$_ref *out);\n");
	emit_states_h(e, a);
	if (a->remote != NULL)
		emit_wire_actor_h(e, a);
	emit_sends_h(e, a);
	emit_probe_h(e, a);
	handlers_h(e, a);
	emit_gen(e);
	emit_print(e, NULL, "\n");
}

void
emit_actors_h(struct emit *e)
{
	const ast_decl *d;
	bool first = true;

	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_ACTOR) {
			if (first)
				actors_text_h(e);
			first = false;
			actor_h(e, d);
		}
}

/* ---- the source ------------------------------------------------------ */

static void
dispatch_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	size_t i;

	emit_wrapped(e, &v,
	    "static int\n$P$_$A$_dispatch(void *self, rt_ctx "
	    "*ctx, uint32_t tag, const void *msg)\n{\n");
	if (a->naccepts + a->nasks == 0) {
		emit_print(e, NULL,
		    "\t(void)self;\n\t(void)ctx;\n\t(void)tag;\n"
		    "\t(void)msg;\n\treturn RT_EBADMSG;\n}\n");
		return;
	}
	/* A state machine's current state, for the messages it restricts
	 * (the user's state comes first in what the runtime holds). */
	if (emit_states_restricted(a))
		emit_wrapped(e, &v,
		    "\t$P$_$A$_state_t now = ((struct $P$_$A$_fsm_ *)self)"
		    "->current;\n\n");
	emit_print(e, &v, "\tswitch ((enum $P$_$A$_tag)tag) {\n");
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *t = a->accepts[i]->target;

		v.M = a->accepts[i]->name;
		v.MP = ast_prefix(t);
		/* A request's handler runs through P_A_serve_M. */
		v.verb = emit_reply_of(t) != NULL ? "serve" : "on";
		emit_print(e, &v, "\tcase $P$_$A$_TAG_$M$:\n");
		emit_states_check_c(e, a, i);
		emit_print(e, &v,
		    "\t\treturn "
		    "$P$_$A$_$verb$_$M$(($P$_$A$ *)self, ctx,\n"
		    "\t\t    (const $MP$_$M$ *)msg);\n");
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_decl *r = emit_reply_of(a->asks[i]->target);

		v.M = a->asks[i]->name;
		v.RP = ast_prefix(r);
		v.R = r->name;
		emit_print(e, &v,
		    "\tcase $P$_$A$_TAG_$M$_reply: {\n"
		    "\t\trt_corr id;\n\t\tint status = rt_reply_status(msg, "
		    "&id);\n\n");
		emit_wrapped(e, &v,
		    "\t\treturn $P$_$A$_on_$M$_reply(($P$_$A$ "
		    "*)self, ctx, id, status, status == 0 ? (const $RP$_$R$ "
		    "*)msg : NULL);\n");
		emit_print(e, NULL, "\t}\n");
	}
	emit_print(e, NULL, "\t}\n\treturn RT_EBADMSG;\n}\n");
}

/* The thunks that give A's hooks their typed state and args. */
static void
hook_thunks_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };

	if (a->hooks & AST_HOOK_START)
		emit_wrapped(e, &v,
		    "\nstatic int\n$P$_$A$_start_thunk(void "
		    "*self, rt_ctx *ctx, const void *args)\n{\n\treturn "
		    "$P$_$A$_on_start(($P$_$A$ *)self, ctx,\n"
		    "\t    (const $P$_$A$_args *)args);\n}\n");
	if (a->hooks & AST_HOOK_STOP)
		emit_wrapped(e, &v,
		    "\nstatic void\n$P$_$A$_stop_thunk(void "
		    "*self, rt_ctx *ctx, int reason)\n{\n"
		    "\t$P$_$A$_on_stop(($P$_$A$ *)self, ctx, reason);\n}\n");
	if (a->hooks & AST_HOOK_DOWN)
		emit_wrapped(e, &v,
		    "\nstatic int\n$P$_$A$_down_thunk(void "
		    "*self, rt_ctx *ctx, rt_ref who, int reason)\n{\n\treturn "
		    "$P$_$A$_on_down(($P$_$A$ *)self, ctx, who, reason);\n}\n");
	if (a->hooks & AST_HOOK_IO)
		emit_wrapped(e, &v,
		    "\nstatic int\n$P$_$A$_io_thunk(void "
		    "*self, rt_ctx *ctx, int fd, unsigned events)\n{\n\treturn "
		    "$P$_$A$_on_io(($P$_$A$ *)self, ctx, fd, events);\n}\n");
	if (a->hooks & AST_HOOK_HEALTH)
		emit_wrapped(e, &v,
		    "\nstatic int\n$P$_$A$_health_thunk(void "
		    "*self, rt_ctx *ctx)\n{\n\treturn "
		    "$P$_$A$_on_health(($P$_$A$ *)self, ctx);\n}\n");
}

/* The copies of A's args, for args with strings, bytes or nested
 * messages, and the thunks the class points to. */
static void
args_copies_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	const ast_field *args = a->init->fields;
	char name[512];

	emit_nested_helpers(e, args);
	emit_copy_helpers(e,
	    emit_sprint(name, sizeof(name), &v, "$P$_$A$_args"), args, a->init);
	emit_print(e, NULL, "\n");
	emit_wrapped(e, &v,
	    "\nstatic size_t\n$P$_$A$_args_extra_thunk(const "
	    "void *args)\n{\n\treturn $P$_$A$_args_extra((const $P$_$A$_args "
	    "*)args);\n}\n");
	emit_wrapped(e, &v,
	    "\nstatic void\n$P$_$A$_args_copy_thunk(void *dst, "
	    "const void *args)\n{\n\t$P$_$A$_args_copy(dst, (const "
	    "$P$_$A$_args *)args);\n}\n");
}

/*
 * A's message printer for crash reports: the message of a local tag, with
 * the printer of its type; a reply that is no answer shows its status.
 */
static void
print_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	size_t i;

	emit_wrapped(e, &v,
	    "\nstatic void\n$P$_$A$_print_thunk(FILE *f, "
	    "uint32_t tag, const void *msg)\n{\n");
	if (a->naccepts + a->nasks == 0) {
		emit_print(e, NULL,
		    "\t(void)f;\n\t(void)tag;\n\t(void)msg;\n"
		    "}\n");
		return;
	}
	emit_print(e, &v, "\tswitch ((enum $P$_$A$_tag)tag) {\n");
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *t = a->accepts[i]->target;

		v.M = a->accepts[i]->name;
		emit_print(e, &v, "\tcase $P$_$A$_TAG_$M$:\n");
		v.MP = ast_prefix(t);
		v.M = t->name;
		emit_wrapped(e, &v,
		    "\t\t$MP$_$M$_print(f, (const $MP$_$M$ "
		    "*)msg);\n\t\tbreak;\n");
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_decl *r = emit_reply_of(a->asks[i]->target);

		v.M = a->asks[i]->name;
		v.RP = ast_prefix(r);
		v.R = r->name;
		emit_print(e, &v,
		    "\tcase $P$_$A$_TAG_$M$_reply: {\n"
		    "\t\trt_corr id;\n"
		    "\t\tint status = rt_reply_status(msg, &id);\n\n"
		    "\t\tif (status == 0)\n");
		emit_wrapped(e, &v,
		    "\t\t\t$RP$_$R$_print(f, (const $RP$_$R$ "
		    "*)msg);\n");
		emit_print(e, NULL,
		    "\t\telse\n\t\t\tfprintf(f, \"(%s)\", "
		    "rt_strerror(status));\n\t\tbreak;\n\t}\n");
	}
	emit_print(e, NULL, "\t}\n}\n");
}

/* A's class, and the table of where the replies to its asks go. Hooks
 * and tables it does not have are left out: they are NULL. */
static void
class_c(struct emit *e, const ast_decl *a, bool strings)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	char n[EMIT_NUM];
	size_t i;

	if (a->nasks > 0) {
		emit_print(e, &v,
		    "\nstatic const rt_ask_route $P$_$A$_asks[] "
		    "= {\n");
		for (i = 0; i < a->nasks; i++) {
			v.MP = ast_prefix(a->asks[i]->target);
			v.M = a->asks[i]->name;
			emit_print(e, &v,
			    "\t{ &$MP$_$M$_request_desc, "
			    "$P$_$A$_TAG_$M$_reply },\n");
		}
		emit_print(e, NULL, "};\n");
	}
	v.N = emit_num(n, a->naccepts + a->nasks);
	/* An actor with states is held with its current state after the
	 * user's fields (emit_c_states.c). */
	emit_print(e, &v,
	    "\nconst rt_actor_class $P$_$A$_class = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"$P$.$A$\",\n");
	emit_print(e, &v,
	    a->states != NULL ?
		"\t.state_size = sizeof(struct $P$_$A$_fsm_),\n"
		"\t.state_align = _Alignof(struct $P$_$A$_fsm_),\n" :
		"\t.state_size = sizeof($P$_$A$),\n"
		"\t.state_align = _Alignof($P$_$A$),\n");
	emit_print(e, &v, "\t.ntags = $N$,\n");
	if (a->naccepts + a->nasks > 0)
		emit_print(e, &v, "\t.tag_names = $P$_$A$_tag_names,\n");
	emit_print(e, &v, "\t.dispatch = $P$_$A$_dispatch,\n");
	if (a->hooks & AST_HOOK_START)
		emit_print(e, &v, "\t.on_start = $P$_$A$_start_thunk,\n");
	if (a->hooks & AST_HOOK_STOP)
		emit_print(e, &v, "\t.on_stop = $P$_$A$_stop_thunk,\n");
	emit_print(e, &v, "\t.args_size = sizeof($P$_$A$_args),\n");
	if (a->mailbox_bound != 0) {
		v.N = emit_num(n, a->mailbox_bound);
		v.text = a->overflow == AST_OVERFLOW_DROP ? "DROP" :
		    a->overflow == AST_OVERFLOW_REJECT    ? "REJECT" :
							    "BLOCK";
		emit_print(e, &v,
		    "\t.mailbox_bound = $N$,\n"
		    "\t.overflow = RT_OVERFLOW_$text$,\n");
	} else {
		emit_print(e, NULL,
		    "\t.mailbox_bound = 0, /* unbounded */\n"
		    "\t.overflow = RT_OVERFLOW_BLOCK,\n");
	}
	if (a->nasks > 0) {
		v.N = emit_num(n, a->nasks);
		emit_print(e, &v, "\t.asks = $P$_$A$_asks,\n\t.nasks = $N$,\n");
	}
	if (a->hooks & AST_HOOK_DOWN)
		emit_print(e, &v, "\t.on_down = $P$_$A$_down_thunk,\n");
	if (strings)
		emit_print(e, &v,
		    "\t.args_extra = $P$_$A$_args_extra_thunk,\n"
		    "\t.args_copy = $P$_$A$_args_copy_thunk,\n");
	emit_print(e, &v, "\t.print = $P$_$A$_print_thunk,\n");
	if (a->hooks & AST_HOOK_IO)
		emit_print(e, &v, "\t.on_io = $P$_$A$_io_thunk,\n");
	if (a->hooks & AST_HOOK_HEALTH)
		emit_print(e, &v, "\t.on_health = $P$_$A$_health_thunk,\n");
	if (a->thread != NULL)
		emit_print(e, NULL, "\t.flags = RT_CLASS_THREAD,\n");
	emit_print(e, NULL, "};\n\n");
}

static void
spawn_c(struct emit *e, const ast_decl *a, bool strings, bool bytes)
{
	struct emit_vars v = { .P = e->p, .A = a->name };

	emit_wrapped(e, &v,
	    "int\n$P$_$A$_spawn(rt_system *sys, const "
	    "$P$_$A$_args *args, $P$_$A$_ref *out)\n{\n");
	emit_print(e, &v,
	    bytes ? "\tsize_t size = sizeof($P$_$A$_args), extra;\n" :
		    "\tsize_t size = sizeof($P$_$A$_args);\n");
	emit_print(e, NULL, "\trt_env *env;\n\tint r;\n\n");
	if (bytes)
		emit_print(e, &v,
		    "\tif (args != NULL) {\n"
		    "\t\textra = $P$_$A$_args_extra(args);\n"
		    "\t\tif (extra == SIZE_MAX)\n\t\t\treturn RT_EINVAL;\n"
		    "\t\tsize += extra;\n\t}\n");
	else if (strings)
		emit_print(e, &v,
		    "\tif (args != NULL)\n"
		    "\t\tsize += $P$_$A$_args_extra(args);\n");
	emit_print(e, &v,
	    "\tr = rt_spawn_prepare(sys, &$P$_$A$_class, size, "
	    "&env);\n\tif (r != 0)\n\t\treturn r;\n\tif (args != NULL)\n");
	if (strings)
		emit_print(e, &v,
		    "\t\t$P$_$A$_args_copy(rt_env_payload(env), "
		    "args);\n");
	else
		emit_print(e, NULL,
		    "\t\tmemcpy(rt_env_payload(env), args, "
		    "size);\n");
	/* rt_spawn_commit stores the ref only when it returns 0. */
	emit_print(e, NULL,
	    "\telse\n\t\tmemset(rt_env_payload(env), 0, size);\n"
	    "\treturn rt_spawn_commit(env, out != NULL ? &out->ref : NULL);\n"
	    "}\n");
}

/* A's typed registry calls. */
static void
registry_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };

	emit_wrapped(e, &v,
	    "\nint\n$P$_$A$_register($P$_$A$_ref a, const "
	    "char *name)\n{\n\treturn rt_register(a.ref, name);\n}\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$A$_whereis(rt_system *sys, const "
	    "char *name, $P$_$A$_ref *out)\n{\n\tif (out == NULL)\n"
	    "\t\treturn RT_EINVAL;\n\treturn rt_whereis_class(sys, name, "
	    "&$P$_$A$_class,\n\t    &out->ref);\n}\n");
}

static void
actor_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	const ast_field *args = a->init != NULL ? a->init->fields : NULL;
	bool strings = emit_needs_copy(args), bytes = emit_has_bytes(args);
	size_t i;

	emit_print(e, &v, "/* Actor $A$. */\n");
	if (a->naccepts + a->nasks > 0) {
		emit_print(e, &v,
		    "static const char *const "
		    "$P$_$A$_tag_names[] = {\n");
		for (i = 0; i < a->naccepts; i++) {
			v.M = a->accepts[i]->name;
			emit_print(e, &v, "\t\"$M$\",\n");
		}
		for (i = 0; i < a->nasks; i++) {
			v.M = a->asks[i]->name;
			emit_print(e, &v, "\t\"$M$_reply\",\n");
		}
		emit_print(e, NULL, "};\n\n");
	}
	for (i = 0; i < a->naccepts; i++)
		if (emit_reply_of(a->accepts[i]->target) != NULL)
			emit_serve_c(e, a, a->accepts[i]->target);
	emit_states_c(e, a);
	dispatch_c(e, a);
	hook_thunks_c(e, a);
	if (strings)
		args_copies_c(e, a);
	print_c(e, a);
	class_c(e, a, strings);
	spawn_c(e, a, strings, bytes);
	registry_c(e, a);
	if (a->remote != NULL)
		emit_wire_actor_c(e, a);
	emit_sends_c(e, a);
	emit_probe_c(e, a);
}

void
emit_actors_c(struct emit *e)
{
	const ast_decl *d;
	bool first = true;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ACTOR)
			continue;
		if (!first)
			emit_print(e, NULL, "\n");
		first = false;
		actor_c(e, d);
	}
}
