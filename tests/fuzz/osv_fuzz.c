/* osv_fuzz.c: the OSV feed parser (pkg/osv.c) on any bytes, and what it
 * accepts evaluated against Debian and generic packages: every string it
 * hands out is bounded and free of control bytes, every range it keeps
 * has an introduced event and is sorted, and matching never faults. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "osv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void str_check(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static void vuln_check(const struct osv_vuln *v)
{
	size_t i, j, k, intro;

	str_check(v->id, OSV_ID_MAX);
	if (strlen(v->summary) > OSV_SUMMARY_MAX)
		abort();
	for (i = 0; i < v->naliases; i++)
		str_check(v->aliases[i], OSV_ID_MAX);
	for (i = 0; i < v->naffected; i++) {
		const struct osv_affected *a = &v->affected[i];

		for (j = 0; j < a->nversions; j++)
			str_check(a->versions[j], OSV_ID_MAX);
		for (j = 0; j < a->nranges; j++) {
			const struct osv_range *r = &a->ranges[j];

			for (k = 0, intro = 0; k < r->nevents; k++) {
				str_check(r->events[k].version, OSV_ID_MAX);
				intro += r->events[k].kind == OSV_INTRODUCED;
			}
			if (r->type != OSV_GIT && intro == 0)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const purls[] = {
		"pkg:deb/debian/libfoo1@1:1.2-3?arch=amd64&distro=debian-12&upstream=foo",
		"pkg:deb/debian/foo@1.2-3?arch=source&distro=debian-13",
	};
	static struct pkg_meta m;
	static struct osv_pkg p;
	struct osv_doc d;
	const char *fixed;
	char err[512];
	size_t i;

	if (m.name == NULL) {
		m.name = "foo";
		m.version = "1.2.3";
		m.purl[0] = purls[0];
		m.purl[1] = purls[1];
		m.npurl = 2;
		if (osv_pkg_init(&p, &m, err, sizeof err) < 0)
			abort();
	}
	if (osv_parse((const char *)data, size, &d, err, sizeof err) == 0) {
		for (i = 0; i < d.n; i++) {
			vuln_check(&d.v[i]);
			if (osv_affects(&d.v[i], &p, &fixed) && fixed != NULL && strlen(fixed) > OSV_ID_MAX)
				abort();
		}
	} else if (err[0] == '\0') {
		abort();
	}
	osv_free(&d);
	return 0;
}
