/* SPDX-License-Identifier: MIT */
/*
 * RESP2 requests and replies (resp.h). The parser follows redis-server
 * 7.0's processInlineBuffer, processMultibulkBuffer, sdssplitargs and
 * string2ll closely enough to give the same answer, error text included,
 * for every byte sequence that Redis gets in the same pieces: a client
 * that is wrong in some way is wrong in the same way against both.
 *
 * The bytes of a request stay in one buffer until it is whole: its
 * arguments are recorded as offsets from the request's first byte, so
 * that moving the buffer (to make room) does not disturb them, and they
 * become pointers only when the request is handed out. Inline arguments
 * are unquoted in place: an escape is never shorter than what it stands
 * for, so the words written never overtake the bytes still to read.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"

/* What one read asks room for: Redis's PROTO_IOBUF_LEN. */
#define READ_CHUNK (16u << 10)
/* A buffer larger than this, mostly empty, is given back. */
#define SHRINK_OVER (256u << 10)
/* Room kept for arguments' offsets between requests. */
#define ARGS_KEPT 1024

/* Redis's LONG_STR_SIZE: a number of this many bytes or more is refused. */
#define LONG_STR_SIZE 21

void
resp_parser_init(struct resp_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->max_bulk = RESP_MAX_BULK;
	p->max_args = RESP_MAX_ARGS;
	p->max_request = RESP_MAX_REQUEST;
	p->bulk = -1;
}

static void
free_args(struct resp_parser *p)
{
	free(p->off);
	free(p->arglen);
	free(p->argv);
	p->off = p->arglen = NULL;
	p->argv = NULL;
	p->argcap = 0;
}

/* Back to "between requests", the parsed bytes behind us. */
static void
reset_request(struct resp_parser *p)
{
	p->type = 0;
	p->count = 0;
	p->bulk = -1;
	p->bytes = 0;
	p->argc = 0;
	p->start = p->pos;
}

void
resp_parser_free(struct resp_parser *p)
{
	free(p->buf);
	free_args(p);
	p->buf = NULL;
	p->cap = p->len = p->pos = 0;
	reset_request(p);
}

int
resp_parser_space(struct resp_parser *p, char **at, size_t *room)
{
	size_t keep, want = READ_CHUNK;
	char *nb;

	if (p->type == 0)
		p->start = p->pos;
	keep = p->start;

	/* Drop what is parsed, except the request under way, whose
	 * arguments are offsets from its start. */
	if (keep > 0) {
		memmove(p->buf, p->buf + keep, p->len - keep);
		p->len -= keep;
		p->pos -= keep;
		p->start -= keep;
	}
	if (p->type == 0 && p->argcap > ARGS_KEPT)
		free_args(p);
	/* Inside a bulk's data, grow towards its end, at most doubling at
	 * each read: a length announced is not memory handed out until
	 * the data comes. */
	if (p->type == '*' && p->bulk >= 0 &&
	    p->pos + (size_t)p->bulk + 2 > p->len) {
		size_t need = p->pos + (size_t)p->bulk + 2 - p->len;

		if (need > want)
			want = need < p->len ? need :
			    p->len > want    ? p->len :
					       want;
	}
	if (p->cap - p->len < want ||
	    (p->cap > SHRINK_OVER && p->len + want < p->cap / 4)) {
		size_t cap = p->len + want;

		/* Grow by half at least, so that a request arriving in
		 * small pieces is not copied once per piece. */
		if (cap > p->cap && cap < p->cap + p->cap / 2)
			cap = p->cap + p->cap / 2;
		nb = realloc(p->buf, cap);
		if (nb == NULL)
			return -1;
		p->buf = nb;
		p->cap = cap;
	}
	*at = p->buf + p->len;
	*room = p->cap - p->len;
	return 0;
}

void
resp_parser_wrote(struct resp_parser *p, size_t n)
{
	p->len += n;
}

int
resp_parser_feed(struct resp_parser *p, const void *data, size_t n)
{
	const char *d = data;

	while (n > 0) {
		size_t room, k;
		char *at;

		if (resp_parser_space(p, &at, &room) != 0)
			return -1;
		k = n < room ? n : room;
		memcpy(at, d, k);
		resp_parser_wrote(p, k);
		d += k;
		n -= k;
	}
	return 0;
}

const char *
resp_parser_error(const struct resp_parser *p)
{
	return p->error;
}

size_t
resp_parser_held(const struct resp_parser *p)
{
	return p->cap +
	    p->argcap * (2 * sizeof(size_t) + sizeof(struct resp_arg));
}

/* --- integers ------------------------------------------------------------- */

bool
resp_string2ll(const char *s, size_t len, long long *v)
{
	unsigned long long n;
	size_t i = 0;
	bool negative = false;

	if (len == 0 || len >= LONG_STR_SIZE)
		return false;
	if (len == 1 && s[0] == '0') {
		if (v != NULL)
			*v = 0;
		return true;
	}
	if (s[0] == '-') {
		negative = true;
		if (++i == len)
			return false;
	}
	/* The first digit is 1-9: no sign but '-', no leading zero. */
	if (s[i] < '1' || s[i] > '9')
		return false;
	n = (unsigned long long)(s[i++] - '0');
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (n > ULLONG_MAX / 10 || n * 10 > ULLONG_MAX - d)
			return false;
		n = n * 10 + d;
	}
	if (i < len)
		return false;
	if (negative) {
		if (n > (unsigned long long)LLONG_MAX + 1)
			return false;
		if (v != NULL)
			*v = n == (unsigned long long)LLONG_MAX + 1 ?
			    LLONG_MIN :
			    -(long long)n;
	} else {
		if (n > (unsigned long long)LLONG_MAX)
			return false;
		if (v != NULL)
			*v = (long long)n;
	}
	return true;
}

size_t
resp_ll2string(char *buf, long long v)
{
	char tmp[LONG_STR_SIZE];
	unsigned long long n;
	size_t k = 0, i;

	n = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	i = 0;
	if (v < 0)
		buf[i++] = '-';
	while (k > 0)
		buf[i++] = tmp[--k];
	return i;
}

/* --- requests ------------------------------------------------------------- */

static enum resp_result fail(struct resp_parser *p, enum resp_result why,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum resp_result
fail(struct resp_parser *p, enum resp_result why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	p->failed = why;
	return why;
}

/*
 * The first `c` in [from, len), as Redis's strchr finds it: a NUL byte
 * before it ends the search, and hides it. Returns its offset, or
 * SIZE_MAX when there is none (yet).
 */
static size_t
find(const struct resp_parser *p, size_t from, int c)
{
	const char *at, *nul;

	at = memchr(p->buf + from, c, p->len - from);
	if (at == NULL)
		return SIZE_MAX;
	nul = memchr(p->buf + from, '\0', (size_t)(at - (p->buf + from)));
	return nul != NULL ? SIZE_MAX : (size_t)(at - p->buf);
}

/* Record an argument of `len` bytes at offset `off` of the buffer. */
static int
add_arg(struct resp_parser *p, size_t off, size_t len)
{
	if (p->argc == p->argcap) {
		size_t cap = p->argcap < 8 ? 8 : p->argcap * 2;
		size_t *o, *l;
		struct resp_arg *v;

		/* A multibulk request says how many are coming: no more. */
		if (p->type == '*' && cap > p->argc + (size_t)p->count)
			cap = p->argc + (size_t)p->count;
		o = realloc(p->off, cap * sizeof(*o));
		if (o == NULL)
			return -1;
		p->off = o;
		l = realloc(p->arglen, cap * sizeof(*l));
		if (l == NULL)
			return -1;
		p->arglen = l;
		v = realloc(p->argv, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		p->argv = v;
		p->argcap = cap;
	}
	p->off[p->argc] = off - p->start;
	p->arglen[p->argc] = len;
	p->argc++;
	return 0;
}

static bool
is_space(int c)
{
	/* isspace() in the C locale, which is what Redis runs in. */
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Split the line [from, end) into words as Redis's sdssplitargs does:
 * blanks between words; "double quotes" with \n \r \t \b \a \xHH and
 * backslash-anything escapes; 'single quotes' with \' only; a quote may
 * open in the middle of a word, and a closing one must be followed by a
 * blank or the end. The words overwrite the line from its start. Returns
 * 0, -1 for unbalanced quotes, -2 when out of memory.
 */
static int
split_inline(struct resp_parser *p, size_t from, size_t end)
{
	char *b = p->buf;
	size_t i = from, w = from;

/* The line's byte at k, or 0 past its end (Redis sees a C string). */
#define AT(k) ((k) < end ? (unsigned char)b[(k)] : 0)
	for (;;) {
		bool inq = false, insq = false, done = false;
		size_t word;

		while (i < end && is_space((unsigned char)b[i]))
			i++;
		if (i >= end)
			return 0;
		word = w;
		while (!done) {
			int c = AT(i), next = AT(i + 1);

			if (inq) {
				if (c == '\\' && next == 'x' &&
				    hex_value(AT(i + 2)) >= 0 &&
				    hex_value(AT(i + 3)) >= 0) {
					int v = hex_value(AT(i + 2)) * 16 +
					    hex_value(AT(i + 3));

					b[w++] = (char)v;
					i += 3;
				} else if (c == '\\' && next != 0) {
					i++;
					switch (next) {
					case 'n':
						b[w++] = '\n';
						break;
					case 'r':
						b[w++] = '\r';
						break;
					case 't':
						b[w++] = '\t';
						break;
					case 'b':
						b[w++] = '\b';
						break;
					case 'a':
						b[w++] = '\a';
						break;
					default:
						b[w++] = (char)next;
						break;
					}
				} else if (c == '"') {
					if (next != 0 && !is_space(next))
						return -1;
					done = true;
				} else if (c == 0) {
					return -1;
				} else {
					b[w++] = (char)c;
				}
			} else if (insq) {
				if (c == '\\' && next == '\'') {
					i++;
					b[w++] = '\'';
				} else if (c == '\'') {
					if (next != 0 && !is_space(next))
						return -1;
					done = true;
				} else if (c == 0) {
					return -1;
				} else {
					b[w++] = (char)c;
				}
			} else {
				switch (c) {
				case ' ':
				case '\n':
				case '\r':
				case '\t':
				case 0:
					done = true;
					break;
				case '"':
					inq = true;
					break;
				case '\'':
					insq = true;
					break;
				default:
					b[w++] = (char)c;
					break;
				}
			}
			if (AT(i) != 0)
				i++;
		}
		if (add_arg(p, word, w - word) != 0)
			return -2;
	}
#undef AT
}

/* An inline request: one line, up to '\n' (a '\r' before it is dropped). */
static enum resp_result
parse_inline(struct resp_parser *p)
{
	size_t nl = find(p, p->pos, '\n'), end;
	int rc;

	if (nl == SIZE_MAX) {
		if (p->len - p->pos > RESP_MAX_INLINE)
			return fail(p, RESP_EPROTO,
			    "Protocol error: too big inline request");
		return RESP_MORE;
	}
	end = nl;
	if (end != p->pos && p->buf[end - 1] == '\r')
		end--;
	rc = split_inline(p, p->pos, end);
	if (rc == -1)
		return fail(p, RESP_EPROTO,
		    "Protocol error: unbalanced quotes in request");
	if (rc != 0)
		return fail(p, RESP_ENOMEM, "out of memory");
	p->pos = nl + 1;
	return RESP_REQUEST;
}

/*
 * A count line at p->pos ("*3\r\n", "$5\r\n"): it ends at the first
 * '\r', and the byte after that is skipped unseen. Stores the offset of
 * the '\r' in *cr. Returns RESP_REQUEST when the line is whole,
 * RESP_MORE, or the error for a line longer than Redis reads.
 */
static enum resp_result
count_line(struct resp_parser *p, size_t *cr, const char *too_big)
{
	*cr = find(p, p->pos, '\r');
	if (*cr == SIZE_MAX) {
		if (p->len - p->pos > RESP_MAX_INLINE)
			return fail(p, RESP_EPROTO, "Protocol error: %s",
			    too_big);
		return RESP_MORE;
	}
	if (*cr + 2 > p->len)
		return RESP_MORE;
	return RESP_REQUEST;
}

static enum resp_result
parse_multibulk(struct resp_parser *p)
{
	enum resp_result r;
	long long n;
	size_t cr;

	if (p->count == 0) {
		r = count_line(p, &cr, "too big mbulk count string");
		if (r != RESP_REQUEST)
			return r;
		if (!resp_string2ll(p->buf + p->pos + 1, cr - (p->pos + 1),
			&n) ||
		    (n > 0 && (unsigned long long)n > p->max_args))
			return fail(p, RESP_EPROTO,
			    "Protocol error: invalid multibulk length");
		p->pos = cr + 2;
		if (n <= 0)
			return RESP_REQUEST; /* an empty request */
		p->count = n;
	}
	while (p->count > 0) {
		if (p->bulk < 0) {
			r = count_line(p, &cr, "too big bulk count string");
			if (r != RESP_REQUEST)
				return r;
			if (p->buf[p->pos] != '$')
				return fail(p, RESP_EPROTO,
				    "Protocol error: expected '$', got '%c'",
				    p->buf[p->pos]);
			if (!resp_string2ll(p->buf + p->pos + 1,
				cr - (p->pos + 1), &n) ||
			    n < 0 || (unsigned long long)n > p->max_bulk)
				return fail(p, RESP_EPROTO,
				    "Protocol error: invalid bulk length");
			if ((size_t)n > p->max_request - p->bytes)
				return fail(p, RESP_ETOOBIG, "request too big");
			p->pos = cr + 2;
			p->bulk = n;
		}
		/* The data, and two bytes Redis skips without a look. */
		if (p->len - p->pos < (size_t)p->bulk + 2)
			return RESP_MORE;
		if (add_arg(p, p->pos, (size_t)p->bulk) != 0)
			return fail(p, RESP_ENOMEM, "out of memory");
		p->pos += (size_t)p->bulk + 2;
		p->bytes += (size_t)p->bulk;
		p->bulk = -1;
		p->count--;
	}
	return RESP_REQUEST;
}

enum resp_result
resp_parser_next(struct resp_parser *p, struct resp_request *req)
{
	enum resp_result r;
	size_t i;

	if (p->failed != 0)
		return p->failed;
	for (;;) {
		if (p->type == 0) {
			reset_request(p);
			if (p->pos == p->len)
				return RESP_MORE;
			p->type = p->buf[p->pos] == '*' ? '*' : 'i';
		}
		r = p->type == '*' ? parse_multibulk(p) : parse_inline(p);
		if (r != RESP_REQUEST)
			return r;
		if (p->argc > 0)
			break;
		p->type = 0; /* "*0", "*-1" or a blank line: nothing */
	}
	for (i = 0; i < p->argc; i++) {
		p->argv[i].p = p->buf + p->start + p->off[i];
		p->argv[i].len = p->arglen[i];
	}
	req->argc = p->argc;
	req->argv = p->argv;
	/* The next call starts a new request; the bytes of this one stay
	 * where they are until resp_parser_space moves them. */
	p->type = 0;
	return RESP_REQUEST;
}

/* --- replies -------------------------------------------------------------- */

void
resp_buf_free(struct resp_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int
resp_buf_reserve(struct resp_buf *b, size_t n)
{
	size_t cap;
	char *d;

	if (b->cap - b->len >= n)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		return -1;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap - b->len < n)
		cap *= 2;
	d = realloc(b->data, cap);
	if (d == NULL)
		return -1;
	b->data = d;
	b->cap = cap;
	return 0;
}

int
resp_add_raw(struct resp_buf *b, const void *p, size_t n)
{
	if (resp_buf_reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
resp_add_simple(struct resp_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (resp_buf_reserve(b, n + 3) != 0)
		return -1;
	b->data[b->len++] = '+';
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len++] = '\r';
	b->data[b->len++] = '\n';
	return 0;
}

int
resp_add_error(struct resp_buf *b, const char *msg, size_t len)
{
	bool code = len > 0 && msg[0] == '-';
	size_t i;
	char *d;

	if (resp_buf_reserve(b, len + 7) != 0)
		return -1;
	d = b->data + b->len;
	if (!code) {
		memcpy(d, "-ERR ", 5);
		d += 5;
	}
	for (i = 0; i < len; i++)
		*d++ = msg[i] == '\r' || msg[i] == '\n' ? ' ' : msg[i];
	*d++ = '\r';
	*d++ = '\n';
	b->len = (size_t)(d - b->data);
	return 0;
}

int
resp_add_errorf(struct resp_buf *b, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return resp_add_error(b, msg,
	    (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

/* A one-character type, a number and "\r\n". */
static int
add_number(struct resp_buf *b, char type, long long v)
{
	char *d;

	if (resp_buf_reserve(b, LONG_STR_SIZE + 3) != 0)
		return -1;
	d = b->data + b->len;
	*d++ = type;
	d += resp_ll2string(d, v);
	*d++ = '\r';
	*d++ = '\n';
	b->len = (size_t)(d - b->data);
	return 0;
}

int
resp_add_int(struct resp_buf *b, long long v)
{
	return add_number(b, ':', v);
}

int
resp_add_bulk(struct resp_buf *b, const void *p, size_t len)
{
	if (len > (size_t)LLONG_MAX ||
	    resp_buf_reserve(b, len + LONG_STR_SIZE + 5) != 0)
		return -1;
	(void)add_number(b, '$', (long long)len); /* room reserved */
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len++] = '\r';
	b->data[b->len++] = '\n';
	return 0;
}

int
resp_add_nil(struct resp_buf *b)
{
	return resp_add_raw(b, "$-1\r\n", 5);
}

int
resp_add_array(struct resp_buf *b, long long n)
{
	return add_number(b, '*', n);
}
