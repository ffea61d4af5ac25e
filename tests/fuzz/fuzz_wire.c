/* SPDX-License-Identifier: MIT */
/*
 * The fuzz target of the wire codecs rtgen generates (rt/wire.h), on those
 * of tests/rtp/wire.rtp: the messages its remote kind Store accepts, by
 * tag, then the replies of its requests. The first byte of an input picks
 * one (modulo their number); the rest is a frame's body, bytes from
 * another process that the codec must never misread.
 *
 * check() must refuse the body or accept it; once it accepts, decode()
 * fills a payload of exactly the struct and the bytes check() asked for
 * (allocated to that size, so that AddressSanitizer sees any write past
 * it), and encoding the payload again must give the body back byte for
 * byte: the encoding is canonical, so anything check() lets through reads
 * as exactly one message. A broken promise aborts. Refs go through a fake
 * node that hands out a ref per ref it reads and writes its bytes back.
 *
 * libFuzzer links it with its own main() (`make fuzz`); replay.c gives it
 * a plain main() so that `make check` replays tests/fuzz/wire-corpus in
 * every build, under the sanitizers of that build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The codecs: by tag, then the replies not already among them. */
#define MAX_MSGS 32

static const rt_wire_msg *msgs[MAX_MSGS];
static size_t nmsgs;

static void
add(const rt_wire_msg *w)
{
	size_t i;

	for (i = 0; i < nmsgs; i++)
		if (msgs[i] == w)
			return;
	if (nmsgs == MAX_MSGS)
		abort();
	msgs[nmsgs++] = w;
}

static void
list_msgs(void)
{
	const rt_wire_kind *k = &wire_Store_wire;
	uint32_t t;

	for (t = 0; t < k->ntags; t++)
		add(k->msgs[t]);
	for (t = 0; t < k->ntags; t++)
		if (k->msgs[t]->reply != NULL)
			add(k->msgs[t]->reply);
}

/*
 * A node for the codecs' refs: the ref it gives for the n-th ref it reads
 * names slot n, which keeps the bytes read, and writing that ref writes
 * them back. Its cell is never followed: nothing sends to it.
 */
#define MAX_REFS 64

struct fake_node {
	rt_wire_refs base;
	uint8_t slot[MAX_REFS][RT_WIRE_REF_SIZE];
	size_t used;
};

static void
fake_put(rt_wire_refs *self, uint8_t *dst, rt_ref ref, const rt_wire_kind *kind)
{
	struct fake_node *n = (struct fake_node *)self;
	uintptr_t i = (uintptr_t)ref.cell - 1;

	if (i >= n->used || ref.gen != 1 || kind != &wire_Store_wire)
		abort();
	memcpy(dst, n->slot[i], RT_WIRE_REF_SIZE);
}

static rt_ref
fake_get(rt_wire_refs *self, const uint8_t *src, const rt_wire_kind *kind)
{
	static const uint8_t zero[RT_WIRE_REF_SIZE];
	struct fake_node *n = (struct fake_node *)self;
	rt_ref r;

	/* The codec reads the zero ref itself; every ref is to a Store. */
	if (memcmp(src, zero, sizeof(zero)) == 0 || kind != &wire_Store_wire ||
	    n->used == MAX_REFS)
		abort();
	memcpy(n->slot[n->used], src, RT_WIRE_REF_SIZE);
	r.cell = (rt_cell *)(uintptr_t)(++n->used);
	r.gen = 1;
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_node node;
	const rt_wire_msg *w;
	const uint8_t *body;
	uint8_t *again;
	ptrdiff_t extra;
	size_t len, n;
	void *payload;

	if (nmsgs == 0)
		list_msgs();
	if (size == 0)
		return 0;
	w = msgs[data[0] % nmsgs];
	body = data + 1;
	len = size - 1;
	extra = w->check(body, len);
	if (extra < -1)
		abort();
	if (extra < 0)
		return 0;
	memset(&node, 0, sizeof(node));
	node.base.put = fake_put;
	node.base.get = fake_get;
	payload = malloc(w->size + (size_t)extra);
	if (payload == NULL)
		abort();
	w->decode(payload, body, len, &node.base);
	n = w->wire_size(payload);
	if (n != len)
		abort();
	again = malloc(n > 0 ? n : 1);
	if (again == NULL)
		abort();
	if (w->encode(again, payload, &node.base) != n ||
	    memcmp(again, body, n) != 0)
		abort();
	free(again);
	free(payload);
	return 0;
}
