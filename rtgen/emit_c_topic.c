/* SPDX-License-Identifier: MIT */
/*
 * Topics in the C emitter (emit_c_int.h; include/rt/topic.h). In the
 * header: one comment on how topics work, then per topic its descriptor,
 * its publish with a type-checking macro and the subscriptions of each
 * actor that accepts its message. In the source: the descriptor, the
 * publish, which hands a message with nothing outside its struct to
 * rt_publish_copy and copies any other once into an envelope made with
 * rt_publish_new, and the subscriptions, each with the actor's own
 * dispatch tag of the message (see "Topics: one copy per publish, an
 * immutable subscriber array" in doc/design-notes.md).
 */
#include "emit_c_int.h"

/* How topics work, for the comment on them. */
static const char topics_text[] =
    "/*\n"
    " * Topics. P_T_publish delivers msg to every actor subscribed to T in\n"
    " * sys, through its handler of M. It borrows msg and copies it: a\n"
    " * small M with no strings or bytes into each delivery, any other once\n"
    " * (strings and bytes too), for all the subscribers to share.\n"
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
topic_h(struct emit *e, const ast_decl *t)
{
	const ast_decl *m = t->carries->target, *a;
	struct emit_vars v = { .P = e->p,
		.T = t->name,
		.M = m->name,
		.MP = ast_prefix(m) };
	char name[512];

	emit_print(e, &v, "extern const rt_topic $P$_$T$_topic;\n");
	emit_wrapped(e, &v,
	    "int $P$_$T$_publish(rt_system *sys, const "
	    "$MP$_$M$ *msg);\n");
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		v.A = a->name;
		emit_print(e, &v,
		    "int $P$_$A$_subscribe_$T$($P$_$A$_ref a);\n"
		    "int $P$_$A$_unsubscribe_$T$($P$_$A$_ref a);\n");
	}
	emit_print(e, NULL,
	    "#ifndef __cplusplus\n/* Make a message of the "
	    "wrong type a hard error. */\n");
	emit_msg_macro(e,
	    emit_sprint(name, sizeof(name), &v, "$P$_$T$_publish"), "sys, ",
	    "(sys), ", "msg", m, "", "");
	emit_print(e, NULL, "#endif\n\n");
}

void
emit_topics_h(struct emit *e)
{
	const ast_decl *d;

	if (emit_any_topic(e->unit))
		emit_print(e, NULL, topics_text);
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			topic_h(e, d);
}

/* Topic t: its descriptor, its publish (rt_publish_copy of a message with
 * nothing outside its struct, else built as a send with rt_publish_new),
 * and the subscriptions of the actors that accept its message, each with
 * the actor's own tag of it. */
static void
topic_c(struct emit *e, const ast_decl *t)
{
	const ast_decl *m = t->carries->target, *a;
	struct emit_vars v = { .P = e->p,
		.T = t->name,
		.M = m->name,
		.MP = ast_prefix(m),
		.var = "msg",
		.text = emit_env_locals(m) };
	char open[512];

	emit_print(e, &v,
	    "\n/* Topic $T$. */\n"
	    "const rt_topic $P$_$T$_topic = { \"$P$.$T$\" };\n\n");
	emit_wrapped(e, &v,
	    "int\n($P$_$T$_publish)(rt_system *sys, const "
	    "$MP$_$M$ *msg)\n{\n");
	if (emit_needs_copy(m->fields) || emit_has_bytes(m->fields)) {
		emit_print(e, &v, "$text$");
		v.open = emit_sprint(open, sizeof(open), &v,
		    "rt_publish_new(sys, &$P$_$T$_topic");
		emit_env_body(e, m, &v);
		emit_print(e, NULL, "\treturn rt_publish(env);\n}\n");
	} else {
		/* Nothing outside the struct: small ones are copied to each
		 * subscriber (rt_publish_copy). */
		if (m->fields != NULL)
			emit_print(e, &v,
			    "\tif ($var$ == NULL)\n\t\treturn RT_EINVAL;\n");
		emit_wrapped(e, &v,
		    "\treturn rt_publish_copy(sys, &$P$_$T$_topic, $var$, "
		    "sizeof($MP$_$M$));\n}\n");
	}
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		v.A = a->name;
		emit_wrapped(e, &v,
		    "\nint\n$P$_$A$_subscribe_$T$($P$_$A$_ref a)"
		    "\n{\n\treturn rt_subscribe(&$P$_$T$_topic, a.ref, "
		    "$P$_$A$_TAG_$M$);\n}\n");
		emit_wrapped(e, &v,
		    "\nint\n$P$_$A$_unsubscribe_$T$($P$_$A$_ref "
		    "a)\n{\n\treturn rt_unsubscribe(&$P$_$T$_topic, a.ref);\n}\n");
	}
}

void
emit_topics_c(struct emit *e)
{
	const ast_decl *d;

	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			topic_c(e, d);
}
