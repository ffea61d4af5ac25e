/* SPDX-License-Identifier: MIT */
/*
 * The wire codecs rtgen generates for a remote kind (tests/rtp/wire.rtp,
 * rt/wire.h, doc/wire.md), with no node and no NATS: every message goes
 * through encode, check and decode and comes back field for field; the
 * bytes of one message are pinned; truncated, padded and malformed frames
 * are refused; refs go through the node's rt_wire_refs. And the
 * fingerprints (rtgen's canon.c, driven on .rtp text): one is pinned
 * against an FNV-1a written here, and they change with what changes the
 * wire form and only with that.
 *
 * Every buffer a codec reads or writes is allocated to its exact size, so
 * that a sanitized build catches a read or write past it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "rtgen_io.h"
#include "wire.rtp.h"

#include "ast.h"
#include "canon.h"
#include "diag.h"
#include "loader.h"

/* ---- a node's refs, faked and recorded ------------------------------------ */

/*
 * What a node would do with refs, here a ref's cell and incarnation
 * written as the id and incarnation of the wire form (node 7), and read
 * back; every call is recorded.
 */
#define FAKE_NODE UINT64_C(7)

struct fake_refs {
	rt_wire_refs base;
	unsigned puts, gets;
	rt_ref put[8];
	const rt_wire_kind *put_kind[8], *kind[8];
	uint8_t got[8][RT_WIRE_REF_SIZE];
};

static void
le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint64_t
get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
fake_put(rt_wire_refs *self, uint8_t *dst, rt_ref ref, const rt_wire_kind *kind)
{
	struct fake_refs *f = (struct fake_refs *)self;

	if (f->puts < 8) {
		f->put[f->puts] = ref;
		f->put_kind[f->puts] = kind;
	}
	f->puts++;
	le64(dst, FAKE_NODE);
	le64(dst + 8, (uint64_t)(uintptr_t)ref.cell);
	le64(dst + 16, ref.gen);
}

static rt_ref
fake_get(rt_wire_refs *self, const uint8_t *src, const rt_wire_kind *kind)
{
	struct fake_refs *f = (struct fake_refs *)self;
	rt_ref r;

	if (f->gets < 8) {
		f->kind[f->gets] = kind;
		memcpy(f->got[f->gets], src, RT_WIRE_REF_SIZE);
	}
	f->gets++;
	r.cell = (rt_cell *)(uintptr_t)get_le64(src + 8);
	r.gen = get_le64(src + 16);
	return r;
}

static void
fake_init(struct fake_refs *f)
{
	memset(f, 0, sizeof(*f));
	f->base.put = fake_put;
	f->base.get = fake_get;
}

/* A ref that no runtime made, for the fake to carry: never used to send. */
static rt_ref
made_up_ref(uintptr_t cell, uint64_t gen)
{
	rt_ref r;

	r.cell = (rt_cell *)cell;
	r.gen = gen;
	return r;
}

/* ---- encode, check, decode ------------------------------------------------- */

/* The wire form of *msg, in a buffer of exactly its size (caller frees),
 * after checking that encode writes as many bytes as wire_size says. */
static uint8_t *
encode(const rt_wire_msg *w, const void *msg, rt_wire_refs *refs, size_t *len)
{
	size_t n = w->wire_size(msg);
	uint8_t *b;

	CU_ASSERT_FATAL(n != SIZE_MAX);
	b = malloc(n > 0 ? n : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(w->encode(b, msg, refs), n);
	*len = n;
	return b;
}

/* check() on a copy of src[0..len) in a buffer of exactly that size. */
static ptrdiff_t
check_exact(const rt_wire_msg *w, const uint8_t *src, size_t len)
{
	uint8_t *b = malloc(len > 0 ? len : 1);
	ptrdiff_t r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	memcpy(b, src, len);
	r = w->check(b, len);
	free(b);
	return r;
}

/* Check and decode src[0..len) into a payload of exactly the size check()
 * asked for (caller frees); *extra is what it asked beyond the struct. */
static void *
decode(const rt_wire_msg *w, const uint8_t *src, size_t len, rt_wire_refs *refs,
    ptrdiff_t *extra)
{
	void *dst;

	*extra = w->check(src, len);
	CU_ASSERT_FATAL(*extra >= 0);
	dst = malloc(w->size + (size_t)*extra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dst);
	w->decode(dst, src, len, refs);
	return dst;
}

/* Encode *msg, decode it, and encode the result again: the same bytes
 * (the encoding is canonical). Returns the decoded copy (caller frees). */
static void *
round_trip(const rt_wire_msg *w, const void *msg, rt_wire_refs *refs,
    ptrdiff_t *extra)
{
	size_t len, len2;
	uint8_t *bytes = encode(w, msg, refs, &len), *again;
	void *copy = decode(w, bytes, len, refs, extra);

	again = encode(w, copy, refs, &len2);
	CU_ASSERT_EQUAL(len2, len);
	CU_ASSERT(len2 == len && memcmp(again, bytes, len) == 0);
	free(again);
	free(bytes);
	return copy;
}

/* ---- field-wise comparison ------------------------------------------------- */

static bool
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
same_bytes(rt_bytes a, rt_bytes b)
{
	return a.len == b.len &&
	    (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* Floats by their bits: -0.0 and NaN must cross unchanged too. */
static bool
same_f32(float a, float b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static bool
same_f64(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static bool
same_point(const wire_Point *a, const wire_Point *b)
{
	return a->x == b->x && a->y == b->y;
}

static bool
same_tag(const wire_Tag *a, const wire_Tag *b)
{
	return same_string(a->key, b->key) && same_bytes(a->value, b->value) &&
	    same_point(&a->at, &b->at);
}

static bool
same_scalars(const wire_Scalars *a, const wire_Scalars *b)
{
	return a->flag == b->flag && a->tiny == b->tiny &&
	    a->small == b->small && a->mid == b->mid && a->big == b->big &&
	    a->ubyte == b->ubyte && a->ushort == b->ushort &&
	    a->uint == b->uint && a->ulong == b->ulong &&
	    same_f32(a->real, b->real) && same_f64(a->dbl, b->dbl) &&
	    a->mood == b->mood;
}

static bool
same_texts(const wire_Texts *a, const wire_Texts *b)
{
	return same_string(a->name, b->name) && same_string(a->none, b->none) &&
	    same_string(a->empty, b->empty) && same_bytes(a->blob, b->blob) &&
	    same_bytes(a->nothing, b->nothing);
}

static bool
same_arrays(const wire_Arrays *a, const wire_Arrays *b)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (a->small[i] != b->small[i] ||
		    !same_string(a->names[i], b->names[i]))
			return false;
	for (i = 0; i < 2; i++)
		if (!same_f64(a->pair[i], b->pair[i]) ||
		    a->flags[i] != b->flags[i] || a->moods[i] != b->moods[i] ||
		    !same_tag(&a->tags[i], &b->tags[i]))
			return false;
	return true;
}

static bool
same_nested(const wire_Nested *a, const wire_Nested *b)
{
	return a->depth == b->depth && same_tag(&a->tag, &b->tag) &&
	    same_point(&a->box[0], &b->box[0]) &&
	    same_point(&a->box[1], &b->box[1]) && same_arrays(&a->all, &b->all);
}

static bool
same_sample(const wire_Sample *a, const wire_Sample *b)
{
	return a->ok == b->ok && a->delta == b->delta && a->id == b->id &&
	    same_string(a->name, b->name) && same_bytes(a->data, b->data) &&
	    a->mood == b->mood && same_point(&a->at, &b->at);
}

/* ---- values ---------------------------------------------------------------- */

static const uint8_t blob3[] = { 0x00, 0xff, 0x7f };

static wire_Scalars
scalars(void)
{
	wire_Scalars m = { .flag = true,
		.tiny = INT8_MIN,
		.small = -12345,
		.mid = INT32_MIN + 1,
		.big = INT64_MIN,
		.ubyte = 0xff,
		.ushort = 0xfedc,
		.uint = 0xdeadbeef,
		.ulong = UINT64_MAX - 1,
		.real = -0.0f,
		.dbl = 6.02214076e23,
		.mood = wire_Mood_GONE };

	return m;
}

static wire_Texts
texts(void)
{
	wire_Texts m = { .name = "caf\xc3\xa9",
		.none = NULL,
		.empty = "",
		.blob = { blob3, sizeof(blob3) },
		.nothing = { NULL, 0 } };

	return m;
}

static wire_Arrays
arrays(void)
{
	wire_Arrays m = { .small = { 0, 1, 0xffff },
		.pair = { -1.5, INFINITY },
		.flags = { false, true },
		.moods = { wire_Mood_BUSY, wire_Mood_CALM },
		.names = { "a", NULL, "" },
		.tags = { { "k", { blob3, 2 }, { -1, 1 } },
		    { NULL, { NULL, 0 }, { INT32_MAX, INT32_MIN } } } };

	return m;
}

static wire_Sample
sample(void)
{
	static const uint8_t data[] = { 0xde, 0xad };
	wire_Sample m = { .ok = true,
		.delta = -2,
		.id = 0x01020304,
		.name = "hi",
		.data = { data, sizeof(data) },
		.mood = wire_Mood_GONE,
		.at = { -1, 7 } };

	return m;
}

/* The wire form of sample(), by hand (doc/wire.md). */
static const uint8_t sample_bytes[] = {
	0x01,                               /* ok: true */
	0xfe, 0xff,                         /* delta: -2 */
	0x04, 0x03, 0x02, 0x01,             /* id */
	0x02, 0x00, 0x00, 0x00, 'h', 'i',   /* name */
	0x02, 0x00, 0x00, 0x00, 0xde, 0xad, /* data */
	0x02, 0x00, 0x00, 0x00,             /* mood: gone */
	0xff, 0xff, 0xff, 0xff,             /* at.x: -1 */
	0x07, 0x00, 0x00, 0x00,             /* at.y */
};

/* The offsets of sample_bytes' fields. */
enum { S_OK = 0, S_NAME = 7, S_DATA = 13, S_MOOD = 19 };

/* ---- the tests: round trips ------------------------------------------------ */

static void
scalars_cross_unchanged(void)
{
	wire_Scalars m = scalars(), *c;
	ptrdiff_t extra;

	c = round_trip(&wire_Scalars_wire, &m, NULL, &extra);
	CU_ASSERT_EQUAL(extra, 0);
	CU_ASSERT(same_scalars(&m, c));
	free(c);
	/* NaN keeps its bits, and every flag value crosses. */
	m.real = NAN;
	m.dbl = -NAN;
	m.flag = false;
	m.mood = wire_Mood_CALM;
	c = round_trip(&wire_Scalars_wire, &m, NULL, &extra);
	CU_ASSERT(same_scalars(&m, c));
	free(c);
}

static void
strings_and_bytes_cross_null_and_empty_included(void)
{
	wire_Texts m = texts(), *c;
	ptrdiff_t extra;

	c = round_trip(&wire_Texts_wire, &m, NULL, &extra);
	/* "café" and its NUL, "" and its NUL, three bytes of blob. */
	CU_ASSERT_EQUAL(extra, 6 + 1 + 3);
	CU_ASSERT(same_texts(&m, c));
	CU_ASSERT_PTR_NULL(c->none);
	CU_ASSERT_PTR_NOT_NULL(c->empty);
	CU_ASSERT_EQUAL(c->nothing.len, 0);
	/* They point into the payload, after the struct. */
	CU_ASSERT((const char *)c->name >= (const char *)(c + 1));
	CU_ASSERT((const uint8_t *)c->blob.data <
	    (const uint8_t *)(c + 1) + extra);
	free(c);
}

static void
arrays_of_numbers_strings_and_messages_cross(void)
{
	wire_Arrays m = arrays(), *c;
	ptrdiff_t extra;

	c = round_trip(&wire_Arrays_wire, &m, NULL, &extra);
	/* "a", "", "k" with their NULs, and two bytes. */
	CU_ASSERT_EQUAL(extra, 2 + 1 + 2 + 2);
	CU_ASSERT(same_arrays(&m, c));
	free(c);
}

static void
nested_messages_cross_at_any_depth(void)
{
	wire_Nested m = { .depth = 3,
		.tag = { "outer", { blob3, 3 }, { 5, 6 } },
		.box = { { 1, 2 }, { 3, 4 } },
		.all = arrays() };
	wire_Nested *c;
	ptrdiff_t extra;

	c = round_trip(&wire_Nested_wire, &m, NULL, &extra);
	CU_ASSERT_EQUAL(extra, 6 + 3 + 2 + 1 + 2 + 2);
	CU_ASSERT(same_nested(&m, c));
	free(c);
}

static void
a_request_and_its_reply_cross(void)
{
	wire_Get q = { "key", 42 }, *qc;
	wire_Got r = { { blob3, 3 }, true, wire_Mood_BUSY }, *rc;
	ptrdiff_t extra;

	qc = round_trip(&wire_Get_wire, &q, NULL, &extra);
	CU_ASSERT_STRING_EQUAL(qc->key, "key");
	CU_ASSERT_EQUAL(qc->version, 42);
	free(qc);
	rc = round_trip(&wire_Got_wire, &r, NULL, &extra);
	CU_ASSERT(same_bytes(rc->value, r.value));
	CU_ASSERT_TRUE(rc->found);
	CU_ASSERT_EQUAL(rc->mood, wire_Mood_BUSY);
	free(rc);
	/* The request's codec knows its reply's; the others have none. */
	CU_ASSERT_PTR_EQUAL(wire_Get_wire.reply, &wire_Got_wire);
	CU_ASSERT_PTR_NULL(wire_Got_wire.reply);
	CU_ASSERT_PTR_NULL(wire_Sample_wire.reply);
}

static void
an_empty_message_is_zero_bytes(void)
{
	wire_Nothing m = { 0 }, *c;
	uint8_t one = 0;
	ptrdiff_t extra;

	CU_ASSERT_EQUAL(wire_Nothing_wire.wire_size(&m), 0);
	c = round_trip(&wire_Nothing_wire, &m, NULL, &extra);
	CU_ASSERT_EQUAL(extra, 0);
	free(c);
	CU_ASSERT_EQUAL(wire_Nothing_wire.check(&one, 1), -1);
}

static void
the_sample_round_trips(void)
{
	wire_Sample m = sample(), *c;
	ptrdiff_t extra;

	c = round_trip(&wire_Sample_wire, &m, NULL, &extra);
	CU_ASSERT_EQUAL(extra, 3 + 2);
	CU_ASSERT(same_sample(&m, c));
	free(c);
}

/* ---- the tests: bytes ------------------------------------------------------ */

static void
the_sample_is_encoded_byte_for_byte(void)
{
	wire_Sample m = sample();
	size_t len;
	uint8_t *b = encode(&wire_Sample_wire, &m, NULL, &len);

	CU_ASSERT_EQUAL(len, sizeof(sample_bytes));
	CU_ASSERT(len == sizeof(sample_bytes) &&
	    memcmp(b, sample_bytes, len) == 0);
	free(b);
	CU_ASSERT_EQUAL(check_exact(&wire_Sample_wire, sample_bytes,
			    sizeof(sample_bytes)),
	    3 + 2);
}

static void
a_null_string_is_length_ffffffff(void)
{
	wire_Sample m = sample(), *c;
	uint8_t *b;
	ptrdiff_t extra;
	size_t len;

	m.name = NULL;
	b = encode(&wire_Sample_wire, &m, NULL, &len);
	CU_ASSERT_EQUAL(len, sizeof(sample_bytes) - 2);
	CU_ASSERT(memcmp(b + S_NAME, "\xff\xff\xff\xff", 4) == 0);
	c = decode(&wire_Sample_wire, b, len, NULL, &extra);
	CU_ASSERT_EQUAL(extra, 2);
	CU_ASSERT_PTR_NULL(c->name);
	free(c);
	free(b);
}

/* Every message's wire form, for the tests of what check() refuses. */
static uint8_t *
each_encoding(size_t k, const rt_wire_msg **w, size_t *len)
{
	static wire_Scalars s;
	static wire_Texts t;
	static wire_Arrays a;
	static wire_Nested n;
	static wire_Refs r;
	static wire_Get g = { "k", 1 };
	static wire_Got got = { { blob3, 1 }, true, wire_Mood_GONE };
	static wire_Nothing none;
	static wire_Sample sm;
	const void *msg;

	s = scalars();
	t = texts();
	a = arrays();
	n.tag = a.tags[0];
	n.all = a;
	sm = sample();
	switch (k) {
	case 0:
		*w = &wire_Scalars_wire;
		msg = &s;
		break;
	case 1:
		*w = &wire_Texts_wire;
		msg = &t;
		break;
	case 2:
		*w = &wire_Arrays_wire;
		msg = &a;
		break;
	case 3:
		*w = &wire_Nested_wire;
		msg = &n;
		break;
	case 4:
		*w = &wire_Refs_wire;
		msg = &r;
		break;
	case 5:
		*w = &wire_Get_wire;
		msg = &g;
		break;
	case 6:
		*w = &wire_Got_wire;
		msg = &got;
		break;
	case 7:
		*w = &wire_Nothing_wire;
		msg = &none;
		break;
	case 8:
		*w = &wire_Sample_wire;
		msg = &sm;
		break;
	default:
		return NULL;
	}
	return encode(*w, msg, NULL, len);
}

static void
every_truncation_is_refused(void)
{
	const rt_wire_msg *w;
	uint8_t *b;
	size_t k, len, cut;

	for (k = 0; (b = each_encoding(k, &w, &len)) != NULL; k++) {
		CU_ASSERT(check_exact(w, b, len) >= 0);
		for (cut = 0; cut < len; cut++)
			if (check_exact(w, b, cut) != -1) {
				fprintf(stderr,
				    "\n%s: %zu of %zu bytes passed\n", w->name,
				    cut, len);
				CU_FAIL("a truncated frame passed");
			}
		free(b);
	}
}

static void
a_trailing_byte_is_refused(void)
{
	const rt_wire_msg *w;
	uint8_t *b, *longer;
	size_t k, len;

	for (k = 0; (b = each_encoding(k, &w, &len)) != NULL; k++) {
		longer = malloc(len + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(longer);
		memcpy(longer, b, len);
		longer[len] = 0;
		CU_ASSERT_EQUAL(w->check(longer, len + 1), -1);
		free(longer);
		free(b);
	}
}

/* check() of sample_bytes with `n` bytes at `off` replaced. */
static ptrdiff_t
check_altered(size_t off, const void *with, size_t n)
{
	uint8_t b[sizeof(sample_bytes)];

	memcpy(b, sample_bytes, sizeof(b));
	memcpy(b + off, with, n);
	return check_exact(&wire_Sample_wire, b, sizeof(b));
}

static void
a_bool_other_than_0_or_1_is_refused(void)
{
	wire_Arrays a = arrays();
	uint8_t *b;
	size_t len;

	CU_ASSERT_EQUAL(check_altered(S_OK, "\x00", 1), 0 + 3 + 2);
	CU_ASSERT_EQUAL(check_altered(S_OK, "\x02", 1), -1);
	CU_ASSERT_EQUAL(check_altered(S_OK, "\xff", 1), -1);
	/* In an array too: flags[1] is after small (6) and pair (16). */
	b = encode(&wire_Arrays_wire, &a, NULL, &len);
	CU_ASSERT_EQUAL(b[6 + 16 + 1], 1);
	b[6 + 16 + 1] = 2;
	CU_ASSERT_EQUAL(check_exact(&wire_Arrays_wire, b, len), -1);
	free(b);
}

static void
an_enum_value_not_declared_is_refused(void)
{
	wire_Arrays a = arrays();
	uint8_t *b;
	size_t len;

	CU_ASSERT_EQUAL(check_altered(S_MOOD, "\x00\x00\x00\x00", 4), 5);
	CU_ASSERT_EQUAL(check_altered(S_MOOD, "\x03\x00\x00\x00", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_MOOD, "\x00\x00\x00\x01", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_MOOD, "\xff\xff\xff\xff", 4), -1);
	/* moods[1], after small, pair and flags. */
	b = encode(&wire_Arrays_wire, &a, NULL, &len);
	b[6 + 16 + 2 + 4] = 3;
	CU_ASSERT_EQUAL(check_exact(&wire_Arrays_wire, b, len), -1);
	free(b);
}

static void
a_nul_inside_a_string_is_refused(void)
{
	CU_ASSERT_EQUAL(check_altered(S_NAME + 4, "h\0", 2), -1);
	CU_ASSERT_EQUAL(check_altered(S_NAME + 4, "\0i", 2), -1);
	/* In bytes, a NUL is data. */
	CU_ASSERT_EQUAL(check_altered(S_DATA + 4, "\0\0", 2), 5);
}

static void
lengths_past_the_frame_are_refused(void)
{
	/* 0xfffffffe: the largest length of a string that is not NULL. */
	CU_ASSERT_EQUAL(check_altered(S_NAME, "\xfe\xff\xff\xff", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_NAME, "\x03\x00\x00\x00", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_NAME, "\x00\x00\x00\x80", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_DATA, "\xff\xff\xff\xff", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_DATA, "\xff\xff\xff\x7f", 4), -1);
	CU_ASSERT_EQUAL(check_altered(S_DATA, "\x0d\x00\x00\x00", 4), -1);
	/* A length one short leaves a byte that is not a valid rest. */
	CU_ASSERT_EQUAL(check_altered(S_NAME, "\x01\x00\x00\x00", 4), -1);
}

static void
bytes_that_cannot_be_encoded_have_no_size(void)
{
	wire_Sample m = sample();

	m.data.data = NULL;
	CU_ASSERT_EQUAL(wire_Sample_wire.wire_size(&m), SIZE_MAX);
	m.data.len = 0;
	CU_ASSERT_EQUAL(wire_Sample_wire.wire_size(&m),
	    sizeof(sample_bytes) - 2);
}

/* ---- the tests: refs ------------------------------------------------------- */

static void
refs_go_through_the_nodes_put_and_get(void)
{
	struct fake_refs f;
	wire_Refs m, *c;
	uint8_t *b;
	ptrdiff_t extra;
	size_t len;

	fake_init(&f);
	memset(&m, 0, sizeof(m));
	m.store.ref = made_up_ref(0x1000, 3);
	m.more[1].ref = made_up_ref(0x2000, 5); /* more[0] is the zero ref */
	m.after = 9;
	b = encode(&wire_Refs_wire, &m, &f.base, &len);
	CU_ASSERT_EQUAL(len, 3 * RT_WIRE_REF_SIZE + 1);
	/* put is called for each ref but the zero one, which is zeros,
	 * with the kind of the ref. */
	CU_ASSERT_EQUAL_FATAL(f.puts, 2);
	CU_ASSERT(rt_ref_equal(f.put[0], m.store.ref));
	CU_ASSERT(rt_ref_equal(f.put[1], m.more[1].ref));
	CU_ASSERT_PTR_EQUAL(f.put_kind[0], &wire_Store_wire);
	CU_ASSERT_PTR_EQUAL(f.put_kind[1], &wire_Store_wire);
	CU_ASSERT_EQUAL(get_le64(b), FAKE_NODE);
	CU_ASSERT_EQUAL(get_le64(b + 8), 0x1000);
	CU_ASSERT_EQUAL(get_le64(b + 16), 3);
	CU_ASSERT(memcmp(b + RT_WIRE_REF_SIZE,
		      "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
		      RT_WIRE_REF_SIZE) == 0);
	CU_ASSERT_EQUAL(get_le64(b + 2 * RT_WIRE_REF_SIZE + 8), 0x2000);
	CU_ASSERT_EQUAL(b[3 * RT_WIRE_REF_SIZE], 9);
	/* get is called for each but the zeros, with the kind of the ref. */
	c = decode(&wire_Refs_wire, b, len, &f.base, &extra);
	CU_ASSERT_EQUAL(extra, 0);
	CU_ASSERT_EQUAL_FATAL(f.gets, 2);
	CU_ASSERT_PTR_EQUAL(f.kind[0], &wire_Store_wire);
	CU_ASSERT_PTR_EQUAL(f.kind[1], &wire_Store_wire);
	CU_ASSERT(memcmp(f.got[0], b, RT_WIRE_REF_SIZE) == 0);
	CU_ASSERT(memcmp(f.got[1], b + 2 * RT_WIRE_REF_SIZE,
		      RT_WIRE_REF_SIZE) == 0);
	CU_ASSERT(rt_ref_equal(c->store.ref, m.store.ref));
	CU_ASSERT(rt_ref_is_null(c->more[0].ref));
	CU_ASSERT(rt_ref_equal(c->more[1].ref, m.more[1].ref));
	CU_ASSERT_EQUAL(c->after, 9);
	free(c);
	free(b);
	/* What the node read, it writes back the same. */
	fake_init(&f);
	c = round_trip(&wire_Refs_wire, &m, &f.base, &extra);
	CU_ASSERT(rt_ref_equal(c->store.ref, m.store.ref));
	free(c);
}

static void
without_a_node_every_ref_is_the_zero_ref(void)
{
	struct fake_refs f;
	wire_Refs m, *c;
	uint8_t *b;
	ptrdiff_t extra;
	size_t len, i;

	memset(&m, 0, sizeof(m));
	m.store.ref = made_up_ref(0x1000, 3);
	m.after = 1;
	b = encode(&wire_Refs_wire, &m, NULL, &len);
	for (i = 0; i < 3 * RT_WIRE_REF_SIZE; i++)
		CU_ASSERT_EQUAL(b[i], 0);
	free(b);
	/* Bytes a node wrote decode as the zero ref without a node. */
	fake_init(&f);
	b = encode(&wire_Refs_wire, &m, &f.base, &len);
	c = decode(&wire_Refs_wire, b, len, NULL, &extra);
	CU_ASSERT(rt_ref_is_null(c->store.ref));
	CU_ASSERT_EQUAL(c->after, 1);
	free(c);
	free(b);
}

/* ---- the tests: the kind --------------------------------------------------- */

static void
the_remote_kind_lists_its_codecs_by_tag(void)
{
	const rt_wire_kind *k = &wire_Store_wire;

	CU_ASSERT_STRING_EQUAL(k->name, "wire.Store");
	CU_ASSERT_PTR_EQUAL(k->cls, &wire_Store_class);
	CU_ASSERT_EQUAL_FATAL(k->ntags, 8);
	CU_ASSERT_PTR_EQUAL(k->msgs[wire_Store_TAG_Scalars],
	    &wire_Scalars_wire);
	CU_ASSERT_PTR_EQUAL(k->msgs[wire_Store_TAG_Refs], &wire_Refs_wire);
	CU_ASSERT_PTR_EQUAL(k->msgs[wire_Store_TAG_Get], &wire_Get_wire);
	CU_ASSERT_PTR_EQUAL(k->msgs[wire_Store_TAG_Sample], &wire_Sample_wire);
	CU_ASSERT_STRING_EQUAL(wire_Sample_wire.name, "wire.Sample");
	CU_ASSERT_EQUAL(wire_Sample_wire.size, sizeof(wire_Sample));
	CU_ASSERT_EQUAL(wire_Got_wire.size, sizeof(wire_Got));
}

static void
lookup_refuses_a_null_out(void)
{
	CU_ASSERT_EQUAL(wire_Store_lookup(NULL, "store", NULL), RT_EINVAL);
}

/* ---- fingerprints ---------------------------------------------------------- */

/* FNV-1a, 64 bits, written again here so that rtgen's is checked. */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* Check protocol text src[0..len) as rtgen does; returns the unit (caller
 * frees with ast_unit_free), its errors in *errors and its diagnostics in
 * *err (caller frees). */
static ast_unit *
checked(const char *src, size_t len, unsigned *errors, char **err)
{
	size_t errlen = 0;
	FILE *f = open_memstream(err, &errlen);
	ast_unit *u = ast_unit_new("t.rtp");
	diag dg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	diag_init(&dg, f, "t.rtp", src, len);
	*errors = loader_check_text(NULL, u, &dg, src, len);
	diag_fini(&dg);
	fclose(f);
	return u;
}

/* The canonical text of message `name` in protocol text `src` (which must
 * check clean), and its fingerprint in *hash; caller frees. */
static char *
canon_of(const char *src, const char *name, uint64_t *hash)
{
	char *err, *text = NULL;
	unsigned errors;
	ast_unit *u = checked(src, strlen(src), &errors, &err);
	const ast_decl *d;

	CU_ASSERT_EQUAL(errors, 0);
	if (errors > 0)
		fprintf(stderr, "\n%s", err);
	free(err);
	for (d = u->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE && strcmp(d->name, name) == 0)
			text = canon_message(d, hash);
	ast_unit_free(u);
	CU_ASSERT_PTR_NOT_NULL(text);
	return text;
}

static uint64_t
fingerprint(const char *src, const char *name)
{
	uint64_t h = 0;

	free(canon_of(src, name, &h));
	return h;
}

/* The canonical text of wire.Get, by doc/wire.md's grammar. */
static const char
    get_text[] = "Get{string;u32;}->Got{bytes;bool;Mood(calm,busy,gone);}";

static void
a_fingerprint_is_the_fnv1a_of_the_canonical_text(void)
{
	char *src = slurp(TEST_SRCDIR "/rtp/wire.rtp", NULL);
	uint64_t h = 0;
	char *text;

	CU_ASSERT_EQUAL(fnv1a(get_text), UINT64_C(0xbfef61d8e80b691c));
	CU_ASSERT_EQUAL(wire_Get_wire.fingerprint, fnv1a(get_text));
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	text = canon_of(src, "Get", &h);
	CU_ASSERT_STRING_EQUAL(text, get_text);
	CU_ASSERT_EQUAL(h, fnv1a(get_text));
	free(text);
	text = canon_of(src, "Nested", &h);
	CU_ASSERT_STRING_EQUAL(text,
	    "Nested{u8;Tag{string;bytes;Point{i32;i32;};};Point{i32;i32;}[2];"
	    "Arrays{u16[3];f64[2];bool[2];Mood(calm,busy,gone)[2];string[3];"
	    "Tag{string;bytes;Point{i32;i32;};}[2];};}");
	CU_ASSERT_EQUAL(wire_Nested_wire.fingerprint, fnv1a(text));
	free(text);
	text = canon_of(src, "Refs", &h);
	CU_ASSERT_STRING_EQUAL(text,
	    "Refs{ref<wire.Store>;ref<wire.Store>[2];u8;}");
	free(text);
	free(src);
}

#define PROTO "protocol p;\nenum E { a, b }\nactor A { accepts M; remote; }\n"

static void
fingerprints_change_with_the_wire_form(void)
{
	uint64_t base = fingerprint(PROTO "message M { u32 n; string s; }",
	    "M");

	/* A field's type; the order of fields; one more or one less. */
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { u64 n; string s; }",
				"M"),
	    base);
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { string s; u32 n; }",
				"M"),
	    base);
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { u32 n; string s; "
					      "bool b; }",
				"M"),
	    base);
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { u32 n; }", "M"),
	    base);
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { u32[2] n; "
					      "string s; }",
				"M"),
	    base);
	/* The message's own name. */
	CU_ASSERT_NOT_EQUAL(fingerprint("protocol p;\nactor A { accepts N; "
					"remote; }\n"
					"message N { u32 n; string s; }",
				"N"),
	    base);
	/* An enum's values; a nested message's fields. */
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { E e; }", "M"),
	    fingerprint("protocol p;\nenum E { a, b, c }\n"
			"actor A { accepts M; remote; }\n"
			"message M { E e; }",
		"M"));
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M { I i; }\n"
					      "message I { u8 x; }",
				"M"),
	    fingerprint(PROTO "message M { I i; }\nmessage I { i8 x; }", "M"));
	/* A request's reply type. */
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "message M -> R { u32 n; }\n"
					      "message R { u32 r; }",
				"M"),
	    fingerprint(PROTO "message M -> R { u32 n; }\n"
			      "message R { i32 r; }",
		"M"));
	/* The kind of a ref. */
	CU_ASSERT_NOT_EQUAL(fingerprint(PROTO "actor B { accepts M; remote; }\n"
					      "message M { ref<A> r; }",
				"M"),
	    fingerprint(PROTO "actor B { accepts M; remote; }\n"
			      "message M { ref<B> r; }",
		"M"));
}

static void
renaming_a_field_keeps_the_fingerprint(void)
{
	CU_ASSERT_EQUAL(fingerprint(PROTO "message M { u32 n; string s; }",
			    "M"),
	    fingerprint(PROTO "message M { u32 count; string label; }", "M"));
	CU_ASSERT_EQUAL(fingerprint(PROTO "message M -> R { I i; }\n"
					  "message I { u8 x; }\n"
					  "message R { bool ok; }",
			    "M"),
	    fingerprint(PROTO "message M -> R { I inner; }\n"
			      "message I { u8 y; }\n"
			      "message R { bool done; }",
		"M"));
}

static void
a_definition_too_long_for_the_wire_is_an_error(void)
{
	/* Each message holds the one before it twice: 2^14 Points. */
	char src[4096], *err;
	unsigned errors;
	size_t n = 0;
	ast_unit *u;
	int i;

	n += (size_t)snprintf(src + n, sizeof(src) - n,
	    "protocol p;\nactor A { accepts M14; remote; }\n"
	    "message M0 { i32 x; i32 y; }\n");
	for (i = 1; i <= 14; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n,
		    "message M%d { M%d a; M%d b; }\n", i, i - 1, i - 1);
	u = checked(src, n, &errors, &err);
	CU_ASSERT_EQUAL(errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err,
	    "t.rtp:2:19: error: 'M14' is too large to cross the wire"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "note: 'A' is made remote here"));
	free(err);
	ast_unit_free(u);
}

int
main(int argc, char **argv)
{
	CU_TestInfo codecs[] = {
		{ "scalars cross unchanged", scalars_cross_unchanged },
		{ "strings and bytes cross, NULL and empty included",
		    strings_and_bytes_cross_null_and_empty_included },
		{ "arrays of numbers, strings and messages cross",
		    arrays_of_numbers_strings_and_messages_cross },
		{ "nested messages cross at any depth",
		    nested_messages_cross_at_any_depth },
		{ "a request and its reply cross",
		    a_request_and_its_reply_cross },
		{ "an empty message is zero bytes",
		    an_empty_message_is_zero_bytes },
		{ "the sample round-trips", the_sample_round_trips },
		{ "the sample is encoded byte for byte",
		    the_sample_is_encoded_byte_for_byte },
		{ "a NULL string is length ffffffff",
		    a_null_string_is_length_ffffffff },
		{ "every truncation is refused", every_truncation_is_refused },
		{ "a trailing byte is refused", a_trailing_byte_is_refused },
		{ "a bool other than 0 or 1 is refused",
		    a_bool_other_than_0_or_1_is_refused },
		{ "an enum value not declared is refused",
		    an_enum_value_not_declared_is_refused },
		{ "a NUL inside a string is refused",
		    a_nul_inside_a_string_is_refused },
		{ "lengths past the frame are refused",
		    lengths_past_the_frame_are_refused },
		{ "bytes that cannot be encoded have no size",
		    bytes_that_cannot_be_encoded_have_no_size },
		{ "refs go through the node's put and get",
		    refs_go_through_the_nodes_put_and_get },
		{ "without a node every ref is the zero ref",
		    without_a_node_every_ref_is_the_zero_ref },
		{ "the remote kind lists its codecs by tag",
		    the_remote_kind_lists_its_codecs_by_tag },
		{ "lookup refuses a NULL out", lookup_refuses_a_null_out },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo fingerprints[] = {
		{ "a fingerprint is the FNV-1a of the canonical text",
		    a_fingerprint_is_the_fnv1a_of_the_canonical_text },
		{ "fingerprints change with the wire form",
		    fingerprints_change_with_the_wire_form },
		{ "renaming a field keeps the fingerprint",
		    renaming_a_field_keeps_the_fingerprint },
		{ "a definition too long for the wire is an error",
		    a_definition_too_long_for_the_wire_is_an_error },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "wire codecs", NULL, NULL, NULL, NULL, codecs },
		{ "fingerprints", NULL, NULL, NULL, NULL, fingerprints },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
