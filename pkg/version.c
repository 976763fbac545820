/*
 * version.c: version order.  version_cmp is Debian's order for one part
 * of a version (deb-version(5)): runs of non-digits compare by byte with
 * letters before other bytes and '~' before everything, even the end
 * ("1.0~rc1" < "1.0"); runs of digits compare by number.  pkg's own
 * versions have no epoch and compare whole.  version_cmp_deb is dpkg's
 * whole order (epoch, upstream version, revision) and version_cmp_semver
 * SemVer 2.0's precedence, for what a vulnerability feed says (osv.c).
 */
#include <string.h>

#include "version.h"

static int digit(int c)
{
	return c >= '0' && c <= '9';
}

static int order(unsigned char c)
{
	if (digit(c))
		return 0;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

/* dpkg's verrevcmp on [a, ae) and [b, be): the end orders as a digit does. */
static int part_cmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first = 0;

		while ((a < ae && !digit(*a)) || (b < be && !digit(*b))) {
			int ac = a < ae ? order((unsigned char)*a) : 0, bc = b < be ? order((unsigned char)*b) : 0;

			if (ac != bc)
				return ac < bc ? -1 : 1;
			a += a < ae;
			b += b < be;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && digit(*a) && digit(*b)) {
			if (first == 0)
				first = *a - *b;
			a++;
			b++;
		}
		if (a < ae && digit(*a))
			return 1;
		if (b < be && digit(*b))
			return -1;
		if (first != 0)
			return first < 0 ? -1 : 1;
	}
	return 0;
}

int version_cmp(const char *a, const char *b)
{
	return part_cmp(a, a + strlen(a), b, b + strlen(b));
}

/* A Debian version's parts: the epoch (the digits before the first ':',
 * none when there are none), the upstream version, the revision (after
 * the last '-', "" when there is no '-'). */
struct deb_version {
	const char *epoch, *epoch_end, *up, *up_end, *rev, *rev_end;
};

static void deb_split(const char *s, struct deb_version *v)
{
	const char *colon = strchr(s, ':'), *end = s + strlen(s), *hyphen, *c;

	v->epoch = v->epoch_end = s;
	if (colon != NULL && colon > s) {
		for (c = s; c < colon && digit(*c); c++)
			;
		if (c == colon) {
			v->epoch_end = colon;
			s = colon + 1;
		}
	}
	hyphen = strrchr(s, '-');
	v->up = s;
	v->up_end = hyphen != NULL ? hyphen : end;
	v->rev = hyphen != NULL ? hyphen + 1 : end;
	v->rev_end = end;
}

int version_cmp_deb(const char *a, const char *b)
{
	struct deb_version x, y;
	int c;

	deb_split(a, &x);
	deb_split(b, &y);
	c = part_cmp(x.epoch, x.epoch_end, y.epoch, y.epoch_end);
	if (c == 0)
		c = part_cmp(x.up, x.up_end, y.up, y.up_end);
	if (c == 0)
		c = part_cmp(x.rev, x.rev_end, y.rev, y.rev_end);
	return c;
}

/* One dot-separated pre-release identifier each: numbers by value and
 * before words, words by bytes (SemVer 2.0, 11.4). */
static int ident_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;
	int anum = an > 0, bnum = bn > 0, c;

	for (i = 0; i < an; i++)
		anum &= digit(a[i]);
	for (i = 0; i < bn; i++)
		bnum &= digit(b[i]);
	if (anum && bnum)
		return part_cmp(a, a + an, b, b + bn);
	if (anum != bnum)
		return anum ? -1 : 1;
	c = memcmp(a, b, an < bn ? an : bn);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

static int pre_cmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae && b < be) {
		const char *ad = memchr(a, '.', (size_t)(ae - a)), *bd = memchr(b, '.', (size_t)(be - b));
		int c;

		if (ad == NULL)
			ad = ae;
		if (bd == NULL)
			bd = be;
		c = ident_cmp(a, (size_t)(ad - a), b, (size_t)(bd - b));
		if (c != 0)
			return c;
		a = ad + (ad < ae);
		b = bd + (bd < be);
	}
	return a < ae ? 1 : b < be ? -1 : 0;
}

/*
 * version_cmp_semver: SemVer 2.0 precedence.  The core (before '-' or
 * '+') compares number by number; a pre-release orders before its
 * release; build metadata (after '+') is not compared.  A leading 'v' is
 * read past; a core that is not three numbers still compares part by part.
 */
int version_cmp_semver(const char *a, const char *b)
{
	const char *ae, *be, *ap, *bp;
	int c;

	a += (a[0] == 'v' || a[0] == 'V') && digit(a[1]);
	b += (b[0] == 'v' || b[0] == 'V') && digit(b[1]);
	ae = a + strcspn(a, "+");
	be = b + strcspn(b, "+");
	ap = memchr(a, '-', (size_t)(ae - a));
	bp = memchr(b, '-', (size_t)(be - b));
	c = part_cmp(a, ap ? ap : ae, b, bp ? bp : be);
	if (c != 0)
		return c;
	if (ap == NULL || bp == NULL)
		return ap == bp ? 0 : ap == NULL ? 1 : -1;
	return pre_cmp(ap + 1, ae, bp + 1, be);
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
