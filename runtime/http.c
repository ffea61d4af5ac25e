/* SPDX-License-Identifier: MIT */
/*
 * Request heads and response heads for the observer (RFC 9112, the parts
 * a GET-only server needs). The parser is strict on purpose: what it does
 * not understand is refused with a status and the connection closed,
 * never guessed at, since whoever sends it is either a browser or curl,
 * which never send such things, or someone probing. Lines may end in CRLF
 * or a bare LF (RFC 9112 §2.2 allows a server to take those); a line
 * folded onto the next (obs-fold) is refused, as are control bytes, a
 * header name with spaces before its colon, and a request with a body
 * (Content-Length other than 0, or Transfer-Encoding), which the server
 * would otherwise have to read and skip.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

/* A byte of a token (a method, a header's name): RFC 9110 §5.6.2. */
static bool
tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A byte of a request target (printable ASCII, no space). */
static bool
vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* A byte of a header's value: visible, space, tab, or obs-text. */
static bool
field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Whether the n bytes at s are, ignoring case, the string t. */
static bool
is(const char *s, size_t n, const char *t)
{
	return strlen(t) == n && strncasecmp(s, t, n) == 0;
}

/*
 * The request line s[0..n) (without its line end). Returns 0, or minus
 * the status to answer.
 */
static long
request_line(const char *s, size_t n, struct rti_http_req *req, int *minor)
{
	const char *sp1 = memchr(s, ' ', n), *sp2, *q;
	size_t mlen, tlen, vlen;

	if (sp1 == NULL)
		return -400;
	mlen = (size_t)(sp1 - s);
	sp2 = memchr(sp1 + 1, ' ', n - mlen - 1);
	if (sp2 == NULL || mlen == 0)
		return -400;
	tlen = (size_t)(sp2 - sp1 - 1);
	vlen = n - mlen - tlen - 2;
	if (vlen != 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 || sp2[6] < '0' ||
	    sp2[6] > '9' || sp2[7] != '.' || sp2[8] < '0' || sp2[8] > '9')
		return -400;
	if (sp2[6] != '1' || sp2[8] > '1')
		return -505;
	*minor = sp2[8] - '0';
	if (tlen == 0 || sp1[1] != '/')
		return -400;
	/* Methods are case-sensitive (RFC 9110 §9.1). */
	if (mlen == 3 && memcmp(s, "GET", 3) == 0)
		req->head = false;
	else if (mlen == 4 && memcmp(s, "HEAD", 4) == 0)
		req->head = true;
	else
		return -405;
	req->path = sp1 + 1;
	q = memchr(req->path, '?', tlen);
	req->path_len = q != NULL ? (size_t)(q - req->path) : tlen;
	if (q != NULL) {
		req->query = q + 1;
		req->query_len = tlen - req->path_len - 1;
	}
	return 0;
}

/* Whether the comma-separated list s[0..n) holds the token t. */
static bool
has_token(const char *s, size_t n, const char *t)
{
	size_t i = 0;

	while (i < n) {
		size_t b, e;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
			i++;
		b = i;
		while (i < n && s[i] != ',')
			i++;
		e = i;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (e > b && is(s + b, e - b, t))
			return true;
	}
	return false;
}

/*
 * One header line s[0..n). Returns 0, or minus the status to answer.
 * *host: a Host header was seen; *close, *keep: Connection said so.
 */
static long
header(const char *s, size_t n, bool *host, bool *close, bool *keep)
{
	const char *colon = memchr(s, ':', n);
	size_t nlen, i, b, e;

	if (colon == NULL || colon == s)
		return -400;
	nlen = (size_t)(colon - s);
	for (i = 0; i < nlen; i++)
		if (!tchar((unsigned char)s[i]))
			return -400;
	for (b = nlen + 1; b < n && (s[b] == ' ' || s[b] == '\t'); b++)
		;
	for (e = n; e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
		;
	if (is(s, nlen, "Host")) {
		if (*host)
			return -400;
		*host = true;
	} else if (is(s, nlen, "Content-Length")) {
		if (!is(s + b, e - b, "0"))
			return -400;
	} else if (is(s, nlen, "Transfer-Encoding")) {
		return -400;
	} else if (is(s, nlen, "Connection")) {
		*close = *close || has_token(s + b, e - b, "close");
		*keep = *keep || has_token(s + b, e - b, "keep-alive");
	}
	return 0;
}

long
rti_http_parse(const char *buf, size_t len, struct rti_http_req *req)
{
	const unsigned char *p = (const unsigned char *)buf;
	bool host = false, close = false, keep = false;
	size_t i = 0, start;
	int minor = 1, line = 0;
	long rc;

	memset(req, 0, sizeof(*req));
	/* Empty lines before the request line are skipped (RFC 9112
	 * §2.2), as far as the limit. */
	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	start = i;
	for (; i < len && i < RTI_HTTP_HEAD_MAX; i++) {
		size_t end;

		if (p[i] != '\n') {
			/* Check the bytes as they come: garbage is refused
			 * without waiting for the end of its line. A CR must
			 * be followed by the LF. */
			if (p[i] == '\r') {
				if (i + 1 < len && p[i + 1] != '\n')
					return -400;
			} else if (line == 0 ? !(vchar(p[i]) || p[i] == ' ') :
					       !field_byte(p[i])) {
				return -400;
			} else if (line > 0 && i == start &&
			    (p[i] == ' ' || p[i] == '\t')) {
				return -400; /* obs-fold */
			}
			continue;
		}
		end = i > start && p[i - 1] == '\r' ? i - 1 : i;
		if (line == 0) {
			rc = request_line(buf + start, end - start, req,
			    &minor);
		} else if (end == start) {
			if (minor == 1 && !host)
				return -400;
			req->keep_alive = minor == 1 ? !close : keep && !close;
			return (long)(i + 1);
		} else {
			rc = header(buf + start, end - start, &host, &close,
			    &keep);
		}
		if (rc != 0)
			return rc;
		line++;
		start = i + 1;
	}
	return len >= RTI_HTTP_HEAD_MAX ? -431 : 0;
}

const char *
rti_http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}

void
rti_http_head(FILE *f, int status, const char *type, size_t len, bool close,
    const char *extra)
{
	fprintf(f,
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "%s%s\r\n",
	    status, rti_http_reason(status), type, len,
	    close ? "Connection: close\r\n" : "", extra != NULL ? extra : "");
}
