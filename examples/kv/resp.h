/* SPDX-License-Identifier: MIT */
/*
 * RESP2, the Redis protocol, as a server reads and writes it: an
 * incremental request parser and a reply writer. Nothing here knows about
 * rt or sockets, so that the parser can be tested byte by byte on its own
 * (tests/test_resp.c).
 *
 * The parser reads what redis-server 7 reads, the way it reads it, quirks
 * included, so that a client sees the same replies and the same protocol
 * errors from rtkv as from Redis: a request starting with '*' is a
 * multibulk one ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), anything else an
 * inline one (a line split into words, with Redis's quoting rules). Lines
 * of counts end at their first '\r' (the byte after it is skipped, not
 * checked), and so do the two bytes after a bulk's data; a NUL byte in a
 * line Redis searches with strchr hides the rest of it from Redis, and so
 * from us. The limits are ours (Redis's, in brackets): an argument at most
 * RESP_MAX_BULK bytes [proto-max-bulk-len, 512 MB], at most RESP_MAX_ARGS
 * arguments [INT_MAX], all the arguments of one request at most
 * RESP_MAX_REQUEST bytes [client-query-buffer-limit, 1 GB]; an inline
 * request or a count line at most RESP_MAX_INLINE bytes [the same].
 */
#ifndef KV_RESP_H
#define KV_RESP_H

#include <stdbool.h>
#include <stddef.h>

#define RESP_MAX_BULK (16u << 20)    /* the longest argument (16 MB) */
#define RESP_MAX_ARGS (1u << 20)     /* the most arguments in a request */
#define RESP_MAX_REQUEST (64u << 20) /* all the arguments of one request */
#define RESP_MAX_INLINE (64u << 10)  /* Redis's PROTO_INLINE_MAX_SIZE */

/* The longest text of a protocol error, NUL included. */
#define RESP_ERROR_MAX 64

/* One argument of a request: `len` bytes at `p`, which may hold NULs. */
struct resp_arg {
	const char *p;
	size_t len;
};

/* A whole request, as resp_parser_next hands it out. */
struct resp_request {
	size_t argc; /* >= 1 */
	const struct resp_arg *argv;
};

/* What resp_parser_next found. */
enum resp_result {
	RESP_MORE = 0,    /* no whole request yet: read more */
	RESP_REQUEST = 1, /* a request */
	/* A protocol error: answer the error resp_parser_error() gives, as
	 * Redis does, and close the connection once it is written. */
	RESP_EPROTO = -1,
	/* A request larger than RESP_MAX_REQUEST: close the connection
	 * without an answer, as Redis closes a client whose query buffer
	 * grows past client-query-buffer-limit. */
	RESP_ETOOBIG = -2,
	RESP_ENOMEM = -3, /* no memory to go on */
};

/*
 * The parser of one connection. Everything in it is private to resp.c;
 * it is declared here so that it can live inside the connection's state.
 */
struct resp_parser {
	/* The limits, RESP_MAX_* after resp_parser_init; a program (or a
	 * test) may lower them before the first byte. */
	size_t max_bulk;
	size_t max_args;
	size_t max_request;
	char *buf;
	size_t cap;      /* bytes allocated at buf */
	size_t len;      /* bytes held */
	size_t pos;      /* bytes parsed: [pos, len) is still to parse */
	size_t start;    /* where the request being parsed begins */
	int type;        /* 0 (between requests), '*' or 'i' (inline) */
	long long count; /* multibulk: arguments still to come */
	long long bulk;  /* multibulk: the length of the argument whose
	                    data comes next, or -1 before its "$" line */
	size_t bytes;    /* the arguments' bytes so far */
	size_t argc;     /* arguments so far */
	size_t argcap;   /* room in off, len and argv */
	size_t *off;     /* each argument's offset from `start` */
	size_t *arglen;
	struct resp_arg *argv;
	enum resp_result failed; /* once an error, always that error */
	char error[RESP_ERROR_MAX];
};

/* resp_parser_init: an empty parser; it allocates nothing yet. */
void resp_parser_init(struct resp_parser *p);

/* resp_parser_free: release what p holds; p may be initialized again. */
void resp_parser_free(struct resp_parser *p);

/*
 * resp_parser_space: room for the next bytes read from the connection:
 * stores in *at where they go and in *room how many fit (at least 1).
 * Read into it, then call resp_parser_wrote with what was read. Moves the
 * bytes still to parse to the front of the buffer, and grows it (or
 * shrinks it back after a large request), so it invalidates the request
 * resp_parser_next returned last. Returns 0, or -1 when out of memory.
 */
int resp_parser_space(struct resp_parser *p, char **at, size_t *room);

/* resp_parser_wrote: n bytes (at most the room given) were stored. */
void resp_parser_wrote(struct resp_parser *p, size_t n);

/*
 * resp_parser_feed: resp_parser_space and resp_parser_wrote around a copy
 * of n bytes of data. Returns 0, or -1 when out of memory.
 */
int resp_parser_feed(struct resp_parser *p, const void *data, size_t n);

/*
 * resp_parser_next: the next whole request of the bytes given so far, in
 * *req: its arguments point into the parser and stay valid until the
 * next call of resp_parser_space, resp_parser_feed or resp_parser_free.
 * Empty requests ("*0\r\n", "*-1\r\n", a blank inline line) are skipped,
 * as Redis skips them. Returns RESP_REQUEST, RESP_MORE, or an error
 * (resp_result), after which it returns that error again: a connection
 * that broke the protocol is not read any further.
 */
enum resp_result resp_parser_next(struct resp_parser *p,
    struct resp_request *req);

/*
 * resp_parser_error: after RESP_EPROTO, the error's text as Redis gives
 * it, without "ERR " ("Protocol error: invalid bulk length"); "" before.
 */
const char *resp_parser_error(const struct resp_parser *p);

/* resp_parser_held: bytes the parser holds allocated (its footprint). */
size_t resp_parser_held(const struct resp_parser *p);

/*
 * resp_string2ll: parse the `len` bytes at s as a signed 64-bit decimal
 * integer, as strictly as Redis's string2ll: an optional '-', then digits
 * without leading zeros ("0" alone is zero), nothing else, no overflow,
 * at most 20 bytes. " 1", "+1", "007", "-0", "1 " and "" are refused.
 * Stores the value in *v (v may be NULL). Returns whether s is one.
 */
bool resp_string2ll(const char *s, size_t len, long long *v);

/*
 * resp_ll2string: write v in decimal to buf (at least 21 bytes), without
 * a NUL; returns the number of bytes written.
 */
size_t resp_ll2string(char *buf, long long v);

/* --- replies -------------------------------------------------------------- */

/*
 * A growing byte buffer that replies are appended to. Zeroed, it is
 * empty; every append returns 0, or -1 when out of memory (the buffer is
 * then as it was).
 */
struct resp_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* resp_buf_free: release b's memory; b is empty (and usable) again. */
void resp_buf_free(struct resp_buf *b);

/* resp_buf_reserve: make room for n more bytes. */
int resp_buf_reserve(struct resp_buf *b, size_t n);

/* resp_add_raw: append n bytes of ready-made protocol. */
int resp_add_raw(struct resp_buf *b, const void *p, size_t n);

/* resp_add_simple: "+s\r\n"; s must hold no '\r' or '\n'. */
int resp_add_simple(struct resp_buf *b, const char *s);

/*
 * resp_add_error: "-ERR msg\r\n" (or "-msg\r\n" when msg begins with '-',
 * as Redis writes its error codes), with every '\r' and '\n' of msg
 * turned into a space, as Redis does to keep the reply one line.
 */
int resp_add_error(struct resp_buf *b, const char *msg, size_t len);

/* resp_add_errorf: resp_add_error with a printf format (at most 1 KB). */
int resp_add_errorf(struct resp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* resp_add_int: ":v\r\n". */
int resp_add_int(struct resp_buf *b, long long v);

/* resp_add_bulk: "$len\r\n" + the bytes + "\r\n". */
int resp_add_bulk(struct resp_buf *b, const void *p, size_t len);

/* resp_add_nil: "$-1\r\n", RESP2's null bulk string. */
int resp_add_nil(struct resp_buf *b);

/* resp_add_array: "*n\r\n", the header of n elements that follow. */
int resp_add_array(struct resp_buf *b, long long n);

#endif
