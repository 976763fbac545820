/*
 * version.c: version order, as Debian's (deb-version(5), without epochs):
 * runs of non-digits compare by byte with letters before other bytes and
 * '~' before everything, even the end ("1.0~rc1" < "1.0"); runs of digits
 * compare by number.
 */
#include <string.h>

#include "version.h"

static int order(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 0;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return c;
	if (c == '~')
		return -1;
	return c ? c + 256 : 0;
}

int version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		int first = 0;

		while ((*a != '\0' && (*a < '0' || *a > '9')) || (*b != '\0' && (*b < '0' || *b > '9'))) {
			int ac = order((unsigned char)*a), bc = order((unsigned char)*b);

			if (ac != bc)
				return ac < bc ? -1 : 1;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			if (first == 0)
				first = *a - *b;
			a++;
			b++;
		}
		if (*a >= '0' && *a <= '9')
			return 1;
		if (*b >= '0' && *b <= '9')
			return -1;
		if (first != 0)
			return first < 0 ? -1 : 1;
	}
	return 0;
}

/* version_match: 1 when have satisfies "OP want" (PKG_ANY: always). */
int version_match(const char *have, enum pkg_op op, const char *want)
{
	int c = op == PKG_ANY ? 0 : version_cmp(have, want);

	switch (op) {
	case PKG_ANY:
		return 1;
	case PKG_LT:
		return c < 0;
	case PKG_LE:
		return c <= 0;
	case PKG_EQ:
		return c == 0;
	case PKG_GE:
		return c >= 0;
	case PKG_GT:
		return c > 0;
	}
	return 0;
}
