/* SPDX-License-Identifier: MIT */
/*
 * Pools in the C emitter (DESIGN.md §10.4, `pool W : K size N route R`;
 * emit_c_int.h). A pool is a one_for_one supervisor of N members of actor
 * K behind a router (include/rt/router.h). In the header: the pools' refs
 * (beside the supervisors', so that a supervisor's lookup of a pool child
 * can return one), one comment on what their functions do, then per pool
 * its specs, start, and a send per message K accepts, with a call and an
 * ask per request (none for broadcast), each with the type-checking macro
 * of K's own. In the source: the table of members, the rt_sup_spec and
 * rt_pool_spec, and the functions. Each is a pick (rt_pool_pick, with the
 * key of hash(field) computed here from the message) followed by K's own
 * send, call or ask to the member picked, so that the envelope is built
 * by the one builder of the message (emit_c_send.c) and nothing of a send
 * is written twice.
 */
#include "emit_c_int.h"

#include <stdio.h>
#include <string.h>

static const char *const routes[] = { "RT_ROUTE_ROUND_ROBIN", "RT_ROUTE_RANDOM",
	"RT_ROUTE_LEAST_LOADED", "RT_ROUTE_BROADCAST", "RT_ROUTE_HASH" };

void
emit_pool_refs_h(struct emit *e)
{
	emit_refs_h(e, AST_D_POOL,
	    "/* References to pools, one type per "
	    "pool. */\n");
}

/* The member kind of a pool. */
static const ast_decl *
kind_of(const ast_decl *pool)
{
	return pool->member->target;
}

static bool
broadcast(const ast_decl *pool)
{
	return pool->route_kind == AST_ROUTE_BROADCAST;
}

/* What the functions of the unit's pools do, once before the first. */
static void
pools_text_h(struct emit *e)
{
	emit_print(e, NULL,
	    "/*\n * Pools. P_W_start starts pool W as a root "
	    "supervisor, and through it\n * its members, and stores its ref "
	    "in *out (out may be NULL); it returns\n * what P_S_start "
	    "returns. P_W_spec is its supervisor's spec, to start it\n * as "
	    "the child of another supervisor; P_W_pool its router's.\n"
	    " * P_W_member stores the ref of member `index` (0 to N - 1, the "
	    "same\n * across its restarts) in *out (out may be NULL); it "
	    "returns 0, or\n * RT_ENOACTOR (no such member, or the pool has "
	    "stopped).\n"
	    " * P_W_send_M sends a copy of msg to the member the route "
	    "picks, as the\n * member kind's P_K_send_M does; P_W_call_M "
	    "and P_W_ask_M likewise for a\n * request. They return what "
	    "those return, or the error of rt_pool_pick\n * (RT_ENOACTOR: "
	    "the pool has stopped, or the member to pick is not\n * there). "
	    "A broadcast sends a copy to every member and returns 0 when\n"
	    " * each took it, else the error of the first that did not (the "
	    "others\n * keep theirs); it has no calls or asks (one request, "
	    "one reply).\n */\n\n");
}

/* The comment on pool w: its members, route and intensity. */
static void
comment_h(struct emit *e, const ast_decl *w)
{
	struct emit_vars v = { .W = w->name,
		.K = kind_of(w)->name,
		.strategy = ast_route_keyword(w->route_kind) };
	char n[EMIT_NUM], in[EMIT_NUM], a[64], route[256];

	v.N = emit_num(n, w->size);
	v.intensity = emit_num(in, w->intensity);
	v.period = ast_duration_text(a, sizeof(a), w->period);
	if (w->route_kind == AST_ROUTE_HASH) {
		snprintf(route, sizeof(route), "hash(%s)",
		    w->route_field->name);
		v.strategy = route;
	}
	emit_comment(e, &v,
	    "Pool $W$ (see \"Pools\" above): $N$ members of "
	    "actor $K$, routed $strategy$, at most $intensity$ restarts "
	    "within $period$.");
}

void
emit_pools_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *w;
	bool first = true;
	char name[512];
	size_t i;

	for (w = e->unit->decls; w != NULL; w = w->next) {
		const ast_decl *k;

		if (w->kind != AST_D_POOL)
			continue;
		if (first)
			pools_text_h(e);
		first = false;
		comment_h(e, w);
		k = kind_of(w);
		v.W = w->name;
		emit_print(e, &v,
		    "extern const rt_sup_spec $P$_$W$_spec;\n"
		    "extern const rt_pool_spec $P$_$W$_pool;\n");
		emit_wrapped(e, &v,
		    "int $P$_$W$_start(rt_system *sys, "
		    "$P$_$W$_ref *out);\n");
		v.K = k->name;
		v.KP = ast_prefix(k);
		emit_wrapped(e, &v,
		    "int $P$_$W$_member($P$_$W$_ref p, uint32_t index, "
		    "$KP$_$K$_ref *out);\n");
		for (i = 0; i < k->naccepts; i++) {
			const ast_decl *m = k->accepts[i]->target;

			v.M = m->name;
			v.MP = ast_prefix(m);
			emit_wrapped(e, &v,
			    "int $P$_$W$_send_$M$($P$_$W$_ref to, "
			    "const $MP$_$M$ *msg);\n");
			if (emit_reply_of(m) != NULL && !broadcast(w))
				emit_call_ask_h(e, w, m);
		}
		if (k->naccepts > 0) {
			emit_print(e, NULL, "#ifndef __cplusplus\n");
			for (i = 0; i < k->naccepts; i++) {
				const ast_decl *m = k->accepts[i]->target;

				v.M = m->name;
				emit_msg_macro(e,
				    emit_sprint(name, sizeof(name), &v,
					"$P$_$W$_send_$M$"),
				    "to, ", "(to), ", "msg", m, "", "");
				if (emit_reply_of(m) != NULL && !broadcast(w))
					emit_call_ask_macros_h(e, w, m);
			}
			emit_print(e, NULL, "#endif\n");
		}
		emit_print(e, NULL, "\n");
	}
}

/* The key of hash(field) of message m, read from `var`, as C. */
static const char *
key_c(char *buf, size_t size, const ast_decl *w, const ast_decl *m,
    const char *var)
{
	const ast_field *f;
	struct emit_vars v = { .var = var };

	if (w->route_kind != AST_ROUTE_HASH)
		return "0";
	for (f = m->fields; f != NULL; f = f->next)
		if (strcmp(f->name, w->route_field->name) == 0)
			break;
	v.F = f->name;
	switch (f->type.kind) {
	case AST_T_STRING:
		return emit_sprint(buf, size, &v,
		    "$var$ != NULL ? rt_hash_str($var$->$F$) : 0");
	case AST_T_BYTES:
		return emit_sprint(buf, size, &v,
		    "$var$ != NULL ? rt_hash_bytes($var$->$F$.data, "
		    "$var$->$F$.len) : 0");
	case AST_T_REF:
		return emit_sprint(buf, size, &v,
		    "$var$ != NULL ? rt_hash_ref($var$->$F$.ref) : 0");
	default:
		/* Integers (a signed one sign-extended), bool, enums. */
		return emit_sprint(buf, size, &v,
		    "$var$ != NULL ? (uint64_t)$var$->$F$ : 0");
	}
}

/* The members' table, the specs and the start of pool w. */
static void
specs_c(struct emit *e, const ast_decl *w)
{
	const ast_decl *k = kind_of(w);
	struct emit_vars v = { .P = e->p,
		.W = w->name,
		.K = k->name,
		.KP = ast_prefix(k),
		.strategy = routes[w->route_kind] };
	char n[EMIT_NUM], in[EMIT_NUM], a[64];
	uint64_t i;

	emit_print(e, &v,
	    "\n/* Pool $W$: its members, in index order. */\n"
	    "static const rt_child_spec $P$_$W$_children[] = {\n");
	for (i = 0; i < w->size; i++) {
		v.N = emit_num(n, i);
		emit_wrapped(e, &v,
		    "\t{ \"$K$.$N$\", &$KP$_$K$_class, NULL, NULL, "
		    "RT_PERMANENT, RT_SEC(5), 0, 0 },\n");
	}
	v.N = emit_num(n, w->size);
	v.intensity = emit_num(in, w->intensity);
	v.period = emit_num(a, w->period);
	emit_print(e, &v,
	    "};\n\nconst rt_sup_spec $P$_$W$_spec = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"$W$\",\n"
	    "\t.strategy = RT_ONE_FOR_ONE,\n\t.intensity = $intensity$,\n"
	    "\t.period = RT_NS($period$),\n\t.backoff_min = 0,\n"
	    "\t.backoff_max = 0,\n\t.nchildren = $N$,\n"
	    "\t.children = $P$_$W$_children,\n};\n\n"
	    "const rt_pool_spec $P$_$W$_pool = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.sup = &$P$_$W$_spec,\n"
	    "\t.size = $N$,\n\t.route = $strategy$,\n};\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$W$_start(rt_system *sys, $P$_$W$_ref "
	    "*out)\n{\n\trt_ref ref;\n\tint r = rt_pool_start(sys, "
	    "&$P$_$W$_pool, &ref);\n\n\tif (r == 0 && out != NULL)\n"
	    "\t\tout->ref = ref;\n\treturn r;\n}\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$W$_member($P$_$W$_ref p, uint32_t index, "
	    "$KP$_$K$_ref *out)\n{\n\trt_ref ref;\n"
	    "\tint r = rt_pool_member(p.ref, index, &ref);\n\n"
	    "\tif (r == 0 && out != NULL)\n\t\tout->ref = ref;\n"
	    "\treturn r;\n}\n");
}

/* The send of m through pool w: a pick, or every member for a
 * broadcast, and K's own send. */
static void
send_c(struct emit *e, const ast_decl *w, const ast_decl *m)
{
	const ast_decl *k = kind_of(w);
	struct emit_vars v = { .P = e->p,
		.W = w->name,
		.K = k->name,
		.KP = ast_prefix(k),
		.M = m->name,
		.MP = ast_prefix(m) };
	char key[512], n[EMIT_NUM];

	emit_wrapped(e, &v,
	    "\nint\n($P$_$W$_send_$M$)($P$_$W$_ref to, "
	    "const $MP$_$M$ *msg)\n{\n");
	if (broadcast(w)) {
		v.N = emit_num(n, w->size);
		emit_print(e, &v,
		    "\tint first = 0;\n\tuint32_t i;\n\n"
		    "\tfor (i = 0; i < $N$; i++) {\n"
		    "\t\t$KP$_$K$_ref m;\n");
		emit_wrapped(e, &v,
		    "\t\tint r = rt_pool_member(to.ref, i, &m.ref);\n\n");
		emit_wrapped(e, &v,
		    "\t\tif (r == 0)\n\t\t\tr = ($KP$_$K$_send_$M$)(m, msg);\n");
		emit_print(e, NULL,
		    "\t\tif (r != 0 && first == 0)\n\t\t\tfirst = r;\n"
		    "\t}\n\treturn first;\n}\n");
		return;
	}
	v.key = key_c(key, sizeof(key), w, m, "msg");
	emit_print(e, &v, "\t$KP$_$K$_ref m;\n");
	emit_wrapped(e, &v,
	    "\tint r = rt_pool_pick(to.ref, &$P$_$W$_pool, $key$, "
	    "&m.ref);\n\n");
	emit_wrapped(e, &v,
	    "\treturn r != 0 ? r : ($KP$_$K$_send_$M$)(m, msg);\n}\n");
}

/* The call and the ask of request m through pool w. */
static void
call_ask_c(struct emit *e, const ast_decl *w, const ast_decl *m)
{
	const ast_decl *k = kind_of(w), *r = emit_reply_of(m);
	struct emit_vars v = { .P = e->p,
		.W = w->name,
		.K = k->name,
		.KP = ast_prefix(k),
		.M = m->name,
		.MP = ast_prefix(m),
		.R = r->name,
		.RP = ast_prefix(r) };
	char key[512];

	v.key = key_c(key, sizeof(key), w, m, "req");
	emit_wrapped(e, &v,
	    "\nint\n($P$_$W$_call_$M$)(rt_system *sys, "
	    "$P$_$W$_ref to, const $MP$_$M$ *req, $RP$_$R$ *reply, "
	    "rt_duration timeout)\n{\n\t$KP$_$K$_ref m;\n");
	emit_wrapped(e, &v,
	    "\tint r = rt_pool_pick(to.ref, &$P$_$W$_pool, $key$, "
	    "&m.ref);\n\n");
	emit_wrapped(e, &v,
	    "\treturn r != 0 ? r : ($KP$_$K$_call_$M$)(sys, m, req, reply, "
	    "timeout);\n}\n");
	emit_wrapped(e, &v,
	    "\nrt_corr\n($P$_$W$_ask_$M$)(rt_ctx *ctx, "
	    "$P$_$W$_ref to, const $MP$_$M$ *req, rt_duration timeout)\n{\n"
	    "\t$KP$_$K$_ref m;\n");
	emit_wrapped(e, &v,
	    "\tint r = rt_pool_pick(to.ref, &$P$_$W$_pool, $key$, "
	    "&m.ref);\n\n");
	emit_wrapped(e, &v,
	    "\treturn r != 0 ? r : ($KP$_$K$_ask_$M$)(ctx, m, req, "
	    "timeout);\n}\n");
}

void
emit_pools_c(struct emit *e)
{
	const ast_decl *w;
	size_t i;

	for (w = e->unit->decls; w != NULL; w = w->next) {
		const ast_decl *k;

		if (w->kind != AST_D_POOL)
			continue;
		k = kind_of(w);
		specs_c(e, w);
		for (i = 0; i < k->naccepts; i++) {
			const ast_decl *m = k->accepts[i]->target;

			send_c(e, w, m);
			if (emit_reply_of(m) != NULL && !broadcast(w))
				call_ask_c(e, w, m);
		}
	}
}
