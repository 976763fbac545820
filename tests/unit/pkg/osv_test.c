/* osv_test.c: OSV records (pkg/osv.c) and what they match: dpkg's version
 * order with epochs and SemVer's (pkg/version.c), Package URLs
 * (pkg/purl.c), the schema's range evaluation, Debian's source-and-release
 * matching, and malformed or hostile records refused with their place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "osv.h"
#include "purl.h"
#include "version.h"

static char err[512];
static struct osv_doc doc;

static int parse(const char *json)
{
	osv_free(&doc);
	err[0] = '\0';
	return osv_parse(json, strlen(json), &doc, err, sizeof err);
}

/* A package with these purl lines (NULL-ended). */
static struct pkg_meta meta;
static struct osv_pkg pkg;

static int pkg_make(const char *name, const char *version, const char *const *purls)
{
	memset(&meta, 0, sizeof meta);
	meta.name = name;
	meta.version = version;
	while (purls != NULL && purls[meta.npurl] != NULL) {
		meta.purl[meta.npurl] = purls[meta.npurl];
		meta.npurl++;
	}
	return osv_pkg_init(&pkg, &meta, err, sizeof err);
}

/* Whether doc's first advisory affects pkg; *fix the fixed version or "no fix". */
static int affects(const char **fix)
{
	const char *f = NULL;
	int hit = osv_affects(&doc.v[0], &pkg, &f);

	*fix = f != NULL ? f : "no fix";
	return hit;
}

static void test_deb_order(void)
{
	CHECK(version_cmp_deb("1.0", "1.0") == 0);
	CHECK(version_cmp_deb("1:1.0", "2.0") > 0);		/* the epoch first */
	CHECK(version_cmp_deb("2:0.1", "1:9.9") > 0);
	CHECK(version_cmp_deb("0:1.0", "1.0") == 0);		/* no epoch is epoch 0 */
	CHECK(version_cmp_deb("10:1", "9:1") > 0);		/* epochs by number */
	CHECK(version_cmp_deb("1.0~rc1", "1.0") < 0);		/* ~ before even the end */
	CHECK(version_cmp_deb("1.0~rc1-1", "1.0-1") < 0);
	CHECK(version_cmp_deb("1.0~~", "1.0~") < 0);
	CHECK(version_cmp_deb("1.0-1", "1.0-2") < 0);		/* revisions */
	CHECK(version_cmp_deb("1.0-10", "1.0-9") > 0);
	CHECK(version_cmp_deb("1.0", "1.0-0") == 0);		/* no revision is "0" */
	CHECK(version_cmp_deb("1.0-1", "1.0a-1") < 0);		/* upstream, then revision */
	CHECK(version_cmp("1.0-1", "1.0a-1") > 0);		/* pkg's whole-string order differs */
	CHECK(version_cmp_deb("1.2-3-4", "1.2-3-3") > 0);	/* the last '-' starts the revision */
	CHECK(version_cmp_deb("3.0.11-1~deb12u2", "3.0.11-1") < 0);
	CHECK(version_cmp_deb("3.0.11-1~deb12u2", "3.0.11-1~deb12u1") > 0);
	CHECK(version_cmp_deb("1.36.1-6+deb12u1", "1.36.1-6") > 0);
	CHECK(version_cmp_deb("1.0+b1", "1.0") > 0 && version_cmp_deb("1.0a", "1.0+") < 0);
	CHECK(version_cmp_deb("a:1.0", "1.0") != 0);		/* not digits: no epoch */
}

static void test_semver_order(void)
{
	static const char *const chain[] = {	/* SemVer 2.0, 11.4's example */
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.9.0", "1.10.0", "2.0.0"
	};
	size_t i;

	for (i = 0; i + 1 < sizeof chain / sizeof chain[0]; i++)
		CHECK(version_cmp_semver(chain[i], chain[i + 1]) < 0 && version_cmp_semver(chain[i + 1], chain[i]) > 0);
	CHECK(version_cmp_semver("1.0.0+build.7", "1.0.0") == 0);
	CHECK(version_cmp_semver("v1.2.3", "1.2.3") == 0);
}

static void test_purl(void)
{
	struct purl a, b;
	const char *why = NULL;

	CHECK(purl_parse("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
			 &a, &why) == 0);
	CHECK(strcmp(a.type, "deb") == 0 && strcmp(a.ns, "debian") == 0 && strcmp(a.name, "libssl3") == 0);
	CHECK(strcmp(a.version, "3.0.11-1~deb12u2") == 0);
	CHECK(strcmp(a.distro, "debian-12") == 0 && strcmp(a.upstream, "openssl") == 0);
	CHECK(purl_parse("pkg:deb/debian/gcc-12@1:12.2.0-14%2Bdeb12u1?arch=amd64", &a, &why) == 0 &&
	      strcmp(a.version, "1:12.2.0-14+deb12u1") == 0 && a.upstream == NULL);
	CHECK(purl_parse("PKG://Deb/Debian/BusyBox@1.36.1-6#sub/path", &a, &why) == 0 &&
	      strcmp(a.type, "deb") == 0 && strcmp(a.name, "busybox") == 0);	/* deb: no case */
	CHECK(purl_parse("pkg:deb/debian/busybox", &b, &why) == 0 && purl_same_package(&a, &b) && b.version[0] == '\0');
	CHECK(purl_parse("pkg:generic/BusyBox@1.37.0", &b, &why) == 0 && strcmp(b.name, "BusyBox") == 0);
	CHECK(!purl_same_package(&a, &b));
	CHECK(purl_parse("pkg:npm/%40angular/core@1.0", &a, &why) == 0 && strcmp(a.ns, "@angular") == 0 &&
	      strcmp(a.name, "core") == 0);
	CHECK(purl_parse("pkg:generic/a%zzb", &a, &why) < 0 && strstr(why, "escape") != NULL);
	CHECK(purl_parse("pkg:generic/a%0ab", &a, &why) < 0 && strstr(why, "control") != NULL);
	CHECK(purl_parse("pkg:generic/a%", &a, &why) < 0);
	CHECK(purl_parse("pkg:generic", &a, &why) < 0 && strstr(why, "TYPE/NAME") != NULL);
	CHECK(purl_parse("pkg:generic/", &a, &why) < 0);
	CHECK(purl_parse("deb/debian/x", &a, &why) < 0 && strstr(why, "pkg:") != NULL);
	CHECK(purl_parse("pkg:1x/y", &a, &why) < 0 && strstr(why, "type") != NULL);
	CHECK(purl_parse("pkg:deb/debian/x?arch", &a, &why) < 0 && strstr(why, "KEY=VALUE") != NULL);
	{
		char big[PURL_MAX + 16];

		memset(big, 'a', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		memcpy(big, "pkg:generic/", 12);
		CHECK(purl_parse(big, &a, &why) < 0 && strstr(why, "longer") != NULL);
	}
}

#define DEB_FOO(eco, events) \
	"{\"id\":\"DEBIAN-CVE-2024-0001\",\"aliases\":[\"CVE-2024-0001\"],\"summary\":\"s\"," \
	"\"affected\":[{\"package\":{\"ecosystem\":\"" eco "\",\"name\":\"foo\"}," \
	"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[" events "]}]}]}"

static void test_parse_good(void)
{
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"1.2-4\"}")) == 0);
	CHECK(doc.n == 1 && strcmp(doc.v[0].id, "DEBIAN-CVE-2024-0001") == 0 && doc.v[0].naliases == 1);
	CHECK(doc.v[0].naffected == 1 && strcmp(doc.v[0].affected[0].ecosystem, "Debian:12") == 0);
	CHECK(doc.v[0].affected[0].nranges == 1 && doc.v[0].affected[0].ranges[0].nevents == 2);
	/* an array of them; unknown fields read past; events sorted by version */
	CHECK(parse("[{\"id\":\"A\",\"modified\":\"x\",\"database_specific\":{\"a\":[1,{}]}},"
		    "{\"id\":\"B\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\","
		    "\"purl\":\"pkg:npm/x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":["
		    "{\"fixed\":\"2.0.0\"},{\"introduced\":\"1.0.0\"},{\"introduced\":\"0\"},{\"fixed\":\"0.5.0\"}]}]}]}]") == 0);
	CHECK(doc.n == 2 && doc.v[0].naffected == 0 && doc.v[0].summary[0] == '\0');
	{
		const struct osv_range *r = &doc.v[1].affected[0].ranges[0];

		CHECK(r->type == OSV_SEMVER && r->nevents == 4);
		CHECK(strcmp(r->events[0].version, "0") == 0 && strcmp(r->events[1].version, "0.5.0") == 0 &&
		      strcmp(r->events[2].version, "1.0.0") == 0 && strcmp(r->events[3].version, "2.0.0") == 0);
	}
	/* withdrawn: kept by id, matching nothing */
	CHECK(parse("{\"id\":\"W\",\"withdrawn\":\"2024-01-01T00:00:00Z\",\"affected\":7}") == 0 && doc.v[0].withdrawn);
	CHECK(parse("[]") == 0 && doc.n == 0);
	/* GIT ranges are read past, whatever their events */
	CHECK(parse("{\"id\":\"G\",\"affected\":[{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":"
		    "[{\"introduced\":\"abc\"}]}]}]}") == 0 && doc.v[0].affected[0].ranges[0].type == OSV_GIT);
}

/* Each malformed record is refused with what and where. */
static void test_parse_refused(void)
{
	char deep[5000];
	size_t i;

	CHECK(parse("{\"id\":") < 0 && strstr(err, "not JSON: line 1") != NULL);
	CHECK(parse("") < 0 && strstr(err, "not JSON") != NULL);
	CHECK(parse("42") < 0 && strstr(err, "not JSON") != NULL && strstr(err, "expected") != NULL);
	CHECK(parse("{\"summary\":\"x\"}") < 0 && strstr(err, "advisory 1: no 'id'") != NULL);
	CHECK(parse("[{\"id\":\"A\"},7]") < 0 && strstr(err, "advisory 2: not an object") != NULL);
	CHECK(parse("{\"id\":7}") < 0 && strstr(err, "'id' is not a string") != NULL);
	CHECK(parse("{\"id\":\"\"}") < 0 && strstr(err, "'id' is empty") != NULL);
	CHECK(parse("{\"id\":\"a\\nb\"}") < 0 && strstr(err, "control byte") != NULL);
	CHECK(parse("{\"id\":\"a\\u0000b\"}") < 0 && strstr(err, "not JSON") != NULL);
	CHECK(parse("{\"id\":\"A\",\"id\":\"B\"}") < 0 && strstr(err, "duplicate") != NULL);
	CHECK(parse("{\"id\":\"A\",\"aliases\":\"CVE-1\"}") < 0 && strstr(err, "A: 'aliases' is not an array") != NULL);
	CHECK(parse("{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian\"}}]}") < 0 &&
	      strstr(err, "A: affected[0]: no 'name'") != NULL);
	CHECK(parse("{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"x\",\"name\":\"y\",\"purl\":\"pkg:x\"}}]}") < 0 &&
	      strstr(err, "A: affected[0]: package.purl 'pkg:x': no TYPE/NAME") != NULL);
	CHECK(parse(DEB_FOO("Debian", "{\"introduced\":\"0\",\"fixed\":\"1\"}")) < 0 &&
	      strstr(err, "affected[0].ranges[0].events[0]: more than one of") != NULL);
	CHECK(parse(DEB_FOO("Debian", "{\"fixed\":\"1\"}")) < 0 && strstr(err, "affected[0].ranges[0]: no introduced event") != NULL);
	CHECK(parse(DEB_FOO("Debian", "{\"introduced\":1}")) < 0 && strstr(err, "'introduced' is not a string") != NULL);
	CHECK(parse(DEB_FOO("Debian", "{\"introduced\":\"0\"},{}")) < 0 && strstr(err, "events[1]: none of") != NULL);
	CHECK(parse(DEB_FOO("Debian", "{\"introduced\":\"0\"},[]")) < 0 && strstr(err, "events[1]: not an object") != NULL);
	CHECK(parse("{\"id\":\"A\",\"affected\":[{\"ranges\":[{\"type\":\"RPM\",\"events\":[]}]}]}") < 0 &&
	      strstr(err, "type 'RPM': not ECOSYSTEM, SEMVER or GIT") != NULL);
	{
		char big[OSV_ID_MAX + 64];

		snprintf(big, sizeof big, "{\"id\":\"%0*d\"}", OSV_ID_MAX + 1, 0);
		CHECK(parse(big) < 0 && strstr(err, "longer than 256 bytes") != NULL);
	}
	/* deeper than jansson's 2048 levels: refused, not a stack overflow */
	for (i = 0; i < 3000; i++)
		deep[i] = '[';
	deep[i] = '\0';
	CHECK(parse(deep) < 0 && strstr(err, "depth") != NULL);
	CHECK(osv_parse("{}", OSV_FILE_MAX + 1ul, &doc, err, sizeof err) < 0 && strstr(err, "bigger than 16 MiB") != NULL);
	osv_free(&doc);
}

static void test_ranges(void)
{
	static const char *const deb[] = { "pkg:deb/debian/foo@1.2-3?arch=amd64&distro=debian-12", NULL };
	const char *fix;

	CHECK(pkg_make("foo", "1.2-3", deb) == 0);
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"1.2-4\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "1.2-4") == 0);
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"1.2-3\"}")) == 0);
	CHECK(!affects(&fix));					/* fixed at v: not affected */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"1:1.0\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "1:1.0") == 0);	/* the epoch makes the fix newer */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"1.2-3\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "no fix") == 0);	/* introduced at v, never fixed */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"1.2-3.1\"}")) == 0);
	CHECK(!affects(&fix));
	/* two introduced/fixed pairs, v in the second; out of order in the feed */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"1.2\"},{\"fixed\":\"1.3-1\"},"
				       "{\"fixed\":\"1.0-1\"},{\"introduced\":\"0.9\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "1.3-1") == 0);
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0.9\"},{\"fixed\":\"1.0-1\"},"
				       "{\"introduced\":\"1.3\"},{\"fixed\":\"1.4\"}")) == 0);
	CHECK(!affects(&fix));					/* between the pairs */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"last_affected\":\"1.2-3\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "no fix") == 0);	/* last_affected includes it */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"last_affected\":\"1.2-2\"}")) == 0);
	CHECK(!affects(&fix));
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"limit\":\"1.2-3\"}")) == 0);
	CHECK(!affects(&fix));					/* at the limit: outside */
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"limit\":\"*\"}")) == 0);
	CHECK(affects(&fix));
	/* an exact versions list, the fix still taken from the ranges */
	CHECK(parse("{\"id\":\"V\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"foo\"},"
		    "\"versions\":[\"1.1-1\",\"0:1.2-3\"],\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
		    "[{\"introduced\":\"2.0\"},{\"fixed\":\"2.1\"}]}]}]}") == 0);
	CHECK(affects(&fix) && strcmp(fix, "2.1") == 0);
	CHECK(parse("{\"id\":\"V\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"foo\"},"
		    "\"versions\":[\"1.1-1\"]}]}") == 0);
	CHECK(!affects(&fix));
	/* withdrawn: never */
	CHECK(parse("{\"withdrawn\":\"2024-01-01T00:00:00Z\",\"id\":\"W\",\"affected\":[{\"package\":"
		    "{\"ecosystem\":\"Debian:12\",\"name\":\"foo\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
		    "\"events\":[{\"introduced\":\"0\"}]}]}]}") == 0);
	CHECK(doc.v[0].withdrawn && !affects(&fix));
}

static void test_debian(void)
{
	static const char *const bin[] = {
		"pkg:deb/debian/libfoo1@1:2.0-1?arch=amd64&distro=debian-12&upstream=foo", NULL
	};
	static const char *const src13[] = { "pkg:deb/debian/foo@2.0-1?arch=source&distro=debian-13", NULL };
	const char *fix;

	/* a binary package of source foo: matched through upstream=, its epoch kept */
	CHECK(pkg_make("libfoo", "2.0", bin) == 0);
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"1:2.0-2\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "1:2.0-2") == 0);
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"2.0-2\"}")) == 0);
	CHECK(!affects(&fix));					/* 1:2.0-1 > 2.0-2 */
	CHECK(parse(DEB_FOO("Debian:13", "{\"introduced\":\"0\"},{\"fixed\":\"1:2.0-2\"}")) == 0);
	CHECK(!affects(&fix));					/* another release */
	CHECK(parse(DEB_FOO("Debian", "{\"introduced\":\"0\"},{\"fixed\":\"1:2.0-2\"}")) == 0);
	CHECK(affects(&fix));					/* any release */
	/* an upstream tarball of source foo, from Debian 13 */
	CHECK(pkg_make("foo", "2.0", src13) == 0);
	CHECK(parse(DEB_FOO("Debian:13", "{\"introduced\":\"0\"},{\"fixed\":\"2.0-2\"}")) == 0);
	CHECK(affects(&fix) && strcmp(fix, "2.0-2") == 0);
	CHECK(parse(DEB_FOO("Debian:12", "{\"introduced\":\"0\"},{\"fixed\":\"2.0-2\"}")) == 0);
	CHECK(!affects(&fix));
	/* no deb purl: a Debian record never matches by name alone */
	CHECK(pkg_make("foo", "2.0", NULL) == 0);
	CHECK(parse(DEB_FOO("Debian", "{\"introduced\":\"0\"}")) == 0);
	CHECK(!affects(&fix));
}

static void test_purl_match(void)
{
	static const char *const bb[] = { "pkg:deb/debian/busybox@1:1.36.1-6?arch=amd64&distro=debian-12", NULL };
	static const char *const bad[] = { "pkg:deb/debian/x@%zz", NULL };
	const char *fix;

	CHECK(pkg_make("busybox", "1.37.0", bb) == 0);
	/* pkg:generic/NAME: the package's own version; the feed's version and qualifiers ignored */
	CHECK(parse("{\"id\":\"P\",\"affected\":[{\"package\":{\"ecosystem\":\"OSS-Fuzz\",\"name\":\"bb\","
		    "\"purl\":\"pkg:generic/busybox@9?x=y\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":"
		    "[{\"introduced\":\"1.30.0\"},{\"fixed\":\"1.37.1\"}]}]}]}") == 0);
	CHECK(affects(&fix) && strcmp(fix, "1.37.1") == 0);
	/* a deb purl: the version in ours, 1:1.36.1-6 */
	CHECK(parse("{\"id\":\"Q\",\"affected\":[{\"package\":{\"ecosystem\":\"Other\",\"name\":\"busybox\","
		    "\"purl\":\"pkg:deb/debian/busybox\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
		    "[{\"introduced\":\"0\"},{\"fixed\":\"1:1.36.1-7\"}]}]}]}") == 0);
	CHECK(affects(&fix) && strcmp(fix, "1:1.36.1-7") == 0);
	CHECK(parse("{\"id\":\"Q\",\"affected\":[{\"package\":{\"ecosystem\":\"Other\",\"name\":\"busybox\","
		    "\"purl\":\"pkg:deb/debian/busybox\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
		    "[{\"introduced\":\"0\"},{\"fixed\":\"1.36.1-7\"}]}]}]}") == 0);
	CHECK(!affects(&fix));
	/* another name, another type: no */
	CHECK(parse("{\"id\":\"R\",\"affected\":[{\"package\":{\"ecosystem\":\"x\",\"name\":\"y\","
		    "\"purl\":\"pkg:npm/busybox\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"}]}]}]}") == 0);
	CHECK(!affects(&fix));
	/* a Debian ecosystem matches by source and release only, never by its purl */
	CHECK(parse("{\"id\":\"S\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"busybox\","
		    "\"purl\":\"pkg:deb/debian/busybox\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}") == 0);
	CHECK(!affects(&fix));
	/* a package whose own purl is malformed is refused by name */
	CHECK(pkg_make("x", "1", bad) < 0 && strstr(err, "x 1: purl 'pkg:deb/debian/x@%zz'") != NULL);
}

int main(void)
{
	RUN(test_deb_order);
	RUN(test_semver_order);
	RUN(test_purl);
	RUN(test_parse_good);
	RUN(test_parse_refused);
	RUN(test_ranges);
	RUN(test_debian);
	RUN(test_purl_match);
	osv_free(&doc);
	return CHECK_DONE();
}
