/* httpreq_test: the API's request heads: whole ones parsed, partial ones
 * waited for, bad ones refused with their reason. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "api/httpreq.h"

static int parse(const char *text, struct http_req *r, const char **why)
{
	return http_parse(text, strlen(text), r, why);
}

static void test_whole(void)
{
	static const char get[] = "GET /v1/logs?service=containerd&x=1 HTTP/1.1\r\nHost: n1\r\n"
				  "User-Agent: curl/7.88\r\n\r\nleft over";
	struct http_req r;
	const char *why;
	char v[32];

	CHECK(parse(get, &r, &why) == (int)(strstr(get, "left") - get));
	CHECK(strcmp(r.method, "GET") == 0 && strcmp(r.path, "/v1/logs") == 0);
	CHECK(strcmp(r.query, "service=containerd&x=1") == 0 && r.content_length == 0);
	CHECK(http_query(r.query, "service", v, sizeof v) == 0 && strcmp(v, "containerd") == 0);
	CHECK(http_query(r.query, "x", v, sizeof v) == 0 && strcmp(v, "1") == 0);
	CHECK(http_query(r.query, "serv", v, sizeof v) == -ENOENT);
	CHECK(http_query("service=abcdefgh", "service", v, 4) == -ENAMETOOLONG);
	CHECK(parse("POST /v1/reboot HTTP/1.0\r\ncontent-length:  0 \r\n\r\n", &r, &why) > 0);
	CHECK(strcmp(r.method, "POST") == 0 && r.content_length == 0 && r.query[0] == '\0');
	CHECK(parse("POST /x HTTP/1.1\r\nContent-Length: 12\r\n\r\n", &r, &why) > 0 && r.content_length == 12);
}

static void test_partial(void)
{
	static const char get[] = "GET /metrics HTTP/1.1\r\nHost: n1\r\n\r\n";
	struct http_req r;
	const char *why;
	size_t n;

	for (n = 0; n < strlen(get); n++)
		CHECK(http_parse(get, n, &r, &why) == 0);
	CHECK(http_parse(get, n, &r, &why) == (int)n);
}

static void test_refused(void)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "GET /x HTTP/1.1\nHost: n\n\n\r\n\r\n", "not HTTP/1.0 or HTTP/1.1" },
		{ "get /x HTTP/1.1\r\n\r\n", "upper-case" },
		{ "GET x HTTP/1.1\r\n\r\n", "not an absolute path" },
		{ "GET /a b HTTP/1.1\r\n\r\n", "not HTTP/1.0 or HTTP/1.1" },
		{ "GET /x#f HTTP/1.1\r\n\r\n", "not an absolute path" },
		{ "GET /x HTTP/2.0\r\n\r\n", "not HTTP/1.0 or HTTP/1.1" },
		{ "GET /x\r\n\r\n", "not a request line" },
		{ "GET /x HTTP/1.1\r\n folded\r\n\r\n", "folded" },
		{ "GET /x HTTP/1.1\r\nNo colon\r\n\r\n", "without a name" },
		{ "GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n", "header name" },
		{ "GET /x HTTP/1.1\r\nA: b\rc\r\n\r\n", "bare CR" },
		{ "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding" },
		{ "POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", "twice" },
		{ "POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "not a number" },
		{ "POST /x HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n", "not a number" },
		{ "POST /x HTTP/1.1\r\nContent-Length:\r\n\r\n", "empty" },
	};
	struct http_req r;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(bad[i].text, &r, &why);

		CHECK(rc == -EINVAL && strstr(why, bad[i].why) != NULL);
		if (rc != -EINVAL || strstr(why, bad[i].why) == NULL)
			fprintf(stderr, "  case %zu: %d '%s'\n", i, rc, why);
	}
	{
		char nul[] = "GET /x HTTP/1.1\r\nA: \0\r\n\r\n";

		CHECK(http_parse(nul, sizeof nul - 1, &r, &why) == -EINVAL && strstr(why, "NUL") != NULL);
	}
}

static void test_too_long(void)
{
	static char big[HTTP_HEAD_MAX + 64];
	struct http_req r;
	const char *why;
	int i, n = 0;

	n += snprintf(big, sizeof big, "GET /x HTTP/1.1\r\n");
	while (n < HTTP_HEAD_MAX)
		n += snprintf(big + n, sizeof big - (size_t)n, "X: y\r\n");
	CHECK(http_parse(big, (size_t)n, &r, &why) == -E2BIG);
	/* Too many headers, in a head that fits. */
	n = snprintf(big, sizeof big, "GET /x HTTP/1.1\r\n");
	for (i = 0; i <= HTTP_HEADERS_MAX; i++)
		n += snprintf(big + n, sizeof big - (size_t)n, "X: y\r\n");
	n += snprintf(big + n, sizeof big - (size_t)n, "\r\n");
	CHECK(http_parse(big, (size_t)n, &r, &why) == -EINVAL && strstr(why, "too many") != NULL);
}

int main(void)
{
	RUN(test_whole);
	RUN(test_partial);
	RUN(test_refused);
	RUN(test_too_long);
	return CHECK_DONE();
}
