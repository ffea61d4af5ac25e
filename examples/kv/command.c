/* SPDX-License-Identifier: MIT */
/*
 * rtkv's commands: their table, and the answers a connection gives
 * without a shard (an unknown command, a wrong number of arguments,
 * CONFIG GET), each word for word as redis-server 7.0 gives it.
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

static const struct kv_command commands[] = {
	{ "ping", -1, KV_PING, 0 },
	{ "echo", 2, KV_ECHO, 0 },
	{ "get", 2, KV_KEY, KV_OP_GET },
	{ "set", -3, KV_KEY, KV_OP_SET },
	{ "incr", 2, KV_KEY, KV_OP_INCR },
	{ "del", -2, KV_KEYS, KV_OP_DEL },
	{ "exists", -2, KV_KEYS, KV_OP_EXISTS },
	{ "mget", -2, KV_KEYS, KV_OP_MGET },
	{ "mset", -3, KV_PAIRS, KV_OP_MSET },
	{ "config", -2, KV_CONFIG, 0 },
	/* Redis 7.0 answers QUIT before it looks at the arguments. */
	{ "quit", -1, KV_QUIT, 0 },
	/* What a browser sends first, when a web page makes it talk to a
	 * Redis port: Redis closes the connection unanswered (and so
	 * ends a cross-protocol attack), and so do we. */
	{ "post", -1, KV_SECURITY, 0 },
	{ "host:", -1, KV_SECURITY, 0 },
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether the `len` bytes at s are `name` (lower case) in any case. */
static bool
same_name(const char *s, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0' || lower((unsigned char)s[i]) != name[i])
			return false;
	return name[len] == '\0';
}

const struct kv_command *
kv_command_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (same_name(name, len, commands[i].name))
			return &commands[i];
	return NULL;
}

/* The bytes of an argument up to its first NUL, at most max: what "%.*s"
 * prints of it, as Redis prints its arguments. */
static int
c_len(const struct resp_arg *a, size_t max)
{
	const char *nul = memchr(a->p, '\0', a->len);
	size_t n = nul != NULL ? (size_t)(nul - a->p) : a->len;

	return (int)(n < max ? n : max);
}

int
kv_reply_unknown(struct resp_buf *b, const struct resp_request *req)
{
	char args[256], msg[512];
	size_t n = 0, i;

	/* Redis quotes the arguments while it has written fewer than 128
	 * bytes of them, each cut so as not to go past 128. */
	args[0] = '\0';
	for (i = 1; i < req->argc && n < 128; i++)
		n += (size_t)snprintf(args + n, sizeof(args) - n, "'%.*s' ",
		    c_len(&req->argv[i], 128 - n), req->argv[i].p);
	snprintf(msg, sizeof(msg),
	    "unknown command '%.*s', with args beginning with: %s",
	    c_len(&req->argv[0], 128), req->argv[0].p, args);
	return resp_add_error(b, msg, strlen(msg));
}

int
kv_reply_arity(struct resp_buf *b, const char *name)
{
	return resp_add_errorf(b, "wrong number of arguments for '%s' command",
	    name);
}

/* --- CONFIG GET ----------------------------------------------------------- */

/*
 * Redis's glob match (stringmatchlen, without case), for CONFIG GET's
 * patterns: '*', '?', '[abc]', '[^a-z]', and '\' to quote.
 */
static bool
glob(const char *p, size_t plen, const char *s, size_t slen)
{
	while (plen > 0 && slen > 0) {
		switch (p[0]) {
		case '*':
			while (plen > 1 && p[1] == '*') {
				p++;
				plen--;
			}
			if (plen == 1)
				return true;
			for (; slen > 0; s++, slen--)
				if (glob(p + 1, plen - 1, s, slen))
					return true;
			return false;
		case '?':
			s++;
			slen--;
			break;
		case '[': {
			bool not, match = false;

			p++;
			plen--;
			not = plen > 0 && p[0] == '^';
			if (not) {
				p++;
				plen--;
			}
			for (;;) {
				if (plen >= 2 && p[0] == '\\') {
					p++;
					plen--;
					if (p[0] == s[0])
						match = true;
				} else if (plen == 0) {
					/* No ']': the class ends here. */
					p--;
					plen++;
					break;
				} else if (p[0] == ']') {
					break;
				} else if (plen >= 3 && p[1] == '-') {
					int lo = lower((unsigned char)p[0]);
					int hi = lower((unsigned char)p[2]);
					int c = lower((unsigned char)s[0]);

					if (lo > hi) {
						int t = lo;

						lo = hi;
						hi = t;
					}
					p += 2;
					plen -= 2;
					if (c >= lo && c <= hi)
						match = true;
				} else if (lower((unsigned char)p[0]) ==
				    lower((unsigned char)s[0])) {
					match = true;
				}
				p++;
				plen--;
			}
			if (not)
				match = !match;
			if (!match)
				return false;
			s++;
			slen--;
			break;
		}
		case '\\':
			if (plen >= 2) {
				p++;
				plen--;
			}
			/* FALLTHROUGH */
		default:
			if (lower((unsigned char)p[0]) !=
			    lower((unsigned char)s[0]))
				return false;
			s++;
			slen--;
			break;
		}
		p++;
		plen--;
		if (slen == 0) {
			while (plen > 0 && p[0] == '*') {
				p++;
				plen--;
			}
			break;
		}
	}
	return plen == 0 && slen == 0;
}

/* Whether a name has one of glob's special characters. */
static bool
wild(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] == '[' || p[i] == '*' || p[i] == '?')
			return true;
	return false;
}

/* The settings CONFIG GET knows; the others are answered with nothing. */
enum {
	CFG_APPENDONLY,
	CFG_SAVE,
	CFG_BIND,
	CFG_PORT,
	CFG_BULK,
	CFG_QUERY,
	NCFG
};
static const char *const cfg_name[NCFG] = {
	"appendonly",
	"save",
	"bind",
	"port",
	"proto-max-bulk-len",
	"client-query-buffer-limit",
};

static void
cfg_value(const struct kv_server *srv, int i, char *v, size_t size)
{
	switch (i) {
	case CFG_APPENDONLY:
		snprintf(v, size, "no"); /* nothing is written to disk */
		break;
	case CFG_SAVE:
		v[0] = '\0'; /* no snapshots either */
		break;
	case CFG_BIND:
		snprintf(v, size, "%s", srv->bind);
		break;
	case CFG_PORT:
		snprintf(v, size, "%u", (unsigned)srv->port);
		break;
	case CFG_BULK:
		snprintf(v, size, "%u", RESP_MAX_BULK);
		break;
	default:
		snprintf(v, size, "%u", RESP_MAX_REQUEST);
		break;
	}
}

int
kv_reply_config(struct resp_buf *b, const struct resp_request *req,
    const struct kv_server *srv)
{
	const struct resp_arg *sub = &req->argv[1];
	/* Each setting once, named as the first pattern that found it. */
	const struct resp_arg *as[NCFG] = { NULL };
	bool found[NCFG] = { false };
	size_t i, n = 0;
	int k;

	if (!same_name(sub->p, sub->len, "get"))
		return resp_add_errorf(b,
		    "unknown subcommand '%.*s'. Try CONFIG HELP.",
		    c_len(sub, 128), sub->p);
	if (req->argc < 3)
		return kv_reply_arity(b, "config|get");
	for (i = 2; i < req->argc; i++) {
		const struct resp_arg *pat = &req->argv[i];
		size_t plen = (size_t)c_len(pat, pat->len);

		/* A name without a wildcard is looked up, and answered
		 * with the name as it was asked; a pattern with the names
		 * it matches. */
		for (k = 0; k < NCFG; k++) {
			if (found[k])
				continue;
			if (!wild(pat->p, plen)) {
				if (same_name(pat->p, plen, cfg_name[k])) {
					found[k] = true;
					as[k] = pat;
				}
			} else if (glob(pat->p, plen, cfg_name[k],
				       strlen(cfg_name[k]))) {
				found[k] = true;
			}
		}
	}
	for (k = 0; k < NCFG; k++)
		n += found[k];
	if (resp_add_array(b, (long long)n * 2) != 0)
		return -1;
	for (k = 0; k < NCFG; k++) {
		char v[300];

		if (!found[k])
			continue;
		if (as[k] != NULL) {
			if (resp_add_bulk(b, as[k]->p,
				(size_t)c_len(as[k], as[k]->len)) != 0)
				return -1;
		} else if (resp_add_bulk(b, cfg_name[k], strlen(cfg_name[k])) !=
		    0) {
			return -1;
		}
		cfg_value(srv, k, v, sizeof(v));
		if (resp_add_bulk(b, v, strlen(v)) != 0)
			return -1;
	}
	return 0;
}
