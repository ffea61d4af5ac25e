/* SPDX-License-Identifier: MIT */
/*
 * Wire codecs in the C emitter (emit_c_int.h, emit_c_wire.h): the form of
 * <rt/wire.h>, explained in doc/wire.md, for every message that crosses
 * nodes. Those are the messages a remote actor kind accepts and the
 * replies to them (the "top" messages), and the messages nested in them.
 *
 * In the header: the rt_wire_msg of each top message of the protocol,
 * and per remote kind its rt_wire_kind, export and lookup. In the source:
 * the helpers the codecs share and each message's four typed functions
 * (emit_c_codec.c), nested messages first; then for each top message the
 * four functions of its rt_wire_msg, which take and give void pointers
 * and call the typed ones, and the rt_wire_msg itself. Per remote kind,
 * after its class: its table of codecs by tag, its rt_wire_kind, export
 * and lookup.
 *
 * An imported top message's rt_wire_msg is its own protocol's (extern)
 * when it crosses the wire from there too, and static in this source
 * otherwise, as the helpers of imported messages are (copies into
 * envelopes work the same way).
 */
#include "emit_c_int.h"
#include "emit_c_wire.h"
#include "canon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const emit_wire_msg_names[EMIT_WIRE_MSG_NAMES] = { "_wire",
	"_wire_len", "_wire_put", "_wire_scan", "_wire_get", "_wire_size",
	"_wire_encode", "_wire_check", "_wire_decode" };
const char *const emit_wire_actor_names[EMIT_WIRE_ACTOR_NAMES] = { "_wire",
	"_wire_msgs", "_export", "_lookup" };
const char *const emit_wire_helper_names[EMIT_WIRE_HELPER_NAMES] = {
	"wire_st16", "wire_st32", "wire_st64", "wire_ld16", "wire_ld32",
	"wire_ld64", "wire_st_f32", "wire_st_f64", "wire_ld_f32", "wire_ld_f64",
	"wire_add", "wire_slen", "wire_blen", "wire_put_string",
	"wire_scan_string", "wire_get_string", "wire_put_bytes",
	"wire_scan_bytes", "wire_get_bytes", "wire_put_ref", "wire_get_ref"
};

/* ---- what crosses the wire -------------------------------------------- */

/* Does a remote kind of `unit` accept m, or a request that m answers? */
static bool
crosses(const ast_unit *unit, const ast_decl *m)
{
	const ast_decl *a;
	size_t i;

	for (a = unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || a->remote == NULL)
			continue;
		for (i = 0; i < a->naccepts; i++) {
			const ast_decl *t = a->accepts[i]->target;

			if (t == m || emit_reply_of(t) == m)
				return true;
		}
	}
	return false;
}

/* The top messages of `unit`: for each remote kind, each message it
 * accepts, then the reply to it; each once, in `seen`. */
static void
wire_top(const ast_unit *unit, struct emit_dlist *l, struct emit_pset *seen)
{
	const ast_decl *a, *r;
	size_t i;

	for (a = unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || a->remote == NULL)
			continue;
		for (i = 0; i < a->naccepts; i++) {
			emit_dlist_add(l, seen, a->accepts[i]->target);
			r = emit_reply_of(a->accepts[i]->target);
			if (r != NULL)
				emit_dlist_add(l, seen, r);
		}
	}
}

/* Does the source of `unit` define the rt_wire_msg of m, one of its top
 * messages? Not when m is imported and crosses the wire from its own
 * protocol too, whose source defines it. */
static bool
defines(const ast_unit *unit, const ast_decl *m)
{
	return m->home == unit || !crosses(m->home, m);
}

/* Add m to the codecs after the messages nested in it, each once (sema
 * has cut every cycle). */
static void
add_codec(struct emit_dlist *l, struct emit_pset *seen, const ast_decl *m)
{
	const ast_field *f;

	if (emit_pset_has(seen, m))
		return;
	for (f = m->fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL)
			add_codec(l, seen, ast_nested(f));
	emit_dlist_add(l, seen, m);
}

/* What the wire section of a source holds. */
struct plan {
	struct emit_dlist top;    /* the top messages */
	struct emit_pset in_top;  /* the same, as a set */
	struct emit_dlist codecs; /* with typed functions, nested first */
	struct emit_pset done;    /* the same, as a set */
};

static void
plan_make(const ast_unit *unit, struct plan *pl)
{
	size_t i;

	memset(pl, 0, sizeof(*pl));
	wire_top(unit, &pl->top, &pl->in_top);
	for (i = 0; i < pl->top.len; i++)
		if (defines(unit, pl->top.at[i]))
			add_codec(&pl->codecs, &pl->done, pl->top.at[i]);
}

static void
plan_free(struct plan *pl)
{
	free(pl->top.at);
	free(pl->codecs.at);
	emit_pset_clear(&pl->in_top);
	emit_pset_clear(&pl->done);
}

const ast_decl **
emit_wire_codecs(const ast_unit *unit, size_t *n)
{
	const ast_decl **codecs;
	struct plan pl;

	plan_make(unit, &pl);
	*n = pl.codecs.len;
	codecs = pl.codecs.at;
	pl.codecs.at = NULL;
	plan_free(&pl);
	return codecs;
}

/* ---- the rt_wire_msg of a top message --------------------------------- */

/* The four functions of m's rt_wire_msg, and the rt_wire_msg: static
 * when m is imported (`local`). `pl` says which replies have one. */
static void
msg_c(struct emit *e, const ast_decl *m, const struct plan *pl, bool local)
{
	struct emit_vars v = { .P = e->p, .MP = ast_prefix(m), .M = m->name };
	const ast_decl *r = emit_reply_of(m);
	char name[512], hex[32];
	uint64_t hash = 0;
	char *text = canon_message(m, &hash);

	/* sema refused a message whose text is too long. */
	free(text);
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)hash);
	v.name = emit_sprint(name, sizeof(name), &v, "$MP$_$M$");
	v.text = hex;
	v.s = local ? "static " : "";
	emit_wrapped(e, &v,
	    "static size_t\n$name$_wire_size(const void *msg)\n{\n"
	    "\treturn $name$_wire_len(msg);\n}\n\n");
	emit_wrapped(e, &v,
	    "static size_t\n$name$_wire_encode(uint8_t *dst, const void *msg, "
	    "rt_wire_refs *refs)\n{\n"
	    "\treturn (size_t)($name$_wire_put(dst, msg, refs) - dst);\n"
	    "}\n\n");
	emit_wrapped(e, &v,
	    "static ptrdiff_t\n$name$_wire_check(const uint8_t *src, size_t "
	    "len)\n{\n\tsize_t extra = 0;\n");
	emit_wrapped(e, &v,
	    "\tconst uint8_t *end = $name$_wire_scan(src, src + len, "
	    "&extra);\n\n");
	emit_wrapped(e, &v,
	    "\tif (end != src + len ||\n\t    extra > (size_t)PTRDIFF_MAX - "
	    "sizeof($name$))\n\t\treturn -1;\n\treturn (ptrdiff_t)extra;\n"
	    "}\n\n");
	emit_wrapped(e, &v,
	    "static void\n$name$_wire_decode(void *dst, const uint8_t *src, "
	    "size_t len, rt_wire_refs *refs)\n{\n");
	emit_wrapped(e, &v,
	    "\tchar *q = (char *)dst + sizeof($name$);\n\n\t(void)len;\n"
	    "\tmemset(dst, 0, sizeof($name$));\n"
	    "\t(void)$name$_wire_get(dst, src, &q, refs);\n}\n\n");
	emit_print(e, &v,
	    "$s$const rt_wire_msg $name$_wire = {\n"
	    "\t.name = \"$MP$.$M$\",\n"
	    "\t.fingerprint = UINT64_C(0x$text$),\n"
	    "\t.size = sizeof($name$),\n"
	    "\t.wire_size = $name$_wire_size,\n"
	    "\t.encode = $name$_wire_encode,\n"
	    "\t.check = $name$_wire_check,\n"
	    "\t.decode = $name$_wire_decode,\n");
	/* The reply's codec, when it crosses the wire from here. */
	if (r != NULL && emit_pset_has(&pl->in_top, r)) {
		v.RP = ast_prefix(r);
		v.R = r->name;
		emit_print(e, &v, "\t.reply = &$RP$_$R$_wire,\n");
	}
	emit_print(e, NULL, "};\n\n");
}

void
emit_wire_c(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	struct plan pl;
	bool local = false;
	size_t i;

	plan_make(e->unit, &pl);
	if (pl.codecs.len == 0) {
		plan_free(&pl);
		return;
	}
	emit_codec_helpers_c(e, pl.codecs.at, pl.codecs.len);
	for (i = 0; i < pl.codecs.len; i++)
		emit_codec_c(e, pl.codecs.at[i]);
	/* An imported message's rt_wire_msg is static here; one may name
	 * another as its reply before that one is defined. */
	for (i = 0; i < pl.top.len; i++) {
		const ast_decl *m = pl.top.at[i];

		if (m->home == e->unit || !defines(e->unit, m))
			continue;
		v.MP = ast_prefix(m);
		v.M = m->name;
		emit_print(e, &v, "static const rt_wire_msg $MP$_$M$_wire;\n");
		local = true;
	}
	if (local)
		emit_print(e, NULL, "\n");
	for (i = 0; i < pl.top.len; i++)
		if (defines(e->unit, pl.top.at[i]))
			msg_c(e, pl.top.at[i], &pl,
			    pl.top.at[i]->home != e->unit);
	plan_free(&pl);
}

/* ---- the header ------------------------------------------------------- */

void
emit_wire_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	struct plan pl;
	bool any = false;

	plan_make(e->unit, &pl);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE || !emit_pset_has(&pl.in_top, d))
			continue;
		if (!any)
			emit_print(e, NULL,
			    "/*\n * Wire codecs (rt/wire.h) of the messages "
			    "that cross nodes: those a\n * remote actor kind "
			    "accepts, and the replies to them. The node "
			    "library\n * encodes and decodes them; programs "
			    "do not call them.\n */\n");
		any = true;
		v.M = d->name;
		emit_print(e, &v, "extern const rt_wire_msg $P$_$M$_wire;\n");
	}
	if (any)
		emit_print(e, NULL, "\n");
	plan_free(&pl);
}

/* ---- remote actor kinds ----------------------------------------------- */

void
emit_wire_actor_h(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };

	emit_comment(e, &v,
	    "$A$ is remote: $P$_$A$_wire describes it to the nodes, "
	    "$P$_$A$_export makes an actor of it reachable by name from "
	    "every node, and $P$_$A$_lookup finds one that a node "
	    "exported (rt/node.h).");
	emit_print(e, &v, "extern const rt_wire_kind $P$_$A$_wire;\n");
	emit_wrapped(e, &v,
	    "int $P$_$A$_export($P$_$A$_ref a, const char *name);\n");
	emit_wrapped(e, &v,
	    "int $P$_$A$_lookup(rt_system *sys, const char *name, "
	    "$P$_$A$_ref *out);\n");
}

void
emit_wire_actor_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	char n[EMIT_NUM];
	size_t i;

	if (a->naccepts > 0) {
		emit_wrapped(e, &v,
		    "\nstatic const rt_wire_msg *const $P$_$A$_wire_msgs[] = "
		    "{\n");
		for (i = 0; i < a->naccepts; i++) {
			const ast_decl *m = a->accepts[i]->target;

			v.MP = ast_prefix(m);
			v.M = m->name;
			emit_print(e, &v, "\t&$MP$_$M$_wire,\n");
		}
		emit_print(e, NULL, "};\n");
	}
	v.N = emit_num(n, a->naccepts);
	emit_print(e, &v,
	    "\nconst rt_wire_kind $P$_$A$_wire = {\n"
	    "\t.name = \"$P$.$A$\",\n\t.cls = &$P$_$A$_class,\n"
	    "\t.ntags = $N$,\n");
	emit_print(e, &v,
	    a->naccepts > 0 ? "\t.msgs = $P$_$A$_wire_msgs,\n};\n" :
			      "\t.msgs = NULL,\n};\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$A$_export($P$_$A$_ref a, const char *name)\n{\n"
	    "\treturn rt_remote_export(a.ref, name, &$P$_$A$_wire);\n}\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$A$_lookup(rt_system *sys, const char *name, "
	    "$P$_$A$_ref *out)\n{\n\tif (out == NULL)\n"
	    "\t\treturn RT_EINVAL;\n"
	    "\treturn rt_remote_lookup(sys, name, &$P$_$A$_wire, "
	    "&out->ref);\n}\n");
}
