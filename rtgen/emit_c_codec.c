/* SPDX-License-Identifier: MIT */
/*
 * The code of the wire codecs (emit_c_int.h; emit_c_wire.c decides which
 * messages have one): the helpers the codecs of one source share, and the
 * four typed functions of each message, which nest: NAME_wire_len sizes
 * its wire form, NAME_wire_put writes it, NAME_wire_scan checks it and
 * NAME_wire_get decodes what the scan accepted. The encoding is
 * <rt/wire.h>'s, explained in doc/wire.md.
 *
 * The helpers are little-endian numbers, strings, bytes and refs, each
 * written only when some codec uses it, as an unused static function is
 * a warning. The fields of a message are handled in runs: consecutive
 * fields of fixed size (numbers, enums, refs, and arrays of them) are one
 * run, checked for length once and read and written at constant offsets
 * from p, which then moves past the run; a string, bytes or nested
 * message ends a run and moves p itself. The code follows the fields, so
 * a message of n fields gives code of a size in n, however deep its
 * nesting.
 */
#include "emit_c_int.h"

#include <stdio.h>

/* RT_WIRE_REF_SIZE: the offsets in a run are numbers in the output. */
#define REF_SIZE 24

/* ---- fields on the wire ----------------------------------------------- */

static bool
is_enum(const ast_type *t)
{
	return t->kind == AST_T_NAMED && t->target->kind == AST_D_ENUM;
}

/* Is an element of type t of variable size on the wire: a string, bytes
 * or a nested message? Everything else is in a run. */
static bool
variable(const ast_type *t)
{
	return t->kind == AST_T_STRING || t->kind == AST_T_BYTES ||
	    (t->kind == AST_T_NAMED && t->target->kind == AST_D_MESSAGE);
}

/* The bytes an element of type t takes in a run, or the bytes of the
 * length of a string or bytes; 0 for a nested message (its own functions
 * size it) and for a C type, which sema keeps off the wire. */
static size_t
fixed_size(const ast_type *t)
{
	switch (t->kind) {
	case AST_T_BOOL:
	case AST_T_I8:
	case AST_T_U8:
		return 1;
	case AST_T_I16:
	case AST_T_U16:
		return 2;
	case AST_T_I32:
	case AST_T_U32:
	case AST_T_F32:
	case AST_T_STRING:
	case AST_T_BYTES:
		return 4;
	case AST_T_I64:
	case AST_T_U64:
	case AST_T_F64:
		return 8;
	case AST_T_REF:
		return REF_SIZE;
	case AST_T_CTYPE:
		return 0;
	case AST_T_NAMED:
		return is_enum(t) ? 4 : 0;
	}
	return 0;
}

static size_t
count(const ast_field *f)
{
	return f->type.array ? (size_t)f->type.len : 1;
}

/* Does a field of `fields` satisfy pred, as an array when `array`? */
static bool
any_field(const ast_field *f, bool (*pred)(const ast_type *), bool array)
{
	for (; f != NULL; f = f->next)
		if ((!array || f->type.array) && pred(&f->type))
			return true;
	return false;
}

static bool
any_type(const ast_type *t)
{
	return t->kind != AST_T_CTYPE;
}

static bool
checked_type(const ast_type *t)
{
	return t->kind == AST_T_BOOL || is_enum(t) || variable(t);
}

static bool
refs_type(const ast_type *t)
{
	return t->kind == AST_T_REF ||
	    (t->kind == AST_T_NAMED && t->target->kind == AST_D_MESSAGE);
}

/* The element of field f of `obj`: "m->f", or "m->f[i]" in a loop. */
static const char *
element(char *buf, size_t size, const char *obj, const ast_field *f)
{
	snprintf(buf, size, f->type.array ? "%s->%s[i]" : "%s->%s", obj,
	    f->name);
	return buf;
}

/* Where an element of field f at `off` in the run is: a byte "p[off]" or
 * "p[off + i]" when `byte`, else a pointer "p + off" or "p + off +
 * size * i". */
static const char *
position(char *buf, size_t size, const ast_field *f, size_t off, bool byte)
{
	unsigned long long o = off, sz = fixed_size(&f->type);

	if (byte && f->type.array)
		snprintf(buf, size, off > 0 ? "p[%llu + i]" : "p[i]", o);
	else if (byte)
		snprintf(buf, size, "p[%llu]", o);
	else if (f->type.array && off > 0)
		snprintf(buf, size, "p + %llu + %llu * i", o, sz);
	else if (f->type.array)
		snprintf(buf, size, "p + %llu * i", sz);
	else if (off > 0)
		snprintf(buf, size, "p + %llu", o);
	else
		snprintf(buf, size, "p");
	return buf;
}

/* The loop around an array's statements; returns their indentation. */
static const char *
loop_open(struct emit *e, const ast_field *f)
{
	char n[EMIT_NUM];
	struct emit_vars v = { .N = emit_num(n, f->type.len) };

	if (!f->type.array)
		return "\t";
	emit_print(e, &v, "\tfor (i = 0; i < $N$; i++) {\n");
	return "\t\t";
}

static void
loop_close(struct emit *e, const ast_field *f)
{
	if (f->type.array)
		emit_print(e, NULL, "\t}\n");
}

/* The name of a nested message's codec (MP_M) in v->name's place. */
static void
nested_vars(struct emit_vars *v, const ast_type *t)
{
	v->MP = ast_prefix(t->target);
	v->M = t->target->name;
}

/* The bytes of the run that starts at f (0 when f is variable), and in
 * *next the field after it. */
static size_t
run_size(const ast_field *f, const ast_field **next)
{
	size_t n = 0;

	for (; f != NULL && !variable(&f->type); f = f->next)
		n += fixed_size(&f->type) * count(f);
	*next = f;
	return n;
}

/* ---- the shared helpers ----------------------------------------------- */

enum {
	NEED_16 = 1u << 0,
	NEED_32 = 1u << 1,
	NEED_64 = 1u << 2,
	NEED_F32 = 1u << 3,
	NEED_F64 = 1u << 4,
	NEED_STRING = 1u << 5,
	NEED_BYTES = 1u << 6,
	NEED_REF = 1u << 7,
	NEED_ADD = 1u << 8,
};

/* The helpers the codecs of `at[0..n)` use. */
static unsigned
needs(const ast_decl *const *at, size_t n)
{
	unsigned need = 0;
	const ast_field *f;
	size_t i;

	for (i = 0; i < n; i++)
		for (f = at[i]->fields; f != NULL; f = f->next) {
			switch (f->type.kind) {
			case AST_T_I16:
			case AST_T_U16:
				need |= NEED_16;
				break;
			case AST_T_I32:
			case AST_T_U32:
				need |= NEED_32;
				break;
			case AST_T_I64:
			case AST_T_U64:
				need |= NEED_64;
				break;
			case AST_T_F32:
				need |= NEED_F32 | NEED_32;
				break;
			case AST_T_F64:
				need |= NEED_F64 | NEED_64;
				break;
			case AST_T_STRING:
				need |= NEED_STRING | NEED_32 | NEED_ADD;
				break;
			case AST_T_BYTES:
				need |= NEED_BYTES | NEED_32 | NEED_ADD;
				break;
			case AST_T_REF:
				need |= NEED_REF;
				break;
			case AST_T_NAMED:
				need |= is_enum(&f->type) ? NEED_32 : NEED_ADD;
				break;
			default:
				break;
			}
		}
	return need;
}

static const char helpers_text[] =
    "/*\n"
    " * Wire codecs (rt/wire.h; the encoding is explained in doc/wire.md).\n"
    " * For each message NAME that crosses nodes: NAME_wire_len, the bytes\n"
    " * of its wire form (SIZE_MAX when a string or bytes is too long for\n"
    " * it, or bytes have NULL data); NAME_wire_put, which writes it at p\n"
    " * and returns where it ends; NAME_wire_scan, which checks one at p,\n"
    " * reading nothing at or past end, adds the room its strings and bytes\n"
    " * need to *extra and returns where it ends (NULL: refused); and\n"
    " * NAME_wire_get, which decodes what NAME_wire_scan accepted into *c,\n"
    " * its strings and bytes to *q onward. *extra stays below the bytes\n"
    " * scanned (each string or bytes needs less room than its wire form),\n"
    " * so it cannot overflow. Numbers are little-endian on any host.\n"
    " */\n";

/* The helpers, in the order they are written: each after those it
 * calls. */
static const struct helper {
	unsigned need;
	const char *text;
} helpers[] = {
	{ NEED_16,
	    "/* 16-bit numbers, written and read little-endian. */\n"
	    "static void\n"
	    "$P$_wire_st16(uint8_t *p, uint16_t v)\n"
	    "{\n"
	    "\tp[0] = (uint8_t)v;\n"
	    "\tp[1] = (uint8_t)(v >> 8);\n"
	    "}\n"
	    "\n"
	    "static uint16_t\n"
	    "$P$_wire_ld16(const uint8_t *p)\n"
	    "{\n"
	    "\treturn (uint16_t)(p[0] | p[1] << 8);\n"
	    "}\n"
	    "\n" },
	{ NEED_32,
	    "/* 32-bit numbers, and the lengths of strings and bytes. */\n"
	    "static void\n"
	    "$P$_wire_st32(uint8_t *p, uint32_t v)\n"
	    "{\n"
	    "\tint i;\n"
	    "\n"
	    "\tfor (i = 0; i < 4; i++)\n"
	    "\t\tp[i] = (uint8_t)(v >> 8 * i);\n"
	    "}\n"
	    "\n"
	    "static uint32_t\n"
	    "$P$_wire_ld32(const uint8_t *p)\n"
	    "{\n"
	    "\treturn (uint32_t)p[0] | (uint32_t)p[1] << 8 | "
	    "(uint32_t)p[2] << 16 |\n"
	    "\t    (uint32_t)p[3] << 24;\n"
	    "}\n"
	    "\n" },
	{ NEED_64,
	    "/* 64-bit numbers, written and read little-endian. */\n"
	    "static void\n"
	    "$P$_wire_st64(uint8_t *p, uint64_t v)\n"
	    "{\n"
	    "\tint i;\n"
	    "\n"
	    "\tfor (i = 0; i < 8; i++)\n"
	    "\t\tp[i] = (uint8_t)(v >> 8 * i);\n"
	    "}\n"
	    "\n"
	    "static uint64_t\n"
	    "$P$_wire_ld64(const uint8_t *p)\n"
	    "{\n"
	    "\tuint64_t v = 0;\n"
	    "\tint i;\n"
	    "\n"
	    "\tfor (i = 7; i >= 0; i--)\n"
	    "\t\tv = v << 8 | p[i];\n"
	    "\treturn v;\n"
	    "}\n"
	    "\n" },
	{ NEED_F32,
	    "/* Floats as their IEEE-754 bits: NaN and -0.0 cross unchanged. */\n"
	    "static void\n"
	    "$P$_wire_st_f32(uint8_t *p, float v)\n"
	    "{\n"
	    "\tuint32_t bits;\n"
	    "\n"
	    "\tmemcpy(&bits, &v, sizeof(bits));\n"
	    "\t$P$_wire_st32(p, bits);\n"
	    "}\n"
	    "\n"
	    "static float\n"
	    "$P$_wire_ld_f32(const uint8_t *p)\n"
	    "{\n"
	    "\tuint32_t bits = $P$_wire_ld32(p);\n"
	    "\tfloat v;\n"
	    "\n"
	    "\tmemcpy(&v, &bits, sizeof(v));\n"
	    "\treturn v;\n"
	    "}\n"
	    "\n" },
	{ NEED_F64,
	    "/* Doubles as their IEEE-754 bits, as floats are. */\n"
	    "static void\n"
	    "$P$_wire_st_f64(uint8_t *p, double v)\n"
	    "{\n"
	    "\tuint64_t bits;\n"
	    "\n"
	    "\tmemcpy(&bits, &v, sizeof(bits));\n"
	    "\t$P$_wire_st64(p, bits);\n"
	    "}\n"
	    "\n"
	    "static double\n"
	    "$P$_wire_ld_f64(const uint8_t *p)\n"
	    "{\n"
	    "\tuint64_t bits = $P$_wire_ld64(p);\n"
	    "\tdouble v;\n"
	    "\n"
	    "\tmemcpy(&v, &bits, sizeof(v));\n"
	    "\treturn v;\n"
	    "}\n"
	    "\n" },
	{ NEED_ADD,
	    "/* n + k, or SIZE_MAX when either is or the sum would be. */\n"
	    "static size_t\n"
	    "$P$_wire_add(size_t n, size_t k)\n"
	    "{\n"
	    "\treturn n == SIZE_MAX || k >= SIZE_MAX - n ? SIZE_MAX : n + k;\n"
	    "}\n"
	    "\n" },
	{ NEED_STRING,
	    "/* A string: its u32 length, RT_WIRE_NULL_STRING for NULL, then its\n"
	    " * bytes, none of them NUL. */\n"
	    "static size_t\n"
	    "$P$_wire_slen(const char *s)\n"
	    "{\n"
	    "\tsize_t len;\n"
	    "\n"
	    "\tif (s == NULL)\n"
	    "\t\treturn 0;\n"
	    "\tlen = strlen(s);\n"
	    "\treturn len >= RT_WIRE_NULL_STRING ? SIZE_MAX : len;\n"
	    "}\n"
	    "\n"
	    "static uint8_t *\n"
	    "$P$_wire_put_string(uint8_t *p, const char *s)\n"
	    "{\n"
	    "\tsize_t len;\n"
	    "\n"
	    "\tif (s == NULL) {\n"
	    "\t\t$P$_wire_st32(p, RT_WIRE_NULL_STRING);\n"
	    "\t\treturn p + 4;\n"
	    "\t}\n"
	    "\tlen = strlen(s);\n"
	    "\t$P$_wire_st32(p, (uint32_t)len);\n"
	    "\tmemcpy(p + 4, s, len);\n"
	    "\treturn p + 4 + len;\n"
	    "}\n"
	    "\n"
	    "static const uint8_t *\n"
	    "$P$_wire_scan_string(const uint8_t *p, const uint8_t *end, "
	    "size_t *extra)\n"
	    "{\n"
	    "\tuint32_t len;\n"
	    "\n"
	    "\tif (end - p < 4)\n"
	    "\t\treturn NULL;\n"
	    "\tlen = $P$_wire_ld32(p);\n"
	    "\tif (len == RT_WIRE_NULL_STRING)\n"
	    "\t\treturn p + 4;\n"
	    "\tif (len > (size_t)(end - p - 4) || "
	    "memchr(p + 4, '\\0', len) != NULL)\n"
	    "\t\treturn NULL;\n"
	    "\t*extra += (size_t)len + 1;\n"
	    "\treturn p + 4 + len;\n"
	    "}\n"
	    "\n"
	    "static const uint8_t *\n"
	    "$P$_wire_get_string(const uint8_t *p, const char **s, char **q)\n"
	    "{\n"
	    "\tuint32_t len = $P$_wire_ld32(p);\n"
	    "\n"
	    "\tif (len == RT_WIRE_NULL_STRING) {\n"
	    "\t\t*s = NULL;\n"
	    "\t\treturn p + 4;\n"
	    "\t}\n"
	    "\tmemcpy(*q, p + 4, len);\n"
	    "\t(*q)[len] = '\\0';\n"
	    "\t*s = *q;\n"
	    "\t*q += (size_t)len + 1;\n"
	    "\treturn p + 4 + len;\n"
	    "}\n"
	    "\n" },
	{ NEED_BYTES,
	    "/* Bytes: their u32 length, then their data; empty ones decode with\n"
	    " * NULL data. */\n"
	    "static size_t\n"
	    "$P$_wire_blen(rt_bytes b)\n"
	    "{\n"
	    "\tif ((uint64_t)b.len > UINT32_MAX || "
	    "(b.data == NULL && b.len != 0))\n"
	    "\t\treturn SIZE_MAX;\n"
	    "\treturn b.len;\n"
	    "}\n"
	    "\n"
	    "static uint8_t *\n"
	    "$P$_wire_put_bytes(uint8_t *p, rt_bytes b)\n"
	    "{\n"
	    "\t$P$_wire_st32(p, (uint32_t)b.len);\n"
	    "\tif (b.len != 0)\n"
	    "\t\tmemcpy(p + 4, b.data, b.len);\n"
	    "\treturn p + 4 + b.len;\n"
	    "}\n"
	    "\n"
	    "static const uint8_t *\n"
	    "$P$_wire_scan_bytes(const uint8_t *p, const uint8_t *end, "
	    "size_t *extra)\n"
	    "{\n"
	    "\tuint32_t len;\n"
	    "\n"
	    "\tif (end - p < 4)\n"
	    "\t\treturn NULL;\n"
	    "\tlen = $P$_wire_ld32(p);\n"
	    "\tif (len > (size_t)(end - p - 4))\n"
	    "\t\treturn NULL;\n"
	    "\t*extra += len;\n"
	    "\treturn p + 4 + len;\n"
	    "}\n"
	    "\n"
	    "static const uint8_t *\n"
	    "$P$_wire_get_bytes(const uint8_t *p, rt_bytes *b, char **q)\n"
	    "{\n"
	    "\tuint32_t len = $P$_wire_ld32(p);\n"
	    "\n"
	    "\tb->len = len;\n"
	    "\tb->data = NULL;\n"
	    "\tif (len != 0) {\n"
	    "\t\tmemcpy(*q, p + 4, len);\n"
	    "\t\tb->data = *q;\n"
	    "\t\t*q += len;\n"
	    "\t}\n"
	    "\treturn p + 4 + len;\n"
	    "}\n"
	    "\n" },
	{ NEED_REF,
	    "/* A ref: RT_WIRE_REF_SIZE bytes that the node writes and reads;\n"
	    " * zeros for the zero ref, and for every ref without a node. */\n"
	    "static void\n"
	    "$P$_wire_put_ref(uint8_t *p, rt_ref r, const rt_wire_kind *kind, "
	    "rt_wire_refs *refs)\n"
	    "{\n"
	    "\tif (refs == NULL || rt_ref_is_null(r))\n"
	    "\t\tmemset(p, 0, RT_WIRE_REF_SIZE);\n"
	    "\telse\n"
	    "\t\trefs->put(refs, p, r, kind);\n"
	    "}\n"
	    "\n"
	    "static rt_ref\n"
	    "$P$_wire_get_ref(const uint8_t *p, const rt_wire_kind *kind, "
	    "rt_wire_refs *refs)\n"
	    "{\n"
	    "\tstatic const uint8_t zero[RT_WIRE_REF_SIZE];\n"
	    "\trt_ref r = { NULL, 0 };\n"
	    "\n"
	    "\tif (refs != NULL && memcmp(p, zero, sizeof(zero)) != 0)\n"
	    "\t\tr = refs->get(refs, p, kind);\n"
	    "\treturn r;\n"
	    "}\n"
	    "\n" },
};

void
emit_codec_helpers_c(struct emit *e, const ast_decl *const *at, size_t n)
{
	struct emit_vars v = { .P = e->p };
	unsigned need = needs(at, n);
	size_t i;

	emit_print(e, NULL, helpers_text);
	/* Wrapped: the heads grow with the protocol's name. */
	for (i = 0; i < sizeof(helpers) / sizeof(*helpers); i++)
		if (need & helpers[i].need)
			emit_wrapped(e, &v, helpers[i].text);
}

/* ---- the typed functions of one message ------------------------------- */

/* NAME_wire_len: the fixed part, computed here, plus what strings, bytes
 * and nested messages add. */
static void
len_c(struct emit *e, const ast_decl *m, struct emit_vars *v)
{
	const ast_field *f;
	size_t fixed = 0;
	char n[EMIT_NUM], x[512];

	for (f = m->fields; f != NULL; f = f->next)
		fixed += fixed_size(&f->type) * count(f);
	v->N = emit_num(n, fixed);
	emit_wrapped(e, v,
	    "static size_t\n$name$_wire_len(const $name$ *m)\n{\n");
	if (!any_field(m->fields, variable, false)) {
		emit_print(e, v, "\t(void)m;\n\treturn $N$;\n}\n\n");
		return;
	}
	emit_print(e, v, "\tsize_t n = $N$;\n");
	if (any_field(m->fields, variable, true))
		emit_print(e, NULL, "\tsize_t i;\n");
	emit_print(e, NULL, "\n");
	for (f = m->fields; f != NULL; f = f->next) {
		if (!variable(&f->type))
			continue;
		v->ind = loop_open(e, f);
		v->x = element(x, sizeof(x), "m", f);
		if (f->type.kind == AST_T_STRING) {
			emit_wrapped(e, v,
			    "$ind$n = $P$_wire_add(n, $P$_wire_slen($x$));\n");
		} else if (f->type.kind == AST_T_BYTES) {
			emit_wrapped(e, v,
			    "$ind$n = $P$_wire_add(n, $P$_wire_blen($x$));\n");
		} else {
			nested_vars(v, &f->type);
			emit_wrapped(e, v,
			    "$ind$n = $P$_wire_add(n, "
			    "$MP$_$M$_wire_len(&$x$));\n");
		}
		loop_close(e, f);
	}
	emit_print(e, NULL, "\treturn n;\n}\n\n");
}

/* The statement that writes element x of fixed-size field f at `off`. */
static void
put_fixed(struct emit *e, struct emit_vars *v, const ast_field *f, size_t off)
{
	const ast_decl *d = f->type.target;
	char at[128];

	v->y = position(at, sizeof(at), f, off, fixed_size(&f->type) == 1);
	switch (f->type.kind) {
	case AST_T_BOOL:
		emit_print(e, v, "$ind$$y$ = $x$ ? 1 : 0;\n");
		return;
	case AST_T_I8:
		emit_print(e, v, "$ind$$y$ = (uint8_t)$x$;\n");
		return;
	case AST_T_U8:
		emit_print(e, v, "$ind$$y$ = $x$;\n");
		return;
	case AST_T_I16:
		emit_wrapped(e, v, "$ind$$P$_wire_st16($y$, (uint16_t)$x$);\n");
		return;
	case AST_T_U16:
		emit_wrapped(e, v, "$ind$$P$_wire_st16($y$, $x$);\n");
		return;
	case AST_T_I32:
	case AST_T_NAMED: /* an enum */
		emit_wrapped(e, v, "$ind$$P$_wire_st32($y$, (uint32_t)$x$);\n");
		return;
	case AST_T_U32:
		emit_wrapped(e, v, "$ind$$P$_wire_st32($y$, $x$);\n");
		return;
	case AST_T_I64:
		emit_wrapped(e, v, "$ind$$P$_wire_st64($y$, (uint64_t)$x$);\n");
		return;
	case AST_T_U64:
		emit_wrapped(e, v, "$ind$$P$_wire_st64($y$, $x$);\n");
		return;
	case AST_T_F32:
		emit_wrapped(e, v, "$ind$$P$_wire_st_f32($y$, $x$);\n");
		return;
	case AST_T_F64:
		emit_wrapped(e, v, "$ind$$P$_wire_st_f64($y$, $x$);\n");
		return;
	case AST_T_REF:
		v->KP = ast_prefix(d);
		v->K = d->name;
		emit_wrapped(e, v,
		    "$ind$$P$_wire_put_ref($y$, $x$.ref, &$KP$_$K$_wire, "
		    "refs);\n");
		return;
	case AST_T_STRING:
	case AST_T_BYTES:
	case AST_T_CTYPE:
		return;
	}
}

/* NAME_wire_put. */
static void
put_c(struct emit *e, const ast_decl *m, struct emit_vars *v)
{
	const ast_field *f, *next;
	char x[512], n[EMIT_NUM];

	emit_wrapped(e, v,
	    "static uint8_t *\n$name$_wire_put(uint8_t *p, const $name$ *m, "
	    "rt_wire_refs *refs)\n{\n");
	if (any_field(m->fields, any_type, true))
		emit_print(e, NULL, "\tsize_t i;\n\n");
	if (!any_field(m->fields, any_type, false))
		emit_print(e, NULL, "\t(void)m;\n");
	if (!any_field(m->fields, refs_type, false))
		emit_print(e, NULL, "\t(void)refs;\n");
	for (f = m->fields; f != NULL; f = next) {
		size_t run = run_size(f, &next), off = 0;

		if (run == 0 && next == f) {
			/* A string, bytes or nested message. */
			v->ind = loop_open(e, f);
			v->x = element(x, sizeof(x), "m", f);
			if (f->type.kind == AST_T_STRING) {
				emit_wrapped(e, v,
				    "$ind$p = $P$_wire_put_string(p, $x$);\n");
			} else if (f->type.kind == AST_T_BYTES) {
				emit_wrapped(e, v,
				    "$ind$p = $P$_wire_put_bytes(p, $x$);\n");
			} else {
				nested_vars(v, &f->type);
				emit_wrapped(e, v,
				    "$ind$p = $MP$_$M$_wire_put(p, &$x$, "
				    "refs);\n");
			}
			loop_close(e, f);
			next = f->next;
			continue;
		}
		for (; f != next; f = f->next) {
			v->ind = loop_open(e, f);
			v->x = element(x, sizeof(x), "m", f);
			put_fixed(e, v, f, off);
			loop_close(e, f);
			off += fixed_size(&f->type) * count(f);
		}
		if (run > 0) {
			v->N = emit_num(n, run);
			emit_print(e, v, "\tp += $N$;\n");
		}
	}
	emit_print(e, NULL, "\treturn p;\n}\n\n");
}

/* The number of values of enum d. */
static unsigned long long
enum_values(const ast_decl *d)
{
	const ast_name *n;
	unsigned long long k = 0;

	for (n = d->values; n != NULL; n = n->next)
		k++;
	return k;
}

/* NAME_wire_scan: each run's length once, then its bools (0 or 1) and
 * enums (one of their values); strings, bytes and nested messages check
 * themselves. */
static void
scan_c(struct emit *e, const ast_decl *m, struct emit_vars *v)
{
	const ast_field *f, *next;
	char at[128], n[EMIT_NUM], k[EMIT_NUM];

	emit_wrapped(e, v,
	    "static const uint8_t *\n$name$_wire_scan(const uint8_t *p, "
	    "const uint8_t *end, size_t *extra)\n{\n");
	if (any_field(m->fields, checked_type, true))
		emit_print(e, NULL, "\tsize_t i;\n\n");
	if (!any_field(m->fields, any_type, false))
		emit_print(e, NULL, "\t(void)end;\n");
	if (!any_field(m->fields, variable, false))
		emit_print(e, NULL, "\t(void)extra;\n");
	for (f = m->fields; f != NULL; f = next) {
		size_t run = run_size(f, &next), off = 0;

		if (run == 0 && next == f) {
			v->ind = loop_open(e, f);
			if (f->type.kind == AST_T_STRING) {
				emit_wrapped(e, v,
				    "$ind$if ((p = $P$_wire_scan_string(p, "
				    "end, extra)) == NULL)\n");
			} else if (f->type.kind == AST_T_BYTES) {
				emit_wrapped(e, v,
				    "$ind$if ((p = $P$_wire_scan_bytes(p, "
				    "end, extra)) == NULL)\n");
			} else {
				nested_vars(v, &f->type);
				emit_wrapped(e, v,
				    "$ind$if ((p = $MP$_$M$_wire_scan(p, end, "
				    "extra)) == NULL)\n");
			}
			emit_print(e, v, "$ind$\treturn NULL;\n");
			loop_close(e, f);
			next = f->next;
			continue;
		}
		if (run > 0) {
			v->N = emit_num(n, run);
			emit_print(e, v,
			    "\tif (end - p < $N$)\n\t\treturn NULL;\n");
		}
		for (; f != next; f = f->next) {
			size_t here = off;

			off += fixed_size(&f->type) * count(f);
			if (f->type.kind != AST_T_BOOL && !is_enum(&f->type))
				continue;
			v->ind = loop_open(e, f);
			if (f->type.kind == AST_T_BOOL) {
				v->y = position(at, sizeof(at), f, here, true);
				emit_print(e, v, "$ind$if ($y$ > 1)\n");
			} else {
				v->y = position(at, sizeof(at), f, here, false);
				v->text = emit_num(k,
				    enum_values(f->type.target));
				emit_wrapped(e, v,
				    "$ind$if ($P$_wire_ld32($y$) >= $text$u)\n");
			}
			emit_print(e, v, "$ind$\treturn NULL;\n");
			loop_close(e, f);
		}
		if (run > 0)
			emit_print(e, v, "\tp += $N$;\n");
	}
	emit_print(e, NULL, "\treturn p;\n}\n\n");
}

/* The statement that reads element x of fixed-size field f at `off`. */
static void
get_fixed(struct emit *e, struct emit_vars *v, const ast_field *f, size_t off)
{
	const ast_decl *d = f->type.target;
	char at[128];

	v->y = position(at, sizeof(at), f, off, fixed_size(&f->type) == 1);
	switch (f->type.kind) {
	case AST_T_BOOL:
		emit_print(e, v, "$ind$$x$ = $y$ != 0;\n");
		return;
	case AST_T_I8:
		emit_print(e, v, "$ind$$x$ = (int8_t)$y$;\n");
		return;
	case AST_T_U8:
		emit_print(e, v, "$ind$$x$ = $y$;\n");
		return;
	case AST_T_I16:
		emit_wrapped(e, v, "$ind$$x$ = (int16_t)$P$_wire_ld16($y$);\n");
		return;
	case AST_T_U16:
		emit_wrapped(e, v, "$ind$$x$ = $P$_wire_ld16($y$);\n");
		return;
	case AST_T_I32:
		emit_wrapped(e, v, "$ind$$x$ = (int32_t)$P$_wire_ld32($y$);\n");
		return;
	case AST_T_U32:
		emit_wrapped(e, v, "$ind$$x$ = $P$_wire_ld32($y$);\n");
		return;
	case AST_T_I64:
		emit_wrapped(e, v, "$ind$$x$ = (int64_t)$P$_wire_ld64($y$);\n");
		return;
	case AST_T_U64:
		emit_wrapped(e, v, "$ind$$x$ = $P$_wire_ld64($y$);\n");
		return;
	case AST_T_F32:
		emit_wrapped(e, v, "$ind$$x$ = $P$_wire_ld_f32($y$);\n");
		return;
	case AST_T_F64:
		emit_wrapped(e, v, "$ind$$x$ = $P$_wire_ld_f64($y$);\n");
		return;
	case AST_T_REF:
		v->KP = ast_prefix(d);
		v->K = d->name;
		emit_wrapped(e, v,
		    "$ind$$x$.ref = $P$_wire_get_ref($y$, &$KP$_$K$_wire, "
		    "refs);\n");
		return;
	case AST_T_NAMED: /* an enum */
		v->EP = ast_prefix(d);
		v->E = d->name;
		emit_wrapped(e, v,
		    "$ind$$x$ = ($EP$_$E$)$P$_wire_ld32($y$);\n");
		return;
	case AST_T_STRING:
	case AST_T_BYTES:
	case AST_T_CTYPE:
		return;
	}
}

/* NAME_wire_get. */
static void
get_c(struct emit *e, const ast_decl *m, struct emit_vars *v)
{
	const ast_field *f, *next;
	char x[512], n[EMIT_NUM];

	emit_wrapped(e, v,
	    "static const uint8_t *\n$name$_wire_get($name$ *c, "
	    "const uint8_t *p, char **q, rt_wire_refs *refs)\n{\n");
	if (any_field(m->fields, any_type, true))
		emit_print(e, NULL, "\tsize_t i;\n\n");
	if (!any_field(m->fields, any_type, false))
		emit_print(e, NULL, "\t(void)c;\n");
	if (!any_field(m->fields, variable, false))
		emit_print(e, NULL, "\t(void)q;\n");
	if (!any_field(m->fields, refs_type, false))
		emit_print(e, NULL, "\t(void)refs;\n");
	for (f = m->fields; f != NULL; f = next) {
		size_t run = run_size(f, &next), off = 0;

		if (run == 0 && next == f) {
			v->ind = loop_open(e, f);
			v->x = element(x, sizeof(x), "c", f);
			if (f->type.kind == AST_T_STRING) {
				emit_wrapped(e, v,
				    "$ind$p = $P$_wire_get_string(p, &$x$, "
				    "q);\n");
			} else if (f->type.kind == AST_T_BYTES) {
				emit_wrapped(e, v,
				    "$ind$p = $P$_wire_get_bytes(p, &$x$, "
				    "q);\n");
			} else {
				nested_vars(v, &f->type);
				emit_wrapped(e, v,
				    "$ind$p = $MP$_$M$_wire_get(&$x$, p, q, "
				    "refs);\n");
			}
			loop_close(e, f);
			next = f->next;
			continue;
		}
		for (; f != next; f = f->next) {
			v->ind = loop_open(e, f);
			v->x = element(x, sizeof(x), "c", f);
			get_fixed(e, v, f, off);
			loop_close(e, f);
			off += fixed_size(&f->type) * count(f);
		}
		if (run > 0) {
			v->N = emit_num(n, run);
			emit_print(e, v, "\tp += $N$;\n");
		}
	}
	emit_print(e, NULL, "\treturn p;\n}\n\n");
}

void
emit_codec_c(struct emit *e, const ast_decl *m)
{
	struct emit_vars v = { .P = e->p, .MP = ast_prefix(m), .M = m->name };
	char name[512];

	v.name = emit_sprint(name, sizeof(name), &v, "$MP$_$M$");
	len_c(e, m, &v);
	put_c(e, m, &v);
	scan_c(e, m, &v);
	get_c(e, m, &v);
}
