/* services_test.c: the service table from a directory, and reload:
 * added, changed, removed and bad files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fake_ops.h"
#include "loglink.h"
#include "services.h"

static struct unit table[8];
static struct sup sup;
static char dir[] = "/tmp/services_test.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void drop(const char *name)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static void test_load(void)
{
	put("a", "command = /bin/a\n");
	put("b", "command = /bin/b\ndepends = a\n");
	put("broken", "command = relative\n");
	put(".hidden", "command = /bin/h\n");
	put("shares", "command = /bin/s\ncgroup = a\n");	/* a's group: refused */
	put("Bad", "command = /bin/x\n");
	CHECK(services_count(dir) == 5);	/* what is there, good or not */
	CHECK(services_load(&sup, dir) == 2);
	CHECK(sup_find(&sup, "a") != NULL && sup_find(&sup, "b") != NULL);
	CHECK(sup_find(&sup, "broken") == NULL && sup_find(&sup, "Bad") == NULL);
	CHECK(sup_find(&sup, "shares") == NULL);
	drop("shares");
	CHECK(sup_find(&sup, "b")->dep[0] == (int)(sup_find(&sup, "a") - table));
	CHECK(sup_find(&sup, "a")->out[0] >= 0);	/* its log pipe */
}

static void test_reload(void)
{
	struct services_diff diff;
	struct unit *a = sup_find(&sup, "a"), *b = sup_find(&sup, "b");
	uint64_t old = a->hash;

	put("a", "command = /bin/a --new\n");
	drop("b");
	put("c", "command = /bin/c\n");
	put("broken", "command = still relative\n");
	CHECK(services_reload(&sup, dir, &diff) == 0);
	CHECK(diff.added == 1 && diff.changed == 1 && diff.removed == 1 && diff.bad == 2);
	/* Nothing ran, so settle applied it all at once. */
	CHECK(!b->used);
	CHECK(a->used && a->hash != old && strcmp(a->svc.argv[1], "--new") == 0);
	CHECK(sup_find(&sup, "c") != NULL && sup_find(&sup, "c")->want_up);
	/* A running changed service is stopped first, reloaded once down. */
	sup_step(&sup);
	CHECK(a->pid == 4242);
	put("a", "command = /bin/a --newer\n");
	CHECK(services_reload(&sup, dir, &diff) == 0 && diff.changed == 1);
	CHECK(a->state == UNIT_STOPPING && a->reparse);
	CHECK(strcmp(a->svc.argv[1], "--new") == 0);
	sup_reaped(&sup, 4242, 0);
	services_settle(&sup, dir);
	CHECK(strcmp(a->svc.argv[1], "--newer") == 0 && !a->reparse);
	/* A changed file that no longer parses leaves the service alone. */
	put("c", "command = /bin/c\ncolour = blue\n");
	CHECK(services_reload(&sup, dir, &diff) == 0 && diff.bad == 3 && diff.changed == 0);
	CHECK(!sup_find(&sup, "c")->reparse);
	/* Removed, then back before its process is gone: it stays. */
	put("c", "command = /bin/c\n");
	CHECK(services_reload(&sup, dir, &diff) == 0);
	sup_step(&sup);
	drop("c");
	CHECK(services_reload(&sup, dir, &diff) == 0 && diff.removed == 1);
	CHECK(sup_find(&sup, "c")->removed);
	put("c", "command = /bin/c\n");
	CHECK(services_reload(&sup, dir, &diff) == 0 && diff.removed == 0);
	CHECK(!sup_find(&sup, "c")->removed && sup_find(&sup, "c")->want_up);
	/* A new service's dependency on something unknown is caught at reload. */
	put("d", "command = /bin/d\ndepends = nosuch\n");
	CHECK(services_reload(&sup, dir, &diff) == 0 && diff.added == 1);
	CHECK(sup_find(&sup, "d")->bad && sup_find(&sup, "d")->state == UNIT_FAILED);
	drop("d");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	fake_next_pid = 4241;	/* the first service started is 4242 */
	sup_init(&sup, table, 8, &fake_ops);
	loglink_enable();
	RUN(test_load);
	RUN(test_reload);
	check_rmtree(dir);
	return CHECK_DONE();
}
