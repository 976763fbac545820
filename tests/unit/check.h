/* check.h: the unit tests' whole framework: a check, a test, a runner. */
#ifndef CAIRN_CHECK_H
#define CAIRN_CHECK_H

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

#endif
