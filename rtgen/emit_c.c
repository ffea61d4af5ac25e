/* SPDX-License-Identifier: MIT */
/*
 * The C emitter (see emit_c.h). All text goes through one printf-like
 * function that counts lines, so the emitter always knows the line it is
 * on. What the user wrote in the .rtp, and only that, is preceded by a
 * #line pointing at it ("mapped" mode): the fields of message, state and
 * args structs, enum values and the prototypes of the handlers the user
 * implements (and the values of a supervisor's child args). The first
 * generated line after it gets a #line back to its real place in the
 * output. Compiler messages about a field's type or a handler's signature
 * thus point at the .rtp, while the generated functions (sends, dispatch,
 * spawn, copies, printers, ...) stay where they are, so that a debugger
 * stepping into one shows its C, not a line of the .rtp.
 *
 * Section order of the header: includes and the ABI check, actor refs
 * (messages and state may hold them), message ids, message structs, the
 * requests' descriptors and deferred replies, then per actor its state,
 * args, local tags (the messages it accepts, then the replies to its
 * asks), class, spawn, sends, calls and asks with their type-checking
 * macros and the handlers the user writes; then per topic its descriptor,
 * publish (with its macro) and the subscriptions of the actors that accept
 * its message; last the poisoned names of the sends, calls, asks and
 * subscriptions that do not exist. The comment on what every actor has
 * comes once, before the first actor. The source follows the same order,
 * with the envelope builders (one per message that an actor accepts,
 * which all its sends, calls and asks share) before the first actor; the
 * handler of a request runs through a static helper that gives it a zeroed
 * reply and sends the reply when one is due.
 */
#include "emit_c_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the source (messages: emit_c_msg.c) ----------------------------- */

/* A's helper that runs its handler of request m with a zeroed reply and
 * sends the reply when one is due now (see rt_request_leave). */
static void
source_serve(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const ast_decl *r = emit_reply_of(m);
	const char *rn = r->name, *rp = ast_prefix(r);

	emit_wrapped(e, "static int\n%s_%s_serve_%s(%s_%s *self, rt_ctx *ctx, "
	    "const %s_%s *req)\n{\n", p, n, mn, p, n, ast_prefix(m), mn);
	emit_out(e, "\t%s_%s reply;\n", rp, rn);
	if (emit_has_bytes(r->fields))
		emit_out(e, "\tsize_t size = sizeof(%s_%s), extra;\n", rp, rn);
	else if (emit_needs_copy(r->fields))
		emit_out(e, "\tsize_t size = sizeof(%s_%s);\n", rp, rn);
	emit_out(e, "\trt_env *env;\n\tint r;\n\n"
	    "\tmemset(&reply, 0, sizeof(reply));\n"
	    "\trt_request_enter(ctx, req);\n"
	    "\tr = %s_%s_on_%s(self, ctx, req, &reply);\n", p, n, mn);
	if (emit_has_bytes(r->fields))
		emit_out(e, "\tif (r == 0) {\n"
		    "\t\textra = %s_%s_extra(&reply);\n"
		    "\t\t/* A reply with bad bytes crashes the actor, as a "
		    "failed\n\t\t * handler would; the asker gets RT_ENOACTOR. "
		    "*/\n\t\tif (extra == SIZE_MAX)\n"
		    "\t\t\tr = RT_EINVAL;\n\t\telse\n"
		    "\t\t\tsize += extra;\n\t}\n", rp, rn);
	else if (emit_needs_copy(r->fields))
		emit_out(e, "\tif (r == 0)\n"
		    "\t\tsize += %s_%s_extra(&reply);\n", rp, rn);
	if (emit_needs_copy(r->fields))
		emit_out(e, "\tr = rt_request_leave(ctx, r, size, &env);\n"
		    "\tif (env != NULL) {\n"
		    "\t\t%s_%s_copy(rt_env_payload(env), &reply);\n", rp, rn);
	else
		emit_out(e, "\tr = rt_request_leave(ctx, r, sizeof(%s_%s), "
		    "&env);\n\tif (env != NULL) {\n"
		    "\t\tmemcpy(rt_env_payload(env), &reply, sizeof(reply));\n",
		    rp, rn);
	emit_out(e, "\t\trt_reply_commit(env);\n\t}\n\treturn r;\n}\n\n");
}

static void
source_dispatch(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	emit_wrapped(e, "static int\n%s_%s_dispatch(void *self, rt_ctx *ctx, "
	    "uint32_t tag, const void *msg)\n{\n", p, n);
	if (a->naccepts + a->nasks == 0) {
		emit_out(e, "\t(void)self;\n\t(void)ctx;\n\t(void)tag;\n"
		    "\t(void)msg;\n\treturn RT_EBADMSG;\n}\n");
		return;
	}
	emit_out(e, "\tswitch ((enum %s_%s_tag)tag) {\n", p, n);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *t = a->accepts[i]->target;
		const char *m = a->accepts[i]->name;

		emit_out(e, "\tcase %s_%s_TAG_%s:\n\t\treturn "
		    "%s_%s_%s_%s((%s_%s *)self, ctx,\n"
		    "\t\t    (const %s_%s *)msg);\n", p, n, m, p, n,
		    emit_reply_of(t) != NULL ? "serve" : "on", m, p, n,
		    ast_prefix(t), m);
	}
	for (i = 0; i < a->nasks; i++) {
		const char *m = a->asks[i]->name;
		const ast_decl *r;

		emit_out(e, "\tcase %s_%s_TAG_%s_reply: {\n"
		    "\t\trt_corr id;\n\t\tint status = rt_reply_status(msg, "
		    "&id);\n\n", p, n, m);
		r = emit_reply_of(a->asks[i]->target);
		emit_wrapped(e, "\t\treturn %s_%s_on_%s_reply((%s_%s *)self, "
		    "ctx, id, status, status == 0 ? (const %s_%s *)msg : "
		    "NULL);\n", p, n, m, p, n, ast_prefix(r), r->name);
		emit_out(e, "\t}\n");
	}
	emit_out(e, "\t}\n\treturn RT_EBADMSG;\n}\n");
}

static void
source_spawn(struct emit *e, const ast_decl *a, bool strings, bool bytes)
{
	const char *p = e->p, *n = a->name;

	emit_wrapped(e, "int\n%s_%s_spawn(rt_system *sys, const %s_%s_args "
	    "*args, %s_%s_ref *out)\n{\n", p, n, p, n, p, n);
	emit_out(e, "\tsize_t size = sizeof(%s_%s_args)%s;\n\trt_env *env;\n"
	    "\tint r;\n\n", p, n, bytes ? ", extra" : "");
	if (bytes)
		emit_out(e, "\tif (args != NULL) {\n"
		    "\t\textra = %s_%s_args_extra(args);\n"
		    "\t\tif (extra == SIZE_MAX)\n\t\t\treturn RT_EINVAL;\n"
		    "\t\tsize += extra;\n\t}\n", p, n);
	else if (strings)
		emit_out(e, "\tif (args != NULL)\n"
		    "\t\tsize += %s_%s_args_extra(args);\n", p, n);
	emit_out(e, "\tr = rt_spawn_prepare(sys, &%s_%s_class, size, &env);\n"
	    "\tif (r != 0)\n\t\treturn r;\n\tif (args != NULL)\n", p, n);
	if (strings)
		emit_out(e, "\t\t%s_%s_args_copy(rt_env_payload(env), args);\n",
		    p, n);
	else
		emit_out(e, "\t\tmemcpy(rt_env_payload(env), args, size);\n");
	/* rt_spawn_commit stores the ref only when it returns 0. */
	emit_out(e, "\telse\n\t\tmemset(rt_env_payload(env), 0, size);\n"
	    "\treturn rt_spawn_commit(env, out != NULL ? &out->ref : NULL);\n"
	    "}\n");
}

/* A's typed registry calls. */
static void
source_registry(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;

	emit_wrapped(e, "\nint\n%s_%s_register(%s_%s_ref a, const char "
	    "*name)\n{\n"
	    "\treturn rt_register(a.ref, name);\n}\n", p, n, p, n);
	emit_wrapped(e, "\nint\n%s_%s_whereis(rt_system *sys, const char "
	    "*name, %s_%s_ref *out)\n{\n\tif (out == NULL)\n"
	    "\t\treturn RT_EINVAL;\n\treturn rt_whereis(sys, name, "
	    "&%s_%s_class, &out->ref);\n}\n", p, n, p, n, p, n);
}

/*
 * The statements that check `var`, a pointer to a message m, and build
 * env, an envelope filled with a copy of it; `return r` on error. `open`
 * is the call that makes the envelope up to its size argument:
 * "rt_reply_token_env(t" for a deferred reply, "rt_publish_new(sys,
 * &P_T_topic" for a publish. (Sends, calls and asks use P_M_env.)
 */
static void
env_body(struct emit *e, const ast_decl *m, const char *var,
    const char *open)
{
	const char *p = ast_prefix(m), *mn = m->name;
	bool strings = emit_needs_copy(m->fields);
	bool bytes = emit_has_bytes(m->fields);

	if (m->fields != NULL)
		emit_out(e, "\tif (%s == NULL)\n\t\treturn RT_EINVAL;\n", var);
	if (bytes)
		emit_out(e, "\textra = %s_%s_extra(%s);\n\tif (extra == "
		    "SIZE_MAX)\n"
		    "\t\treturn RT_EINVAL;\n", p, mn, var);
	if (bytes)
		emit_wrapped(e, "\tr = %s, sizeof(%s_%s) + extra, &env);\n",
		    open, p, mn);
	else if (strings)
		emit_wrapped(e, "\tr = %s, sizeof(%s_%s) + %s_%s_extra(%s), "
		    "&env);\n",
		    open, p, mn, p, mn, var);
	else
		emit_wrapped(e, "\tr = %s, sizeof(%s_%s), &env);\n", open, p,
		    mn);
	emit_out(e, "\tif (r != 0)\n\t\treturn r;\n");
	if (m->fields == NULL)
		emit_out(e, "\tif (%s != NULL)\n"
		    "\t\tmemcpy(rt_env_payload(env), %s, sizeof(%s_%s));\n"
		    "\telse\n\t\tmemset(rt_env_payload(env), 0, "
		    "sizeof(%s_%s));\n", var, var, p, mn, p, mn);
	else if (strings)
		emit_out(e, "\t%s_%s_copy(rt_env_payload(env), "
		    "%s);\n", p, mn, var);
	else
		emit_out(e, "\tmemcpy(rt_env_payload(env), %s, "
		    "sizeof(%s_%s));\n",
		    var, p, mn);
}

/* Locals of a function that runs env_body(). */
static const char *
env_locals(const ast_decl *m)
{
	return emit_has_bytes(m->fields) ? "\tsize_t extra;\n\trt_env *env;\n"
	    "\tint r;\n\n" : "\trt_env *env;\n\tint r;\n\n";
}

/*
 * The envelope builder of message m, which every send, timed send, call
 * and ask of m goes through, whichever actor it is for: P_M_env checks *m,
 * makes an envelope of the size its copy needs for dispatch tag `tag` of
 * `to` and copies *m into it. A request's builder takes the runtime call
 * that makes the envelope (rt_env_new, or rt_request_new for a call or an
 * ask). It is `static inline`: a send compiles to rt_env_new, the copy and
 * rt_env_send, as if written out in it.
 */
static void
source_builder(struct emit *e, const ast_decl *m)
{
	const char *p = ast_prefix(m), *mn = m->name;
	bool strings = emit_needs_copy(m->fields);
	bool bytes = emit_has_bytes(m->fields);
	bool request = emit_reply_of(m) != NULL;
	char size[512];

	emit_wrapped(e, "static inline int\n%s_%s_env(rt_env **env, "
	    "%srt_ref to, uint32_t tag, const %s_%s *m)\n{\n", p, mn, request ?
	    "int (*make)(rt_ref, uint32_t, size_t, rt_env **), " : "", p, mn);
	if (bytes)
		emit_out(e, "\tsize_t size = sizeof(%s_%s), extra;\n", p, mn);
	else if (strings)
		emit_out(e, "\tsize_t size = sizeof(%s_%s);\n", p, mn);
	emit_out(e, "\tint r;\n\n");
	if (m->fields != NULL)
		emit_out(e, "\tif (m == NULL)\n\t\treturn RT_EINVAL;\n");
	if (bytes)
		emit_out(e, "\textra = %s_%s_extra(m);\n"
		    "\tif (extra == SIZE_MAX)\n\t\treturn RT_EINVAL;\n"
		    "\tsize += extra;\n", p, mn);
	else if (strings)
		emit_out(e, "\tsize += %s_%s_extra(m);\n", p, mn);
	if (strings)
		snprintf(size, sizeof(size), "size");
	else
		snprintf(size, sizeof(size), "sizeof(%s_%s)", p, mn);
	emit_wrapped(e, "\tr = %s(to, tag, %s, env);\n\tif (r != 0)\n"
	    "\t\treturn r;\n", request ? "make" : "rt_env_new", size);
	if (m->fields == NULL)
		emit_out(e, "\tif (m != NULL)\n"
		    "\t\tmemcpy(rt_env_payload(*env), m, %s);\n"
		    "\telse\n\t\tmemset(rt_env_payload(*env), 0, %s);\n",
		    size, size);
	else if (strings)
		emit_out(e, "\t%s_%s_copy(rt_env_payload(*env), m);\n", p, mn);
	else
		emit_out(e, "\tmemcpy(rt_env_payload(*env), m, %s);\n", size);
	emit_out(e, "\treturn 0;\n}\n\n");
}

/* The builders of the messages the unit's actors accept, imported ones
 * included, in the order they are first accepted, after a comment on
 * what they do. */
static void
source_builders(struct emit *e)
{
	struct emit_dlist l = { 0 };
	struct emit_pset seen = { 0 };
	bool requests = false;
	const ast_decl *a;
	size_t i;

	for (a = e->unit->decls; a != NULL; a = a->next)
		for (i = 0; a->kind == AST_D_ACTOR && i < a->naccepts; i++)
			emit_dlist_add(&l, &seen, a->accepts[i]->target);
	for (i = 0; i < l.len; i++)
		requests = requests || emit_reply_of(l.at[i]) != NULL;
	if (l.len > 0)
		emit_out(e, "/*\n * Envelopes. P_M_env(&env, to, tag, m), "
		    "which the sends of M to every\n * actor share, checks *m, "
		    "makes an envelope for dispatch tag `tag` of\n * actor "
		    "`to` with rt_env_new and copies *m into it (strings and "
		    "bytes\n * too). It returns 0, RT_EINVAL (a NULL m when M "
		    "has fields, or bad\n * bytes) or the error of rt_env_new."
		    "%s\n */\n", requests ? " The builder of a request M "
		    "takes\n * the call that makes the envelope first, `make`: "
		    "rt_env_new for a send,\n * rt_request_new for a call or "
		    "an ask." : "");
	for (i = 0; i < l.len; i++)
		source_builder(e, l.at[i]);
	free(l.at);
	emit_pset_clear(&seen);
}

/*
 * One function of A for message m (a send, timed send, call or ask): it
 * builds the envelope with P_M_env, then hands it to `tail`, the runtime
 * call that takes it ("rt_env_send(env)"). `head` is the function's
 * return type, name and parameters; `checks` any statements before the
 * envelope is built.
 */
static void
wrapper(struct emit *e, const ast_decl *a, const ast_decl *m,
    const char *head, const char *checks, const char *make,
    const char *var, const char *tail)
{
	const char *p = e->p, *mp = ast_prefix(m);
	char make_arg[64];

	snprintf(make_arg, sizeof(make_arg), "%s, ", make);
	emit_wrapped(e, "%s\n{\n", head);
	if (*checks != '\0') {
		emit_out(e, "\trt_env *env;\n\tint r;\n\n%s", checks);
		emit_wrapped(e, "\tr = %s_%s_env(&env, %sto.ref, %s_%s_TAG_%s, "
		    "%s);\n", mp, m->name, emit_reply_of(m) != NULL ?
		    make_arg : "", p, a->name, m->name, var);
	} else {
		emit_out(e, "\trt_env *env;\n");
		emit_wrapped(e, "\tint r = %s_%s_env(&env, %sto.ref, "
		    "%s_%s_TAG_%s, %s);\n\n", mp, m->name,
		    emit_reply_of(m) != NULL ? make_arg : "", p, a->name,
		    m->name, var);
	}
	emit_wrapped(e, "\treturn r != 0 ? r : %s;\n}\n", tail);
}

/* A's send of m, its twin with options, and its timed sends: once after a
 * delay, and every period (not for a message with C-typed fields, whose
 * copies could not all own them). */
static void
source_sends(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const char *mp = ast_prefix(m);
	char head[1024], tail[512];

	snprintf(head, sizeof(head), "int\n(%s_%s_send_%s)(%s_%s_ref to, "
	    "const %s_%s *msg)", p, n, mn, p, n, mp, mn);
	wrapper(e, a, m, head, "", "rt_env_new", "msg", "rt_env_send(env)");
	snprintf(head, sizeof(head), "\nint\n(%s_%s_send_%s_opt)(%s_%s_ref to, "
	    "const %s_%s *msg, const rt_send_opts *opts)", p, n, mn, p, n, mp,
	    mn);
	wrapper(e, a, m, head, "", "rt_env_new", "msg",
	    "rt_env_send_opts(env, opts)");
	snprintf(head, sizeof(head), "\nint\n(%s_%s_send_%s_after)(%s_%s_ref "
	    "to, const %s_%s *msg, rt_duration delay, rt_timer *out)", p, n,
	    mn, p, n, mp, mn);
	wrapper(e, a, m, head, "", "rt_env_new", "msg",
	    "rt_env_send_after(env, delay, out)");
	if (!emit_every_allowed(m))
		return;
	snprintf(head, sizeof(head), "\nint\n(%s_%s_send_%s_every)(%s_%s_ref "
	    "to, const %s_%s *msg, rt_duration period, rt_timer *out)", p, n,
	    mn, p, n, mp, mn);
	if (emit_needs_copy(m->fields))
		snprintf(tail, sizeof(tail), "rt_env_send_every(env, period, "
		    "%s_%s_clone, out)", mp, mn);
	else
		snprintf(tail, sizeof(tail), "rt_env_send_every(env, period, "
		    "NULL, out)");
	wrapper(e, a, m, head, "", "rt_env_new", "msg", tail);
}

/* A's call and ask of request m: built as its send, with rt_request_new
 * so that the runtime keeps room for where the reply goes. */
static void
source_call_ask(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const ast_decl *r = emit_reply_of(m);
	const char *mp = ast_prefix(m), *rp = ast_prefix(r);
	char head[1024], tail[512], checks[512];

	snprintf(head, sizeof(head), "\nint\n(%s_%s_call_%s)(rt_system *sys, "
	    "%s_%s_ref to, const %s_%s *req, %s_%s *reply, rt_duration "
	    "timeout)", p, n, mn, p, n, mp, mn, rp, r->name);
	/* A reply without fields may be NULL: it then lands in `none`. */
	if (r->fields == NULL)
		snprintf(checks, sizeof(checks), "\tif (reply == NULL)\n"
		    "\t\treply = &none;\n");
	else
		snprintf(checks, sizeof(checks), "\tif (reply == NULL)\n"
		    "\t\treturn RT_EINVAL;\n");
	snprintf(tail, sizeof(tail), "rt_call(sys, env, reply, sizeof(%s_%s), "
	    "timeout)", rp, r->name);
	if (r->fields == NULL) {
		/* wrapper() opens the body; the spare reply comes first. */
		emit_wrapped(e, "%s\n{\n\t%s_%s none;\n", head, rp, r->name);
		emit_out(e, "\trt_env *env;\n\tint r;\n\n%s", checks);
		emit_wrapped(e, "\tr = %s_%s_env(&env, rt_request_new, to.ref, "
		    "%s_%s_TAG_%s, req);\n", mp, mn, p, n, mn);
		emit_wrapped(e, "\treturn r != 0 ? r : %s;\n}\n", tail);
	} else {
		wrapper(e, a, m, head, checks, "rt_request_new", "req", tail);
	}
	snprintf(head, sizeof(head), "\nrt_corr\n(%s_%s_ask_%s)(rt_ctx *ctx, "
	    "%s_%s_ref to, const %s_%s *req, rt_duration timeout)", p, n, mn,
	    p, n, mp, mn);
	snprintf(tail, sizeof(tail), "rt_ask(ctx, env, &%s_%s_request_desc, "
	    "timeout)", mp, mn);
	wrapper(e, a, m, head, "", "rt_request_new", "req", tail);
}

/*
 * A's message printer for crash reports: the message of a local tag, with
 * the printer of its type; a reply that is no answer shows its status.
 */
static void
source_print(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	emit_wrapped(e, "\nstatic void\n%s_%s_print_thunk(FILE *f, uint32_t "
	    "tag, const void *msg)\n{\n", p, n);
	if (a->naccepts + a->nasks == 0) {
		emit_out(e, "\t(void)f;\n\t(void)tag;\n\t(void)msg;\n}\n");
		return;
	}
	emit_out(e, "\tswitch ((enum %s_%s_tag)tag) {\n", p, n);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *t = a->accepts[i]->target;

		emit_out(e, "\tcase %s_%s_TAG_%s:\n", p, n,
		    a->accepts[i]->name);
		emit_wrapped(e, "\t\t%s_%s_print(f, (const %s_%s *)msg);\n"
		    "\t\tbreak;\n", ast_prefix(t), t->name, ast_prefix(t),
		    t->name);
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_decl *r = emit_reply_of(a->asks[i]->target);

		emit_out(e, "\tcase %s_%s_TAG_%s_reply: {\n\t\trt_corr id;\n"
		    "\t\tint status = rt_reply_status(msg, &id);\n\n"
		    "\t\tif (status == 0)\n", p, n, a->asks[i]->name);
		emit_wrapped(e, "\t\t\t%s_%s_print(f, (const %s_%s *)msg);\n",
		    ast_prefix(r), r->name, ast_prefix(r), r->name);
		emit_out(e, "\t\telse\n\t\t\tfprintf(f, \"(%%s)\", "
		    "rt_strerror(status));\n\t\tbreak;\n\t}\n");
	}
	emit_out(e, "\t}\n}\n");
}

/* A's class, and the table of where the replies to its asks go. Hooks
 * and tables it does not have are left out: they are NULL. */
static void
source_class(struct emit *e, const ast_decl *a, bool strings)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	if (a->nasks > 0) {
		emit_out(e, "\nstatic const rt_ask_route %s_%s_asks[] = "
		    "{\n", p, n);
		for (i = 0; i < a->nasks; i++)
			emit_out(e, "\t{ &%s_%s_request_desc, "
			    "%s_%s_TAG_%s_reply },\n",
			    ast_prefix(a->asks[i]->target), a->asks[i]->name, p,
			    n, a->asks[i]->name);
		emit_out(e, "};\n");
	}
	emit_out(e, "\nconst rt_actor_class %s_%s_class = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"%s.%s\",\n"
	    "\t.state_size = sizeof(%s_%s),\n"
	    "\t.state_align = _Alignof(%s_%s),\n"
	    "\t.ntags = %lu,\n", p, n, p, n, p, n, p, n,
	    (unsigned long)(a->naccepts + a->nasks));
	if (a->naccepts + a->nasks > 0)
		emit_out(e, "\t.tag_names = %s_%s_tag_names,\n", p, n);
	emit_out(e, "\t.dispatch = %s_%s_dispatch,\n", p, n);
	if (a->hooks & AST_HOOK_START)
		emit_out(e, "\t.on_start = %s_%s_start_thunk,\n", p, n);
	if (a->hooks & AST_HOOK_STOP)
		emit_out(e, "\t.on_stop = %s_%s_stop_thunk,\n", p, n);
	emit_out(e, "\t.args_size = sizeof(%s_%s_args),\n", p, n);
	if (a->mailbox_bound != 0)
		emit_out(e, "\t.mailbox_bound = %lu,\n"
		    "\t.overflow = RT_OVERFLOW_%s,\n",
		    (unsigned long)a->mailbox_bound,
		    a->overflow == AST_OVERFLOW_DROP ? "DROP" :
		    a->overflow == AST_OVERFLOW_REJECT ? "REJECT" : "BLOCK");
	else
		emit_out(e, "\t.mailbox_bound = 0, /* unbounded */\n"
		    "\t.overflow = RT_OVERFLOW_BLOCK,\n");
	if (a->nasks > 0)
		emit_out(e, "\t.asks = %s_%s_asks,\n\t.nasks = %lu,\n", p, n,
		    (unsigned long)a->nasks);
	if (a->hooks & AST_HOOK_DOWN)
		emit_out(e, "\t.on_down = %s_%s_down_thunk,\n", p, n);
	if (strings)
		emit_out(e, "\t.args_extra = %s_%s_args_extra_thunk,\n"
		    "\t.args_copy = %s_%s_args_copy_thunk,\n", p, n, p, n);
	emit_out(e, "\t.print = %s_%s_print_thunk,\n};\n\n", p, n);
}

static void
source_actor(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	const ast_field *args = a->init != NULL ? a->init->fields : NULL;
	bool strings = emit_needs_copy(args), bytes = emit_has_bytes(args);
	char name[512];
	size_t i;

	emit_out(e, "/* Actor %s. */\n", n);
	if (a->naccepts + a->nasks > 0) {
		emit_out(e, "static const char *const %s_%s_tag_names[] = {\n",
		    p, n);
		for (i = 0; i < a->naccepts; i++)
			emit_out(e, "\t\"%s\",\n", a->accepts[i]->name);
		for (i = 0; i < a->nasks; i++)
			emit_out(e, "\t\"%s_reply\",\n", a->asks[i]->name);
		emit_out(e, "};\n\n");
	}
	for (i = 0; i < a->naccepts; i++) {
		if (emit_reply_of(a->accepts[i]->target) == NULL)
			continue;
		source_serve(e, a, a->accepts[i]->target);
	}
	source_dispatch(e, a);
	if (a->hooks & AST_HOOK_START)
		emit_wrapped(e, "\nstatic int\n"
		    "%s_%s_start_thunk(void *self, rt_ctx *ctx, const void "
		    "*args)\n{\n\treturn %s_%s_on_start((%s_%s *)self, ctx,\n"
		    "\t    (const %s_%s_args *)args);\n"
		    "}\n", p, n, p, n, p, n, p, n);
	if (a->hooks & AST_HOOK_STOP)
		emit_wrapped(e, "\nstatic void\n"
		    "%s_%s_stop_thunk(void *self, rt_ctx *ctx, int reason)\n"
		    "{\n\t%s_%s_on_stop((%s_%s *)self, ctx, reason);\n"
		    "}\n", p, n, p, n, p, n);
	if (a->hooks & AST_HOOK_DOWN)
		emit_wrapped(e, "\nstatic int\n"
		    "%s_%s_down_thunk(void *self, rt_ctx *ctx, rt_ref who, int "
		    "reason)\n{\n\treturn %s_%s_on_down((%s_%s *)self, ctx, "
		    "who, reason);\n}\n", p, n, p, n, p, n);
	if (strings) {
		emit_nested_helpers(e, args);
		snprintf(name, sizeof(name), "%s_%s_args", p, n);
		emit_copy_helpers(e, name, args, a->init);
		emit_out(e, "\n");
		emit_wrapped(e, "\nstatic size_t\n%s_%s_args_extra_thunk("
		    "const void *args)\n{\n\treturn %s_%s_args_extra("
		    "(const %s_%s_args *)args);\n}\n", p, n, p, n, p, n);
		emit_wrapped(e, "\nstatic void\n%s_%s_args_copy_thunk(void "
		    "*dst, const void *args)\n{\n\t%s_%s_args_copy(dst, "
		    "(const %s_%s_args *)args);\n}\n", p, n, p, n, p, n);
	}
	source_print(e, a);
	source_class(e, a, strings);
	source_spawn(e, a, strings, bytes);
	source_registry(e, a);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		emit_out(e, "\n");
		source_sends(e, a, m);
		if (emit_reply_of(m) != NULL)
			source_call_ask(e, a, m);
	}
}

/* The descriptor of each request, and the function that answers it after
 * its handler deferred the reply. */
static void
source_requests(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		const ast_decl *r = emit_reply_of(d);

		if (!any)
			emit_out(e, "/* Requests, and their deferred replies. "
			    "*/\n");
		else
			emit_out(e, "\n");
		any = true;
		emit_wrapped(e, "const rt_request %s_%s_request_desc = { "
		    "\"%s.%s\", sizeof(%s_%s) };\n\n", e->p, d->name, e->p,
		    d->name, ast_prefix(r), r->name);
		emit_wrapped(e, "int\n(%s_reply_%s)(rt_reply_token t, const "
		    "%s_%s *reply)\n{\n%s", e->p, d->name, ast_prefix(r),
		    r->name, env_locals(r));
		env_body(e, r, "reply", "rt_reply_token_env(t");
		emit_out(e, "\trt_reply_commit(env);\n\treturn 0;\n}\n");
	}
	if (any)
		emit_out(e, "\n");
}

/* Topic t: its descriptor, its publish, built as a send with
 * rt_publish_new, and the subscriptions of the actors that accept its
 * message, each with the actor's own tag of it. */
static void
source_topic(struct emit *e, const ast_decl *t)
{
	const ast_decl *m = t->carries->target, *a;
	const char *p = e->p, *tn = t->name;
	char open[512];

	emit_out(e, "\n/* Topic %s. */\n", tn);
	emit_out(e, "const rt_topic %s_%s_topic = { \"%s.%s\" };\n\n", p, tn, p,
	    tn);
	emit_wrapped(e, "int\n(%s_%s_publish)(rt_system *sys, const %s_%s "
	    "*msg)\n"
	    "{\n%s", p, tn, ast_prefix(m), m->name, env_locals(m));
	snprintf(open, sizeof(open), "rt_publish_new(sys, &%s_%s_topic", p,
	    tn);
	env_body(e, m, "msg", open);
	emit_out(e, "\treturn rt_publish(env);\n}\n");
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		emit_wrapped(e, "\nint\n%s_%s_subscribe_%s(%s_%s_ref a)\n"
		    "{\n\treturn rt_subscribe(&%s_%s_topic, a.ref, "
		    "%s_%s_TAG_%s);\n}\n", p, a->name, tn, p, a->name, p, tn, p,
		    a->name, m->name);
		emit_wrapped(e, "\nint\n%s_%s_unsubscribe_%s(%s_%s_ref a)\n{\n"
		    "\treturn rt_unsubscribe(&%s_%s_topic, a.ref);\n}\n", p,
		    a->name, tn, p, a->name, p, tn);
	}
}

static void
emit_source(struct emit *e)
{
	const ast_decl *d;
	bool first = true;

	emit_banner(e);
	emit_out(e, "#include \"");
	emit_put_cstring(e, e->o->h_name);
	emit_out(e, "\"\n\n#include <string.h>\n\n");
	emit_source_messages(e);
	emit_source_printers(e);
	source_requests(e);
	source_builders(e);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ACTOR)
			continue;
		if (!first)
			emit_out(e, "\n");
		first = false;
		source_actor(e, d);
	}
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			source_topic(e, d);
	emit_sup_source(e);
}

void
emit_c(const ast_unit *unit, const emit_c_opts *opts, emit_buf *h,
    emit_buf *c)
{
	struct emit e = { .unit = unit, .o = opts,
		.p = unit->protocol->name };

	e.b = h;
	e.self_name = opts->h_name;
	emit_header(&e);
	e.b = c;
	e.self_name = opts->c_name;
	e.line = 0;
	e.mapped = false;
	emit_source(&e);
	emit_pset_clear(&e.done);
}
