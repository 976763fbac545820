/* check.h: the unit tests' whole framework: a check, a test, a runner. */
#ifndef CAIRN_CHECK_H
#define CAIRN_CHECK_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", \
			__FILE__, __LINE__, __func__, #cond); \
		check_failures++; \
	} \
} while (0)

#define RUN(test) do { \
	int before_ = check_failures; \
	test(); \
	printf("%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #test); \
} while (0)

#define CHECK_DONE() (check_failures == 0 ? 0 : 1)

static inline int check_remove_one(const char *path, const struct stat *st, int flag,
				   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* check_rmtree: remove a test's temporary tree (mkdtemp), links not followed. */
static inline void check_rmtree(const char *dir)
{
	nftw(dir, check_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
