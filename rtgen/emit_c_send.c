/* SPDX-License-Identifier: MIT */
/*
 * Sends in the C emitter (emit_c_int.h). Every send, timed send, call and
 * ask of a message M, to any actor, builds its envelope through one
 * `static inline` builder in the source, P_M_env, which checks the
 * message, sizes the envelope and copies the message into it; the public
 * functions only build and hand the envelope to the runtime call that
 * takes it (see "Generated sends share one builder per message" in
 * doc/design-notes.md). In the header, per actor: the prototypes of its
 * sends and their twins, with those of its calls and asks
 * (emit_c_request.c), then their type-checking macros. In the source: the
 * builders, before the first actor, and per actor its sends, calls and
 * asks. Deferred replies and publishes build their envelopes in place,
 * with emit_env_body.
 */
#include "emit_c_int.h"

#include <stdlib.h>

/* A send of M to actor A and its twins, P_A_send_M<suffix>. */
static const struct send {
	const char *suffix;
	const char *params;  /* its parameters after msg */
	const char *mparams; /* its macro's parameters after msg */
	const char *margs;   /* and how the macro passes them on */
	const char *tail;    /* the runtime call that takes the envelope */
} sends[] = {
	{ "", "", "", "", "rt_env_send(env)" },
	{ "_opt", ", const rt_send_opts *opts", ", opts", ", (opts)",
	    "rt_env_send_opts(env, opts)" },
	{ "_after", ", rt_duration delay, rt_timer *out", ", delay, out",
	    ", (delay), (out)", "rt_env_send_after(env, delay, out)" },
	/* The copies a periodic timer sends are made with P_M_clone. */
	{ "_every", ", rt_duration period, rt_timer *out", ", period, out",
	    ", (period), (out)", NULL },
};

/* How many of the sends A has for m: no _every for a message with
 * C-typed fields, whose copies could not all own what they point to. */
static size_t
nsends(const ast_decl *m)
{
	return emit_every_allowed(m) ? 4 : 3;
}

/* ---- the header ------------------------------------------------------ */

void
emit_sends_h(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	char name[512];
	size_t i, k;

	for (i = 0; i < a->naccepts; i++) {
		const ast_name *m = a->accepts[i];

		v.M = m->name;
		v.MP = ast_prefix(m->target);
		for (k = 0; k < nsends(m->target); k++) {
			v.suffix = sends[k].suffix;
			v.params = sends[k].params;
			emit_wrapped(e, &v,
			    "int $P$_$A$_send_$M$$suffix$("
			    "$P$_$A$_ref to, const $MP$_$M$ *msg$params$);\n");
		}
		if (emit_reply_of(m->target) != NULL)
			emit_call_ask_h(e, a, m->target);
	}
	if (a->naccepts == 0)
		return;
	emit_print(e, NULL, "#ifndef __cplusplus\n");
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		v.M = m->name;
		for (k = 0; k < nsends(m); k++) {
			v.suffix = sends[k].suffix;
			emit_msg_macro(e,
			    emit_sprint(name, sizeof(name), &v,
				"$P$_$A$_send_$M$$suffix$"),
			    "to, ", "(to), ", "msg", m, sends[k].mparams,
			    sends[k].margs);
		}
		if (emit_reply_of(m) != NULL)
			emit_call_ask_macros_h(e, a, m);
	}
	emit_print(e, NULL, "#endif\n");
}

/* ---- the source: builders -------------------------------------------- */

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
builder_c(struct emit *e, const ast_decl *m)
{
	struct emit_vars v = { .MP = ast_prefix(m), .M = m->name };
	bool strings = emit_needs_copy(m->fields);
	bool bytes = emit_has_bytes(m->fields);
	bool request = emit_reply_of(m) != NULL;
	char size[512];

	v.params = request ?
	    "int (*make)(rt_ref, uint32_t, size_t, rt_env **), " :
	    "";
	emit_wrapped(e, &v,
	    "static inline int\n$MP$_$M$_env(rt_env **env, "
	    "$params$rt_ref to, uint32_t tag, const $MP$_$M$ *m)\n{\n");
	if (bytes)
		emit_print(e, &v, "\tsize_t size = sizeof($MP$_$M$), extra;\n");
	else if (strings)
		emit_print(e, &v, "\tsize_t size = sizeof($MP$_$M$);\n");
	emit_print(e, NULL, "\tint r;\n\n");
	if (m->fields != NULL)
		emit_print(e, NULL,
		    "\tif (m == NULL)\n\t\treturn RT_EINVAL;\n");
	if (bytes)
		emit_print(e, &v,
		    "\textra = $MP$_$M$_extra(m);\n"
		    "\tif (extra == SIZE_MAX)\n\t\treturn RT_EINVAL;\n"
		    "\tsize += extra;\n");
	else if (strings)
		emit_print(e, &v, "\tsize += $MP$_$M$_extra(m);\n");
	v.size = emit_sprint(size, sizeof(size), &v,
	    strings ? "size" : "sizeof($MP$_$M$)");
	v.make = request ? "make" : "rt_env_new";
	emit_wrapped(e, &v,
	    "\tr = $make$(to, tag, $size$, env);\n"
	    "\tif (r != 0)\n\t\treturn r;\n");
	if (m->fields == NULL)
		emit_print(e, &v,
		    "\tif (m != NULL)\n"
		    "\t\tmemcpy(rt_env_payload(*env), m, $size$);\n"
		    "\telse\n\t\tmemset(rt_env_payload(*env), 0, $size$);\n");
	else if (strings)
		emit_print(e, &v,
		    "\t$MP$_$M$_copy(rt_env_payload(*env), m);\n");
	else
		emit_print(e, &v,
		    "\tmemcpy(rt_env_payload(*env), m, $size$);\n");
	emit_print(e, NULL, "\treturn 0;\n}\n\n");
}

/* The builders of the messages the unit's actors accept, imported ones
 * included, in the order they are first accepted, after a comment on
 * what they do. */
void
emit_builders_c(struct emit *e)
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
	if (l.len > 0) {
		emit_print(e, NULL,
		    "/*\n * Envelopes. P_M_env(&env, to, tag, "
		    "m), which the sends of M to every\n * actor share, checks "
		    "*m, makes an envelope for dispatch tag `tag` of\n * actor "
		    "`to` with rt_env_new and copies *m into it (strings and "
		    "bytes\n * too). It returns 0, RT_EINVAL (a NULL m when M "
		    "has fields, or bad\n * bytes) or the error of "
		    "rt_env_new.");
		if (requests)
			emit_print(e, NULL,
			    " The builder of a request M "
			    "takes\n * the call that makes the envelope first, "
			    "`make`: rt_env_new for a send,\n * rt_request_new "
			    "for a call or an ask.");
		emit_print(e, NULL, "\n */\n");
	}
	for (i = 0; i < l.len; i++)
		builder_c(e, l.at[i]);
	free(l.at);
	emit_pset_clear(&seen);
}

/* ---- the source: sends ----------------------------------------------- */

/*
 * A function of A for message m (a send, timed send, call or ask) that
 * builds its envelope with P_M_env, then hands it to the runtime call
 * that takes it. emit_wrapper_head writes its head, `head` expanded with
 * v; emit_wrapper_body its body: v->checks (statements before the build,
 * or ""), the build with v->make (the call that makes a request's
 * envelope) from v->var (its message parameter), and the return of
 * `tail` expanded with v. The head and the tail are cut as they were when
 * written into buffers of 1024 and 512 bytes.
 */
void
emit_wrapper_head(struct emit *e, const struct emit_vars *v, const char *head)
{
	struct emit_vars w = *v;
	char buf[1024];

	w.head = emit_sprint(buf, sizeof(buf), v, head);
	emit_wrapped(e, &w, "$head$\n{\n");
}

void
emit_wrapper_body(struct emit *e, const ast_decl *a, const ast_decl *m,
    const struct emit_vars *v, const char *tail)
{
	struct emit_vars w = *v;
	char buf[512], make[64];

	w.tail = emit_sprint(buf, sizeof(buf), v, tail);
	w.P = e->p;
	w.A = a->name;
	w.M = m->name;
	w.MP = ast_prefix(m);
	/* The builder of a request takes the call that makes it first. */
	w.make = emit_reply_of(m) != NULL ?
	    emit_sprint(make, sizeof(make), v, "$make$, ") :
	    "";
	if (*v->checks != '\0') {
		emit_print(e, &w, "\trt_env *env;\n\tint r;\n\n$checks$");
		emit_wrapped(e, &w,
		    "\tr = $MP$_$M$_env(&env, $make$to.ref, "
		    "$P$_$A$_TAG_$M$, $var$);\n");
	} else {
		emit_print(e, NULL, "\trt_env *env;\n");
		emit_wrapped(e, &w,
		    "\tint r = $MP$_$M$_env(&env, $make$to.ref, "
		    "$P$_$A$_TAG_$M$, $var$);\n\n");
	}
	emit_wrapped(e, &w, "\treturn r != 0 ? r : $tail$;\n}\n");
}

/* A's sends of each message it accepts, and its calls and asks of each
 * request. */
void
emit_sends_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.checks = "",
		.make = "rt_env_new",
		.var = "msg" };
	size_t i, k;

	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		v.M = m->name;
		v.MP = ast_prefix(m);
		emit_print(e, NULL, "\n");
		for (k = 0; k < nsends(m); k++) {
			/* The plain send opens with no blank line. */
			v.sep = k == 0 ? "" : "\n";
			v.suffix = sends[k].suffix;
			v.params = sends[k].params;
			emit_wrapper_head(e, &v,
			    "$sep$int\n"
			    "($P$_$A$_send_$M$$suffix$)($P$_$A$_ref to, "
			    "const $MP$_$M$ *msg$params$)");
			emit_wrapper_body(e, a, m, &v,
			    sends[k].tail != NULL ?
				sends[k].tail :
				emit_needs_copy(m->fields) ?
				"rt_env_send_every(env, period, $MP$_$M$_clone, out)" :
				"rt_env_send_every(env, period, NULL, out)");
		}
		if (emit_reply_of(m) != NULL)
			emit_call_ask_c(e, a, m);
	}
}

/* ---- the source: envelopes built in place ---------------------------- */

/* The locals of a function that runs emit_env_body(). */
const char *
emit_env_locals(const ast_decl *m)
{
	return emit_has_bytes(m->fields) ? "\tsize_t extra;\n\trt_env *env;\n"
					   "\tint r;\n\n" :
					   "\trt_env *env;\n\tint r;\n\n";
}

/*
 * The statements that check v->var, a pointer to a message m, and build
 * env, an envelope filled with a copy of it; `return r` on error.
 * v->open is the call that makes the envelope up to its size argument:
 * "rt_reply_token_env(t" for a deferred reply, "rt_publish_new(sys,
 * &P_T_topic" for a publish. (Sends, calls and asks use P_M_env.)
 */
void
emit_env_body(struct emit *e, const ast_decl *m, const struct emit_vars *v)
{
	struct emit_vars w = *v;
	bool strings = emit_needs_copy(m->fields);
	bool bytes = emit_has_bytes(m->fields);

	w.MP = ast_prefix(m);
	w.M = m->name;
	if (m->fields != NULL)
		emit_print(e, &w,
		    "\tif ($var$ == NULL)\n\t\treturn RT_EINVAL;\n");
	if (bytes) {
		emit_print(e, &w,
		    "\textra = $MP$_$M$_extra($var$);\n"
		    "\tif (extra == SIZE_MAX)\n\t\treturn RT_EINVAL;\n");
		emit_wrapped(e, &w,
		    "\tr = $open$, sizeof($MP$_$M$) + extra, "
		    "&env);\n");
	} else if (strings) {
		emit_wrapped(e, &w,
		    "\tr = $open$, sizeof($MP$_$M$) + "
		    "$MP$_$M$_extra($var$), &env);\n");
	} else {
		emit_wrapped(e, &w, "\tr = $open$, sizeof($MP$_$M$), &env);\n");
	}
	emit_print(e, NULL, "\tif (r != 0)\n\t\treturn r;\n");
	if (m->fields == NULL)
		emit_print(e, &w,
		    "\tif ($var$ != NULL)\n"
		    "\t\tmemcpy(rt_env_payload(env), $var$, sizeof($MP$_$M$));\n"
		    "\telse\n"
		    "\t\tmemset(rt_env_payload(env), 0, sizeof($MP$_$M$));\n");
	else if (strings)
		emit_print(e, &w,
		    "\t$MP$_$M$_copy(rt_env_payload(env), $var$);\n");
	else
		emit_print(e, &w,
		    "\tmemcpy(rt_env_payload(env), $var$, "
		    "sizeof($MP$_$M$));\n");
}
