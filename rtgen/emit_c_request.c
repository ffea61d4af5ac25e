/* SPDX-License-Identifier: MIT */
/*
 * Requests in the C emitter (emit_c_int.h): a message M -> R, answered
 * with an R. In the header: each request's descriptor and the function
 * that answers it after its handler deferred the reply, with a
 * type-checking macro; per actor that accepts it, the prototypes and
 * macros of its call and its ask (placed among the actor's sends by
 * emit_c_send.c). In the source: the descriptors and deferred replies;
 * per actor, the helper that runs its handler of a request with a zeroed
 * reply and sends the reply when one is due, and its calls and asks,
 * built as its sends are, with rt_request_new so that the runtime keeps
 * room for where the reply goes (see "Request/reply: the answer's address
 * rides behind the request" in doc/design-notes.md).
 */
#include "emit_c_int.h"

/* ---- the header ------------------------------------------------------ */

/* The descriptors of the requests and their deferred replies. */
void
emit_requests_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	char name[512];
	bool any = false;

	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		if (!any)
			emit_print(e, NULL,
			    "/*\n * Requests: a message M -> R "
			    "is answered with an R. P_M_request_desc\n * "
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
		v.M = d->name;
		v.RP = ast_prefix(emit_reply_of(d));
		v.R = emit_reply_of(d)->name;
		emit_print(e, &v,
		    "extern const rt_request "
		    "$P$_$M$_request_desc;\n");
		emit_wrapped(e, &v,
		    "int $P$_reply_$M$(rt_reply_token t, const "
		    "$RP$_$R$ *reply);\n");
	}
	if (!any)
		return;
	emit_print(e, NULL,
	    "#ifndef __cplusplus\n/* Make a reply of the wrong "
	    "type a hard error. */\n");
	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		v.M = d->name;
		emit_msg_macro(e,
		    emit_sprint(name, sizeof(name), &v, "$P$_reply_$M$"), "t, ",
		    "(t), ", "reply", emit_reply_of(d), "", "");
	}
	emit_print(e, NULL, "#endif\n\n");
}

/* The prototypes of A's call and ask of request m. */
void
emit_call_ask_h(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = emit_reply_of(m);
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.M = m->name,
		.MP = ast_prefix(m),
		.R = r->name,
		.RP = ast_prefix(r) };

	emit_wrapped(e, &v,
	    "int $P$_$A$_call_$M$(rt_system *sys, $P$_$A$_ref "
	    "to, const $MP$_$M$ *req, $RP$_$R$ *reply, rt_duration "
	    "timeout);\n");
	emit_wrapped(e, &v,
	    "rt_corr $P$_$A$_ask_$M$(rt_ctx *ctx, $P$_$A$_ref "
	    "to, const $MP$_$M$ *req, rt_duration timeout);\n");
}

/* The type-checking macros of A's call and ask of request m: the reply of
 * a call is checked too (NULL is allowed only for a reply without
 * fields). */
void
emit_call_ask_macros_h(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = emit_reply_of(m);
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.M = m->name,
		.R = r->name,
		.RP = ast_prefix(r) };
	char name[512], args[512];

	emit_sprint(args, sizeof(args), &v,
	    r->fields != NULL ?
		", _Generic((reply), $RP$_$R$ *: (reply)), (timeout)" :
		", _Generic((reply), $RP$_$R$ *: (reply), void *: (reply)), "
		"(timeout)");
	emit_msg_macro(e,
	    emit_sprint(name, sizeof(name), &v, "$P$_$A$_call_$M$"),
	    "sys, to, ", "(sys), (to), ", "req", m, ", reply, timeout", args);
	emit_msg_macro(e,
	    emit_sprint(name, sizeof(name), &v, "$P$_$A$_ask_$M$"), "ctx, to, ",
	    "(ctx), (to), ", "req", m, ", timeout", ", (timeout)");
}

/* ---- the source ------------------------------------------------------ */

/* The descriptor of each request, and the function that answers it after
 * its handler deferred the reply. */
void
emit_requests_c(struct emit *e)
{
	struct emit_vars v = { .P = e->p,
		.var = "reply",
		.open = "rt_reply_token_env(t" };
	const ast_decl *d;
	bool any = false;

	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		const ast_decl *r = emit_reply_of(d);

		if (!any)
			emit_print(e, NULL,
			    "/* Requests, and their deferred "
			    "replies. */\n");
		else
			emit_print(e, NULL, "\n");
		any = true;
		v.M = d->name;
		v.RP = ast_prefix(r);
		v.R = r->name;
		v.text = emit_env_locals(r);
		emit_wrapped(e, &v,
		    "const rt_request $P$_$M$_request_desc = { "
		    "\"$P$.$M$\", sizeof($RP$_$R$) };\n\n");
		emit_wrapped(e, &v,
		    "int\n($P$_reply_$M$)(rt_reply_token t, "
		    "const $RP$_$R$ *reply)\n{\n$text$");
		emit_env_body(e, r, &v);
		emit_print(e, NULL,
		    "\trt_reply_commit(env);\n\treturn 0;\n}\n");
	}
	if (any)
		emit_print(e, NULL, "\n");
}

/* A's helper that runs its handler of request m with a zeroed reply and
 * sends the reply when one is due now (see rt_request_leave). */
void
emit_serve_c(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = emit_reply_of(m);
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.M = m->name,
		.MP = ast_prefix(m),
		.R = r->name,
		.RP = ast_prefix(r) };
	bool bytes = emit_has_bytes(r->fields);
	bool strings = emit_needs_copy(r->fields);

	emit_wrapped(e, &v,
	    "static int\n$P$_$A$_serve_$M$($P$_$A$ *self, "
	    "rt_ctx *ctx, const $MP$_$M$ *req)\n{\n");
	emit_print(e, &v, "\t$RP$_$R$ reply;\n");
	if (bytes)
		emit_print(e, &v, "\tsize_t size = sizeof($RP$_$R$), extra;\n");
	else if (strings)
		emit_print(e, &v, "\tsize_t size = sizeof($RP$_$R$);\n");
	emit_print(e, &v,
	    "\trt_env *env;\n\tint r;\n\n"
	    "\tmemset(&reply, 0, sizeof(reply));\n"
	    "\trt_request_enter(ctx, req);\n"
	    "\tr = $P$_$A$_on_$M$(self, ctx, req, &reply);\n");
	if (bytes)
		emit_print(e, &v,
		    "\tif (r == 0) {\n"
		    "\t\textra = $RP$_$R$_extra(&reply);\n"
		    "\t\t/* A reply with bad bytes crashes the actor, as a "
		    "failed\n\t\t * handler would; the asker gets RT_ENOACTOR. "
		    "*/\n\t\tif (extra == SIZE_MAX)\n"
		    "\t\t\tr = RT_EINVAL;\n\t\telse\n"
		    "\t\t\tsize += extra;\n\t}\n");
	else if (strings)
		emit_print(e, &v,
		    "\tif (r == 0)\n"
		    "\t\tsize += $RP$_$R$_extra(&reply);\n");
	if (strings)
		emit_print(e, &v,
		    "\tr = rt_request_leave(ctx, r, size, &env);\n"
		    "\tif (env != NULL) {\n"
		    "\t\t$RP$_$R$_copy(rt_env_payload(env), &reply);\n");
	else
		emit_print(e, &v,
		    "\tr = rt_request_leave(ctx, r, "
		    "sizeof($RP$_$R$), &env);\n\tif (env != NULL) {\n"
		    "\t\tmemcpy(rt_env_payload(env), &reply, sizeof(reply));\n");
	emit_print(e, NULL,
	    "\t\trt_reply_commit(env);\n\t}\n\treturn r;\n}\n\n");
}

/* A's call and ask of request m: built as its sends are, with
 * rt_request_new. A reply without fields may be NULL: it then lands in a
 * spare one, `none`. */
void
emit_call_ask_c(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = emit_reply_of(m);
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.M = m->name,
		.MP = ast_prefix(m),
		.R = r->name,
		.RP = ast_prefix(r),
		.make = "rt_request_new",
		.var = "req" };

	emit_wrapper_head(e, &v,
	    "\nint\n($P$_$A$_call_$M$)(rt_system *sys, "
	    "$P$_$A$_ref to, const $MP$_$M$ *req, $RP$_$R$ *reply, "
	    "rt_duration timeout)");
	if (r->fields == NULL) {
		emit_wrapped(e, &v, "\t$RP$_$R$ none;\n");
		v.checks = "\tif (reply == NULL)\n\t\treply = &none;\n";
	} else {
		v.checks = "\tif (reply == NULL)\n\t\treturn RT_EINVAL;\n";
	}
	emit_wrapper_body(e, a, m, &v,
	    "rt_call(sys, env, reply, "
	    "sizeof($RP$_$R$), timeout)");
	v.checks = "";
	emit_wrapper_head(e, &v,
	    "\nrt_corr\n($P$_$A$_ask_$M$)(rt_ctx *ctx, "
	    "$P$_$A$_ref to, const $MP$_$M$ *req, rt_duration timeout)");
	emit_wrapper_body(e, a, m, &v,
	    "rt_ask(ctx, env, &$MP$_$M$_request_desc, "
	    "timeout)");
}
