/* SPDX-License-Identifier: MIT */
/*
 * The C emitter (see emit_c.h): the order of the sections of x.rtp.h and
 * x.rtp.c. Each concern has its file (emit_c_int.h lists them), which
 * writes its sections of both; this one decides where they go, and writes
 * what belongs to neither concern: the opening and closing lines of each
 * file.
 *
 * All text goes through one printer that counts lines (emit_c_print.c),
 * so the emitter always knows the line it is on. What the user wrote in
 * the .rtp, and only that, is preceded by a #line pointing at it
 * ("mapped" mode): the fields of message, state and args structs, enum
 * values and the prototypes of the handlers the user implements (and the
 * values of a supervisor's child args). The first generated line after it
 * gets a #line back to its real place in the output. Compiler messages
 * about a field's type or a handler's signature thus point at the .rtp,
 * while the generated functions (sends, dispatch, spawn, copies,
 * printers, ...) stay where they are, so that a debugger stepping into
 * one shows its C, not a line of the .rtp.
 *
 * Section order of the header: includes and the ABI check, actor,
 * supervisor and pool refs (messages and state may hold them), message
 * ids, enums and message structs, their equality, the requests'
 * descriptors and deferred replies, the codecs of the messages that cross
 * nodes (rt/wire.h), then per actor its state, args, local tags (the
 * messages it accepts, then the replies to its asks), class, spawn,
 * registry names (and for a remote kind its wire description, export and
 * lookup), sends, calls and asks with their type-checking macros, its
 * test probe and expectations, and the handlers the user writes; then per
 * topic its descriptor, publish (with its macro) and the subscriptions of
 * the actors that accept its message; the supervisors; the pools; last
 * the poisoned names of the sends, calls, asks and subscriptions that do
 * not exist.
 * The comment on what every actor has comes once, before the first actor.
 * The source follows the same order, with the copies of messages first,
 * the wire codecs after the requests, and the envelope builders (one per
 * message that an actor accepts, which all its sends, calls and asks
 * share) before the first actor; the handler of a request runs through a
 * static helper that gives it a zeroed reply and sends the reply when one
 * is due.
 */
#include "emit_c_int.h"

#include <string.h>
#include <rt/version.h>

/* The include guard: the file's name in capitals, other bytes '_'. */
static void
guard_name(struct emit *e)
{
	const char *base = strrchr(e->o->src_path, '/'), *s;

	base = base != NULL ? base + 1 : e->o->src_path;
	if (!((*base >= 'A' && *base <= 'Z') || (*base >= 'a' && *base <= 'z')))
		emit_print(e, NULL, "RTGEN_");
	for (s = base; *s != '\0'; s++) {
		char c = *s;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		emit_put(e, &c, 1);
	}
	emit_print(e, NULL, "_H");
}

/* The banner, the guard, the includes (imports first: an included C type
 * may use their types), the ABI check and the opening of extern "C". */
static void
header_open(struct emit *e)
{
	char abi[EMIT_NUM];
	struct emit_vars v = { .N = emit_num(abi, RT_PROTOCOL_ABI) };
	const ast_decl *d;

	emit_banner(e);
	emit_print(e, NULL, "#ifndef ");
	guard_name(e);
	emit_print(e, NULL, "\n#define ");
	guard_name(e);
	emit_print(e, NULL,
	    "\n\n#include <stdbool.h>\n#include <stddef.h>\n"
	    "#include <stdint.h>\n#include <stdio.h>\n#include <rt/rt.h>\n");
	if (emit_any_supervisor(e->unit))
		emit_print(e, NULL, "#include <rt/supervisor.h>\n");
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_IMPORT) {
			emit_print(e, NULL, "#include \"");
			emit_put_cstring(e, d->file);
			emit_print(e, NULL, ".h\"\n");
		}
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_INCLUDE) {
			emit_print(e, NULL, "#include \"");
			emit_put_cstring(e, d->file);
			emit_print(e, NULL, "\"\n");
		}
	emit_print(e, &v, "\n#if RT_PROTOCOL_ABI != $N$\n#error \"");
	emit_put_cstring(e, e->o->h_name);
	emit_print(e, &v,
	    " was generated for rt protocol ABI $N$; rerun "
	    "rtgen\"\n#endif\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
}

static void
header(struct emit *e)
{
	header_open(e);
	emit_actor_refs_h(e);
	emit_sup_refs_h(e);
	emit_pool_refs_h(e);
	emit_msg_ids_h(e);
	emit_msg_types_h(e);
	emit_equal_h(e);
	emit_requests_h(e);
	emit_wire_h(e);
	emit_actors_h(e);
	emit_topics_h(e);
	emit_sups_h(e);
	emit_pools_h(e);
	emit_poison_h(e);
	emit_print(e, NULL, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

static void
source(struct emit *e)
{
	emit_banner(e);
	emit_print(e, NULL, "#include \"");
	emit_put_cstring(e, e->o->h_name);
	emit_print(e, NULL, "\"\n\n#include <string.h>\n\n");
	emit_msg_copies_c(e);
	emit_msg_printers_c(e);
	emit_equal_c(e);
	emit_requests_c(e);
	emit_wire_c(e);
	emit_builders_c(e);
	emit_actors_c(e);
	emit_topics_c(e);
	emit_sups_c(e);
	emit_pools_c(e);
}

void
emit_c(const ast_unit *unit, const emit_c_opts *opts, emit_buf *h, emit_buf *c)
{
	struct emit e = { .unit = unit, .o = opts, .p = unit->protocol->name };

	e.b = h;
	e.self_name = opts->h_name;
	header(&e);
	e.b = c;
	e.self_name = opts->c_name;
	e.line = 0;
	e.mapped = false;
	source(&e);
	emit_pset_clear(&e.done);
	emit_buf_free(&e.text);
}
