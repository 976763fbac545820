/* nodes_test.c: cairnctl's nodes file, the host lists and where each node is (cairnctl/nodes.c). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "nodes.h"

static int parse(struct nodes *ns, const char *text, char *err, size_t size)
{
	return nodes_parse(ns, text, strlen(text), "7443", err, size);
}

static void test_file(void)
{
	struct nodes ns = { NULL, 0, 0, 0 };
	char err[300] = "";

	CHECK(parse(&ns, "# the rack\ngpu[01-02]\n\ngpu03 10.1.0.3\ngpu04 10.1.0.4:8443  # spare\n"
		       "gpu05 [fd00::5]:7444\ngpu06 [fd00::6]\n", err, sizeof err) == 0);
	CHECK(ns.n == 6);
	CHECK(strcmp(ns.v[0].name, "gpu01") == 0 && strcmp(ns.v[0].host, "gpu01") == 0 &&
	      strcmp(ns.v[0].port, "7443") == 0);
	CHECK(strcmp(ns.v[2].host, "10.1.0.3") == 0 && strcmp(ns.v[2].port, "7443") == 0);
	CHECK(strcmp(ns.v[3].host, "10.1.0.4") == 0 && strcmp(ns.v[3].port, "8443") == 0);
	CHECK(strcmp(ns.v[4].host, "fd00::5") == 0 && strcmp(ns.v[4].port, "7444") == 0);
	CHECK(strcmp(ns.v[5].host, "fd00::6") == 0 && strcmp(ns.v[5].port, "7443") == 0);
	nodes_free(&ns);
}

static int bad(const char *text, const char *why)
{
	struct nodes ns = { NULL, 0, 0, 0 };
	char err[300] = "";
	int rc = parse(&ns, text, err, sizeof err);

	nodes_free(&ns);
	if (rc >= 0 || strstr(err, why) == NULL) {
		fprintf(stderr, "'%s': rc %d, '%s'\n", text, rc, err);
		return 0;
	}
	return 1;
}

static void test_bad(void)
{
	CHECK(bad("a 1.2.3.4 5\n", "line 1: more than NAME and ADDRESS[:PORT]"));
	CHECK(bad("ok\ngpu[1-2] 10.0.0.1\n", "line 2: 'gpu[1-2]': one node's name before an address"));
	CHECK(bad("a 10.0.0.1:0\n", "not ADDRESS"));
	CHECK(bad("a 10.0.0.1:70000\n", "not ADDRESS"));
	CHECK(bad("a 10.0.0.1:x\n", "not ADDRESS"));
	CHECK(bad("a fd00::1\n", "not ADDRESS"));
	CHECK(bad("a [fd00::1\n", "not ADDRESS"));
	CHECK(bad("a 10.0.0.1;x\n", "not ADDRESS"));
	CHECK(bad("a[1-\n", "line 1: 'a[1-'"));
	CHECK(bad("a 10.0.0.010\n", "not ADDRESS"));
	CHECK(bad("a [10.0.0.1]:7443\n", "not ADDRESS"));
	CHECK(bad("a .evil\n", "not ADDRESS"));
}

/* A host list longer than scanf's words once split would be. */
static void test_long_list(void)
{
	struct nodes ns = { NULL, 0, 0, 0 };
	char text[400], err[300] = "";
	int n;

	n = snprintf(text, sizeof text, "n[1");
	while (n < 300)
		n += snprintf(text + n, sizeof text - (size_t)n, ",%d", n);
	snprintf(text + n, sizeof text - (size_t)n, "]\n");
	CHECK(parse(&ns, text, err, sizeof err) == 0 && ns.n > 50);
	nodes_free(&ns);
}

static void test_unique_locate(void)
{
	struct nodes ns = { NULL, 0, 0, 0 }, book = { NULL, 0, 0, 0 };
	char err[300] = "";

	CHECK(parse(&book, "b 10.0.0.2\na 10.0.0.1\nb 10.0.0.2\n", err, sizeof err) == 0);
	CHECK(nodes_unique(&book, err, sizeof err) == 0 && book.n == 2 && strcmp(book.v[0].name, "a") == 0);
	CHECK(nodes_add_list(&ns, "b,c", "7443", err, sizeof err) == 0);
	nodes_locate(&ns, &book);
	CHECK(strcmp(ns.v[0].host, "10.0.0.2") == 0 && strcmp(ns.v[1].host, "c") == 0);
	nodes_free(&ns);
	CHECK(parse(&ns, "a 10.0.0.1\na 10.0.0.9\n", err, sizeof err) == 0);
	CHECK(nodes_unique(&ns, err, sizeof err) == -EINVAL && strstr(err, "a: named twice") != NULL);
	nodes_free(&ns);
	nodes_free(&book);
}

int main(void)
{
	RUN(test_file);
	RUN(test_bad);
	RUN(test_long_list);
	RUN(test_unique_locate);
	return CHECK_DONE();
}
