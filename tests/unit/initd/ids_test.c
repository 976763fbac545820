/* ids_test.c: user and group lookups in passwd(5)-format files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ids.h"

static char dir[] = "/tmp/ids_test.XXXXXX";
static char passwd[64], group[64];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_user(void)
{
	uid_t uid = 1;
	gid_t gid = 1;

	CHECK(ids_user(passwd, "root", &uid, &gid) == 0 && uid == 0 && gid == 0);
	CHECK(ids_user(passwd, "nobody", &uid, &gid) == 0 && uid == 65534 && gid == 65533);
	CHECK(ids_user(passwd, "nob", &uid, &gid) == -ENOENT);	/* no prefix match */
	CHECK(ids_user(passwd, "nobodyx", &uid, &gid) == -ENOENT);
	CHECK(ids_user(passwd, "broken", &uid, &gid) == -EINVAL);
	CHECK(ids_user(passwd, "wraps", &uid, &gid) == -EINVAL);	/* 2^32 is not 0 */
	CHECK(ids_user(passwd, "1234", &uid, &gid) == 0 && uid == 1234 && gid == 1234);
	CHECK(ids_user("/nonexistent/passwd", "root", &uid, &gid) == -ENOENT);
}

static void test_group(void)
{
	gid_t gid = 1;

	CHECK(ids_group(group, "video", &gid) == 0 && gid == 44);
	CHECK(ids_group(group, "last", &gid) == 0 && gid == 7);	/* no final newline */
	CHECK(ids_group(group, "vide", &gid) == -ENOENT);
	CHECK(ids_group(group, "99", &gid) == 0 && gid == 99);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(passwd, sizeof passwd, "%s/passwd", dir);
	snprintf(group, sizeof group, "%s/group", dir);
	put(passwd, "root:x:0:0:root:/root:/bin/sh\nbroken:x:abc:0::/:\n"
		    "nobody:x:65534:65533:nobody:/:/bin/false\nwraps:x:4294967296:0::/:\n");
	put(group, "root:x:0:\nvideo:x:44:alice,bob\nlast:x:7:");
	RUN(test_user);
	RUN(test_group);
	check_rmtree(dir);
	return CHECK_DONE();
}
