/* depgraph_test.c: start order, unknown dependencies and cycles. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "depgraph.h"

static struct svc table[8];
static struct svc *svcs[8];
static char err[1024];

/* One service per "name:dep dep" spec. */
static int setup(const char *const specs[], int n)
{
	char text[256], e[128], name[32];
	int i;

	for (i = 0; i < n; i++) {
		const char *colon = strchr(specs[i], ':');
		size_t len = colon ? (size_t)(colon - specs[i]) : strlen(specs[i]);

		memcpy(name, specs[i], len);
		name[len] = '\0';
		snprintf(text, sizeof text, "command = /bin/%s\n%s%s\n", name,
			 colon && colon[1] ? "depends = " : "", colon && colon[1] ? colon + 1 : "");
		if (svc_parse(&table[i], name, text, strlen(text), e, sizeof e) != 0) {
			fprintf(stderr, "setup: %s\n", e);
			return -1;
		}
		svcs[i] = &table[i];
	}
	return n;
}

static int pos(const int order[], int count, const char *name)
{
	int i;

	for (i = 0; i < count; i++)
		if (strcmp(svcs[order[i]]->name, name) == 0)
			return i;
	return -1;
}

static void deps_come_first(void)
{
	static const char *const specs[] = { "agent:containerd net", "containerd:mdev", "net:mdev", "mdev", "shell" };
	int order[8], bad[8], n = setup(specs, 5), c;

	c = depgraph_order(svcs, n, order, bad, err, sizeof err);
	CHECK(c == 5 && err[0] == '\0');
	CHECK(pos(order, c, "mdev") < pos(order, c, "containerd"));
	CHECK(pos(order, c, "mdev") < pos(order, c, "net"));
	CHECK(pos(order, c, "containerd") < pos(order, c, "agent"));
	CHECK(pos(order, c, "net") < pos(order, c, "agent"));
}

static void unknown_dependency_leaves_out_its_dependents_only(void)
{
	static const char *const specs[] = { "a:ghost", "b:a", "c", "d:c" };
	int order[8], bad[8], n = setup(specs, 4), c;

	c = depgraph_order(svcs, n, order, bad, err, sizeof err);
	CHECK(c == 2 && bad[0] && bad[1] && !bad[2] && !bad[3]);
	CHECK(pos(order, c, "c") < pos(order, c, "d"));
	CHECK(strstr(err, "a: depends on unknown service 'ghost'") != NULL);
	CHECK(strstr(err, "b: not started: needs 'a'") != NULL);
}

static void cycle_reported_not_hung(void)
{
	static const char *const specs[] = { "a:b", "b:c", "c:a", "d:a", "e" };
	int order[8], bad[8], n = setup(specs, 5), c;

	c = depgraph_order(svcs, n, order, bad, err, sizeof err);
	CHECK(c == 1 && order[0] == 4 && !bad[4]);
	CHECK(bad[0] && bad[1] && bad[2] && bad[3]);
	CHECK(strstr(err, "dependency cycle: ") != NULL);
	CHECK(strstr(err, "a -> b -> c -> a") != NULL || strstr(err, "b -> c -> a -> b") != NULL ||
	      strstr(err, "c -> a -> b -> c") != NULL);
	CHECK(strstr(err, "d: not started") != NULL);
}

static void duplicate_dependency_counts_once(void)
{
	static const char *const specs[] = { "b:a a", "a" };
	int order[8], bad[8], n = setup(specs, 2), c;

	c = depgraph_order(svcs, n, order, bad, err, sizeof err);
	CHECK(c == 2 && order[0] == 1 && order[1] == 0);
}

static void bounds(void)
{
	int order[1], bad[1];

	CHECK(depgraph_order(svcs, -1, order, bad, err, sizeof err) == -EINVAL);
	CHECK(depgraph_order(svcs, DEPGRAPH_MAX + 1, order, bad, err, sizeof err) == -EINVAL);
	CHECK(depgraph_order(svcs, 0, order, bad, err, sizeof err) == 0);
}

int main(void)
{
	RUN(deps_come_first);
	RUN(unknown_dependency_leaves_out_its_dependents_only);
	RUN(cycle_reported_not_hung);
	RUN(duplicate_dependency_counts_once);
	RUN(bounds);
	return CHECK_DONE();
}
