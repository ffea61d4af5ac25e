/* SPDX-License-Identifier: MIT */
/*
 * The little HTTP/1.1 the observer speaks (http.c): reading a request's
 * head, strictly, and writing a response's. Nothing here knows of actors
 * or sockets: it works on bytes, so that each rule can be read in one
 * place.
 */
#ifndef RT_RUNTIME_HTTP_H
#define RT_RUNTIME_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest request line and headers taken, blank line included. */
#define RTI_HTTP_HEAD_MAX 8192

/* A request the observer answers. */
struct rti_http_req {
	bool head;         /* HEAD: the headers of GET's answer, no body */
	bool keep_alive;   /* the connection stays open after the answer */
	const char *path;  /* in the buffer parsed, not NUL-terminated */
	size_t path_len;   /* the target up to its query, if any */
	const char *query; /* after the '?', or NULL */
	size_t query_len;
};

/*
 * rti_http_parse: read the request head at the start of buf[0..len).
 * Returns the bytes it takes (> 0) when it is whole and one the observer
 * answers; 0 when more bytes are needed (never once len reaches
 * RTI_HTTP_HEAD_MAX); or minus the status of the error to answer, after
 * which the connection is closed: -400 (not HTTP, a bad request line or
 * header, no Host in HTTP/1.1, a request with a body), -405 (a method
 * other than GET and HEAD), -431 (no end of the head within
 * RTI_HTTP_HEAD_MAX bytes), -505 (a version other than 1.0 and 1.1).
 * Garbage is refused as soon as its first bad byte is in, not only at
 * the end of its line.
 */
long rti_http_parse(const char *buf, size_t len, struct rti_http_req *req);

/* rti_http_reason: the reason phrase of `status`. */
const char *rti_http_reason(int status);

/*
 * rti_http_head: write a response's status line and headers to `f`: the
 * body's type and length, no caching, and "Connection: close" when
 * `close`. `extra`: more header lines, each ending in CRLF, or NULL.
 */
void rti_http_head(FILE *f, int status, const char *type, size_t len,
    bool close, const char *extra);

#endif
