/* hostlist_test.c: Slurm's host-list syntax expanded (cairnctl/hostlist.c). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "hostlist.h"

/* EXPR expands to the names in WANT, "a b c". */
static int expands(const char *expr, const char *want)
{
	struct hostlist hl = { NULL, 0, 0, 0 };
	char err[200], all[4096] = "";
	size_t i;
	int ok;

	if (hostlist_expand(expr, &hl, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", expr, err);
		return 0;
	}
	for (i = 0; i < hl.n; i++)
		snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? " " : "", hl.names[i]);
	ok = strcmp(all, want) == 0;
	if (!ok)
		fprintf(stderr, "%s: got '%s', wanted '%s'\n", expr, all, want);
	hostlist_free(&hl);
	return ok;
}

static int refused(const char *expr, const char *why)
{
	struct hostlist hl = { NULL, 0, 0, 0 };
	char err[200] = "";
	int rc = hostlist_expand(expr, &hl, err, sizeof err);

	hostlist_free(&hl);
	if (rc >= 0 || strstr(err, why) == NULL) {
		fprintf(stderr, "%s: rc %d, '%s'\n", expr, rc, err);
		return 0;
	}
	return 1;
}

static void test_expand(void)
{
	CHECK(expands("gpu1", "gpu1"));
	CHECK(expands("gpu[1-3]", "gpu1 gpu2 gpu3"));
	CHECK(expands("gpu[001-003,200]", "gpu001 gpu002 gpu003 gpu200"));
	CHECK(expands("n[8-10]", "n8 n9 n10"));
	CHECK(expands("n[08-10]", "n08 n09 n10"));
	CHECK(expands("login1,gpu[1-2],x.site", "login1 gpu1 gpu2 x.site"));
	CHECK(expands("r[1-2]n[01-02]-ib", "r1n01-ib r1n02-ib r2n01-ib r2n02-ib"));
	CHECK(expands("[1-2]x", "1x 2x"));
}

static void test_refused(void)
{
	char long_name[80];

	CHECK(refused("", "an empty name"));
	CHECK(refused("a,,b", "an empty name"));
	CHECK(refused("gpu[1-3", "a bracket"));
	CHECK(refused("gpu[3-1]", "a bracket"));
	CHECK(refused("gpu[a-b]", "a bracket"));
	CHECK(refused("gpu[]", "a bracket"));
	CHECK(refused("gpu[1-9999999999]", "a bracket"));
	CHECK(refused("gpu]", "letters, digits"));
	CHECK(refused("gpu 1", "letters, digits"));
	CHECK(refused("a;rm", "letters, digits"));
	CHECK(refused("n[0-999999999]", "more than 100000 names"));
	/* What a certificate check would read as a wildcard, or a resolver as octal. */
	CHECK(refused(".example", "starts with '.'"));
	CHECK(refused("-n1", "starts with '.'"));
	CHECK(refused("gpu.", "ends with '.'"));
	CHECK(refused("a..b", "\"..\""));
	CHECK(refused("10.1.0.[001-003]", "not an IPv4 address"));
	CHECK(refused("10.1.0.300", "not an IPv4 address"));
	CHECK(refused("[1-2]", "not an IPv4 address"));
	CHECK(expands("10.1.0.[8-10]", "10.1.0.8 10.1.0.9 10.1.0.10"));
	CHECK(refused("a[1-9]b[1-9]c[1-9]d[1-9]e[1-9]", "more than 4 bracket groups"));
	/* 64 letters; 62 letters whose range then passes 63. */
	memset(long_name, 'n', 64);
	long_name[64] = '\0';
	CHECK(refused(long_name, "longer than 63"));
	snprintf(long_name + 62, sizeof long_name - 62, "[100-101]");
	CHECK(refused(long_name, "longer than 63"));
}

/* A caller's own bound on names. */
static void test_max(void)
{
	struct hostlist hl = { NULL, 0, 0, 3 };
	char err[200] = "";

	CHECK(hostlist_expand("n[1-3]", &hl, err, sizeof err) == 0 && hl.n == 3);
	hl.n = 0;
	CHECK(hostlist_expand("n[1-4]", &hl, err, sizeof err) == -E2BIG && strstr(err, "more than 3 names") != NULL);
	hostlist_free(&hl);
}

int main(void)
{
	RUN(test_expand);
	RUN(test_refused);
	RUN(test_max);
	return CHECK_DONE();
}
