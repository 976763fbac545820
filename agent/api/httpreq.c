/*
 * httpreq.c: parse an HTTP/1.x request head (RFC 9112) strictly: a
 * request line `METHOD SP /TARGET SP HTTP/1.x`, header lines `Name:
 * value`, each ended by CRLF, a blank line.  Anything else is refused
 * with a reason, never guessed at: no bare LF, no obsolete line folding,
 * no Transfer-Encoding (the API takes no bodies of unknown length), one
 * Content-Length at most.  The caller feeds what it has read so far.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "api/httpreq.h"

static int tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A target: '/', then visible ASCII but no '#' (a fragment is not sent). */
static int target_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 127 || s[i] == '#')
			return 0;
	return 1;
}

/* The next CRLF at or after p; the head (up to end + 2) always has one. */
static const char *crlf(const char *p, const char *end)
{
	return memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
}

static int refuse(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

/*
 * http_parse: R from the head at the start of BUF.  Returns the head's
 * length once it is whole, 0 when more bytes are needed, -E2BIG when it
 * is longer than HTTP_HEAD_MAX, or -EINVAL with *why set.
 */
int http_parse(const char *buf, size_t len, struct http_req *r, const char **why)
{
	const char *end = NULL, *line, *eol, *sp1, *sp2, *q;
	size_t i, n;
	int headers = 0, have_length = 0;

	memset(r, 0, sizeof *r);
	*why = "";
	for (i = 0; i + 3 < len && i + 4 <= HTTP_HEAD_MAX; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			end = buf + i + 2;	/* the blank line's start */
			break;
		}
	if (end == NULL) {
		if (memchr(buf, '\0', len) != NULL)
			return refuse(why, "a NUL byte in the request");
		return len >= HTTP_HEAD_MAX ? -E2BIG : 0;
	}
	r->head_len = (size_t)(end - buf) + 2;
	if (memchr(buf, '\0', r->head_len) != NULL)
		return refuse(why, "a NUL byte in the request");

	/* The request line. */
	eol = crlf(buf, end);
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (sp1 == NULL || sp1 == buf || (size_t)(sp1 - buf) >= sizeof r->method)
		return refuse(why, "not a request line: METHOD /TARGET HTTP/1.1");
	for (q = buf; q < sp1; q++)
		if (*q < 'A' || *q > 'Z')
			return refuse(why, "a method is upper-case letters");
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp2 == NULL)
		return refuse(why, "not a request line: METHOD /TARGET HTTP/1.1");
	if (eol - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1'))
		return refuse(why, "not HTTP/1.0 or HTTP/1.1");
	n = (size_t)(sp2 - sp1 - 1);
	if (n >= HTTP_TARGET_MAX)
		return refuse(why, "the target is too long");
	if (!target_ok(sp1 + 1, n))
		return refuse(why, "the target is not an absolute path");
	memcpy(r->method, buf, (size_t)(sp1 - buf));
	q = memchr(sp1 + 1, '?', n);
	if (q != NULL) {
		memcpy(r->path, sp1 + 1, (size_t)(q - sp1 - 1));
		memcpy(r->query, q + 1, (size_t)(sp2 - q - 1));
	} else {
		memcpy(r->path, sp1 + 1, n);
	}

	/* Header lines, up to the blank one. */
	for (line = eol + 2; line < end; line = eol + 2) {
		const char *colon, *v;

		eol = crlf(line, end);
		if (memchr(line, '\n', (size_t)(eol - line)) != NULL || memchr(line, '\r', (size_t)(eol - line)))
			return refuse(why, "a bare CR or LF in a header");
		if (++headers > HTTP_HEADERS_MAX)
			return refuse(why, "too many headers");
		if (*line == ' ' || *line == '\t')
			return refuse(why, "a folded header line");
		colon = memchr(line, ':', (size_t)(eol - line));
		if (colon == NULL || colon == line)
			return refuse(why, "a header line without a name");
		for (q = line; q < colon; q++)
			if (!tchar(*q))
				return refuse(why, "a header name with a character it may not have");
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		n = (size_t)(colon - line);
		if (n == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0)
			return refuse(why, "Transfer-Encoding is not accepted");
		if (n == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
			unsigned long long cl = 0;

			if (have_length++)
				return refuse(why, "Content-Length given twice");
			if (v == eol)
				return refuse(why, "an empty Content-Length");
			for (q = v; q < eol && *q != ' ' && *q != '\t'; q++) {
				if (*q < '0' || *q > '9' || cl > 1000000000ULL)
					return refuse(why, "Content-Length is not a number");
				cl = cl * 10 + (unsigned long long)(*q - '0');
			}
			for (; q < eol; q++)
				if (*q != ' ' && *q != '\t')
					return refuse(why, "Content-Length is not a number");
			r->content_length = cl;
		}
	}
	return (int)r->head_len;
}

/*
 * http_query: the value of KEY in a query string (k=v&k2=v2; no
 * percent-decoding: the API's values are plain names).  0, -ENOENT, or
 * -ENAMETOOLONG.
 */
int http_query(const char *query, const char *key, char *value, size_t size)
{
	size_t klen = strlen(key);
	const char *p = query;

	while (*p != '\0') {
		const char *amp = strchr(p, '&');
		size_t n = amp != NULL ? (size_t)(amp - p) : strlen(p);

		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			if (n - klen - 1 >= size)
				return -ENAMETOOLONG;
			memcpy(value, p + klen + 1, n - klen - 1);
			value[n - klen - 1] = '\0';
			return 0;
		}
		p += n + (amp != NULL);
	}
	return -ENOENT;
}
