/* SPDX-License-Identifier: MIT */
/*
 * Frames between nodes (doc/wire.md): a header, then a body. For a
 * message, a request or a reply the body is the message's wire form
 * (rt/wire.h); the other frames carry names.
 *
 *   0  u8   version (FRAME_VERSION)
 *   1  u8   type (enum frame_type)
 *   2  u16  flags (FRAME_F_*)
 *   4  u32  the message's tag in the target's kind, a hint: the
 *           fingerprint decides
 *   8  u64  fingerprint of the message (0 for frames without one)
 *  16  u64  correlation id: requests, replies and error replies only
 *  ..  i64  status: error replies and "gone" only
 *
 * Every field little-endian; a frame carries only the fields its type
 * has (frame_header_len). A frame with FRAME_F_SENDER names the node
 * that sent it (a u16 length and the name) before its body; messages and
 * requests do not need to, as their reply subject names it.
 */
#ifndef RT_NODE_FRAME_H
#define RT_NODE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FRAME_VERSION 2
#define FRAME_HEADER_MAX 32

enum frame_type {
	FRAME_MSG = 1,    /* a message to an exported name */
	FRAME_REQ = 2,    /* a request, answered on the frame's reply subject */
	FRAME_REPLY = 3,  /* an answer: the reply's wire form */
	FRAME_ERROR = 4,  /* an answer: an error status, no body */
	FRAME_PROBE = 5,  /* a lookup: who exports this name, of what kind? */
	FRAME_PROBED = 6, /* its answer: body = node name, kind name */
	FRAME_BEAT = 7,   /* heartbeat: body = node name, exported names */
	FRAME_BYE = 8,    /* a node stops: body = node name */
	FRAME_GONE = 9,   /* an exported actor stopped: body = node, name */
	FRAME_BATCH = 10, /* messages (FRAME_MSG) to one name or ref, in
	                     order: its tag field is their count, its body
	                     that many (u32 length, frame) */
};

/* The header of a batch: a frame header without the optional fields. */
#define BATCH_HEADER 16

/* The body starts with the sending node's name. */
#define FRAME_F_SENDER 0x0001

struct frame {
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t tag;
	uint64_t fingerprint;
	uint64_t corr;
	int64_t status;
};

static inline void
frame_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
frame_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t
frame_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
frame_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Which of the optional fields a frame of `type` has. */
static inline bool
frame_has_corr(uint8_t type)
{
	return type == FRAME_REQ || type == FRAME_REPLY || type == FRAME_ERROR;
}

static inline bool
frame_has_status(uint8_t type)
{
	return type == FRAME_ERROR || type == FRAME_GONE;
}

/* The bytes of the header of a frame of `type`. */
static inline size_t
frame_header_len(uint8_t type)
{
	return 16 + (frame_has_corr(type) ? 8 : 0) +
	    (frame_has_status(type) ? 8 : 0);
}

/* frame_put_header: the header of `f` at p; returns its length. */
static inline size_t
frame_put_header(uint8_t *p, const struct frame *f)
{
	size_t at = 16;

	p[0] = FRAME_VERSION;
	p[1] = f->type;
	p[2] = (uint8_t)f->flags;
	p[3] = (uint8_t)(f->flags >> 8);
	p[4] = (uint8_t)f->tag;
	p[5] = (uint8_t)(f->tag >> 8);
	p[6] = (uint8_t)(f->tag >> 16);
	p[7] = (uint8_t)(f->tag >> 24);
	frame_put64(p + 8, f->fingerprint);
	if (frame_has_corr(f->type)) {
		frame_put64(p + at, f->corr);
		at += 8;
	}
	if (frame_has_status(f->type)) {
		frame_put64(p + at, (uint64_t)f->status);
		at += 8;
	}
	return at;
}

/* frame_get_header: the header's length, or 0 when `len` bytes hold no
 * header of this version. */
static inline size_t
frame_get_header(const uint8_t *p, size_t len, struct frame *f)
{
	size_t need, at = 16;

	if (len < 16 || p[0] != FRAME_VERSION)
		return 0;
	need = frame_header_len(p[1]);
	if (len < need)
		return 0;
	f->version = p[0];
	f->type = p[1];
	f->flags = (uint16_t)(p[2] | p[3] << 8);
	f->tag = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
	    (uint32_t)p[7] << 24;
	f->fingerprint = frame_get64(p + 8);
	f->corr = 0;
	f->status = 0;
	if (frame_has_corr(f->type)) {
		f->corr = frame_get64(p + at);
		at += 8;
	}
	if (frame_has_status(f->type)) {
		f->status = (int64_t)frame_get64(p + at);
		at += 8;
	}
	return at;
}

/*
 * Names in bodies: a u16 length and the bytes. frame_get_name copies one
 * into buf (size cap, NUL-terminated) and advances *p; false when the
 * bytes run out or the name does not fit.
 */
static inline size_t
frame_put_name(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	memcpy(p + 2, s, n);
	return n + 2;
}

static inline bool
frame_get_name(const uint8_t **p, const uint8_t *end, char *buf, size_t cap)
{
	size_t n;

	if (end - *p < 2)
		return false;
	n = (size_t)((*p)[0] | (*p)[1] << 8);
	if ((size_t)(end - *p - 2) < n || n >= cap || memchr(*p + 2, 0, n))
		return false;
	memcpy(buf, *p + 2, n);
	buf[n] = '\0';
	*p += 2 + n;
	return true;
}

#endif
