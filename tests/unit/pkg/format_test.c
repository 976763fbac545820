/* pkgformat_test.c: the package header and metadata parser, and the
 * hostile entries it must refuse (traversal, absolute paths, links out,
 * device nodes, bad modes, bombs, duplicates, identifiers that would
 * break the SBOM's JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "format.h"

#define SUM "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct pkg_file files[16];
static struct pkg_rel rels[16];
static struct pkg_meta meta;
static char err[256];
static char text[8192];

static const char head[] =
	"format 1\n"
	"name busybox\n"
	"version 1.37.0-r1\n"
	"arch x86_64\n"
	"license GPL-2.0-only\n"
	"summary tiny versions of common UNIX utilities\n"
	"source-sha256 " SUM "\n"
	"depends musl>=1.2.5\n"
	"depends zlib\n"
	"provides sh\n"
	"conflicts toybox<0.9\n";

/* Parse head + the given file lines (+ payload-size line first). */
static int parse(const char *payload, const char *list)
{
	size_t n = (size_t)snprintf(text, sizeof text, "%s%s%s", head, payload, list);

	meta.files = files;
	meta.maxfiles = sizeof files / sizeof files[0];
	meta.rels = rels;
	meta.maxrels = sizeof rels / sizeof rels[0];
	err[0] = '\0';
	return pkg_meta_parse(text, n, &meta, err, sizeof err);
}

static void test_good(void)
{
	CHECK(parse("payload-size 1100\n",
		    "d 0755 0 0 bin\n"
		    "f 4755 0 0 1000 " SUM " bin/busybox\n"
		    "h bin/busybox bin/ls\n"
		    "l 0 0 busybox bin/sh\n"
		    "f 0644 0 0 100 " SUM " etc/motd\n") == 0);
	CHECK(strcmp(meta.name, "busybox") == 0 && strcmp(meta.version, "1.37.0-r1") == 0);
	CHECK(meta.ndepends == 2 && meta.depends[0].op == PKG_GE &&
	      strcmp(meta.depends[0].version, "1.2.5") == 0 && meta.depends[1].op == PKG_ANY);
	CHECK(meta.nconflicts == 1 && meta.conflicts[0].op == PKG_LT);
	CHECK(meta.nfiles == 5 && meta.payload_size == 1100);
	CHECK(files[1].type == PKG_FILE && files[1].mode == 04755 && files[1].size == 1000);
	CHECK(files[1].sha256[0] == 0x01 && files[1].sha256[31] == 0xef);
	CHECK(files[3].type == PKG_SYMLINK && strcmp(files[3].target, "busybox") == 0);
	CHECK(meta.source_sha256[1] == 0x23);
}

/* Each hostile or malformed list is refused, naming why. */
static void test_refused(void)
{
	static const struct { const char *payload, *list, *why; } bad[] = {
		{ "payload-size 0\n", "d 0755 0 0 /etc\n", "absolute path" },
		{ "payload-size 0\n", "d 0755 0 0 etc/../..\n", "'..'" },
		{ "payload-size 0\n", "d 0755 0 0 ./etc\n", "'.'" },
		{ "payload-size 0\n", "d 0755 0 0 etc//x\n", "empty path component" },
		{ "payload-size 0\n", "d 0755 0 0 etc/\n", "empty path component" },
		{ "payload-size 0\n", "c 0600 0 0 dev/sda\n", "not a 'key value'|unknown key" },
		{ "payload-size 0\n", "b 0600 0 0 dev/sda\n", "unknown key 'b'" },
		{ "payload-size 0\n", "d 4755 0 0 etc\n", "setuid or setgid on a directory" },
		{ "payload-size 1\n", "f 1644 0 0 1 " SUM " a\n", "sticky" },
		{ "payload-size 1\n", "f 644 0 0 1 " SUM " a\n", "4 octal" },
		{ "payload-size 1\n", "f 0644 0 0 01 " SUM " a\n", "size" },
		{ "payload-size 1\n", "f 0644 0 0 1 " SUM "0 a\n", "sha256" },
		{ "payload-size 1\n", "f 0644 0 0 1 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef a\n", "sha256" },
		{ "payload-size 2\n", "f 0644 0 0 1 " SUM " a\nf 0644 0 0 1 " SUM " a\n", "out of order or listed twice" },
		{ "payload-size 2\n", "f 0644 0 0 1 " SUM " b\nf 0644 0 0 1 " SUM " a\n", "out of order" },
		{ "payload-size 1\n", "f 0644 0 0 1 " SUM " a\nf 0644 0 0 0 " SUM " a/b\n", "not a directory" },
		{ "payload-size 0\n", "l 0 0 /etc a\nd 0755 0 0 a-b\nd 0755 0 0 a/x\n", "not a directory" },
		{ "payload-size 0\n", "h ../etc/shadow a\n", "'..'" },
		{ "payload-size 0\n", "h b a\n", "not a file listed before" },
		{ "payload-size 1\n", "f 0644 0 0 1 " SUM " b\nh b a\n", "out of order" },
		{ "payload-size 0\n", "l 0 0 x a b\n", "wrong number of fields" },
		{ "payload-size 0\n", "d 0755 0 0 a\n\n", "not a 'key value'" },
		{ "payload-size 5\n", "f 0644 0 0 1 " SUM " a\n", "not the 1 bytes" },
		{ "payload-size 99999999999999\n", "", "payload-size must be" },
		{ "payload-size 0\n", "d 0755 0 2147483648 a\n", "owner" },
		{ "payload-size 0\nname again\n", "", "given twice" },
		{ "", "", "lacks" },
		{ "payload-size 0\n", "d 0755 0 0 a b\n", "wrong number of fields" },
		{ "payload-size 0\n", "d 0755 0 0 a\xc3\xa9\n", "non-ASCII" },
		{ "payload-size 0\n", "d 0755 0 0 a\nname x\n", "after the file list" },
		{ "payload-size 0\nfrobnicate yes\n", "", "unknown key 'frobnicate'" },
		{ "payload-size 0\ndepends ../x\n", "", "NAME OP VERSION" },
		{ "payload-size 0\ndepends x>=v1\n", "", "NAME OP VERSION" },
		{ "payload-size 0\nprovides x=1\n", "", "NAME OP VERSION" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(bad[i].payload, bad[i].list);
		const char *alt = strchr(bad[i].why, '|');
		int found = alt == NULL ? strstr(err, bad[i].why) != NULL :
			    (strstr(err, alt + 1) != NULL ||
			     strncmp(strstr(err, ": ") ? strstr(err, ": ") + 2 : err, bad[i].why,
				     (size_t)(alt - bad[i].why)) == 0);

		if (rc == 0 || !found)
			fprintf(stderr, "case %zu: rc %d, err '%s', want '%s'\n", i, rc, err, bad[i].why);
		CHECK(rc < 0 && found);
	}
}

/* purl, cpe and download: what a scanner matches (doc/pkg-format.md). */
static void test_ids(void)
{
	static const struct { const char *lines, *why; } bad[] = {
		{ "purl deb/debian/zlib1g@1.2.13\n", "purl must begin 'pkg:'" },
		{ "cpe cpe:/a:zlib:zlib:1.2.13\n", "cpe must begin 'cpe:2.3:'" },
		{ "cpe cpe:2.2:a:zlib:zlib\n", "cpe must begin 'cpe:2.3:'" },
		{ "download ftp://example.org/x.tar.gz\n", "http:// or https://" },
		{ "download https://a.example/x\ndownload https://b.example/x\n", "'download' given twice" },
		{ "purl pkg:generic/x@1 pkg:generic/y@1\n", "space, quote, backslash" },
		{ "purl pkg:generic/x\"},{\"a\":\"@1\n", "space, quote, backslash" },
		{ "cpe cpe:2.3:a:x\\:y:z:1:*:*:*:*:*:*:*\n", "space, quote, backslash" },
		{ "download https://example.org/a\tb\n", "space, quote, backslash" },
		{ "purl pkg:generic/\xc3\xa9@1\n", "outside printable ASCII" },
		{ "purl pkg:generic/x@1?a=\x7f\n", "outside printable ASCII" },
		{ "purl \n", "not a 'key value'" },
	};
	char lines[8192], *at;
	size_t i;
	int n;

	CHECK(parse("payload-size 0\n"
		    "purl pkg:deb/debian/libc6@2.41-12%2Bdeb13u5?arch=amd64&distro=debian-13&upstream=glibc\n"
		    "purl pkg:deb/debian/busybox@1:1.37.0-6?arch=source&distro=debian-13\n"
		    "cpe cpe:2.3:a:gnu:glibc:2.41:*:*:*:*:*:*:*\n"
		    "download https://musl.libc.org/releases/musl-1.2.5.tar.gz\n", "") == 0);
	CHECK(meta.npurl == 2 && meta.ncpe == 1 && meta.download != NULL);
	CHECK(strcmp(meta.purl[1], "pkg:deb/debian/busybox@1:1.37.0-6?arch=source&distro=debian-13") == 0);
	CHECK(strcmp(meta.cpe[0], "cpe:2.3:a:gnu:glibc:2.41:*:*:*:*:*:*:*") == 0);
	CHECK(strncmp(meta.download, "https://musl", 12) == 0);
	CHECK(parse("payload-size 0\ndownload http://example.org/x.tar.gz\n", "") == 0 &&
	      meta.npurl == 0 && meta.ncpe == 0);
	/* None of them: the package of an older pkg, as before. */
	CHECK(parse("payload-size 0\n", "") == 0 && meta.npurl == 0 && meta.download == NULL);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char payload[512];
		int rc;

		snprintf(payload, sizeof payload, "payload-size 0\n%s", bad[i].lines);
		rc = parse(payload, "");
		if (rc == 0 || strstr(err, bad[i].why) == NULL)
			fprintf(stderr, "ids case %zu: rc %d, err '%s', want '%s'\n", i, rc, err, bad[i].why);
		CHECK(rc < 0 && strstr(err, bad[i].why) != NULL);
	}

	/* PKG_IDS_MAX of each is the most; one more is refused. */
	for (at = lines, n = 0; n < PKG_IDS_MAX; n++)
		at += sprintf(at, "purl pkg:generic/p%d@1\ncpe cpe:2.3:a:v:p%d:1:*:*:*:*:*:*:*\n", n, n);
	CHECK(parse(lines, "payload-size 0\n") == 0 && meta.npurl == PKG_IDS_MAX && meta.ncpe == PKG_IDS_MAX);
	sprintf(at, "purl pkg:generic/one-more@1\n");
	CHECK(parse(lines, "payload-size 0\n") < 0 && strstr(err, "more than 16 'purl' lines") != NULL);
	sprintf(at, "cpe cpe:2.3:a:v:one-more:1:*:*:*:*:*:*:*\n");
	CHECK(parse(lines, "payload-size 0\n") < 0 && strstr(err, "more than 16 'cpe' lines") != NULL);

	/* 256 bytes is the most. */
	n = snprintf(lines, sizeof lines, "payload-size 0\npurl pkg:generic/");
	memset(lines + n, 'a', 256 - 12);
	strcpy(lines + n + 256 - 12, "\n");
	CHECK(parse(lines, "") == 0 && strlen(meta.purl[0]) == 256);
	memset(lines + n, 'a', 256 - 11);
	strcpy(lines + n + 256 - 11, "\n");
	CHECK(parse(lines, "") < 0 && strstr(err, "longer than 256 bytes") != NULL);
}

static void test_limits(void)
{
	char list[4096] = "";
	int i;

	for (i = 0; i < 17; i++) {
		char l[64];

		snprintf(l, sizeof l, "d 0755 0 0 d%02d\n", i);
		strcat(list, l);
	}
	CHECK(parse("payload-size 0\n", list) < 0 && strstr(err, "more than 16 files") != NULL);
	CHECK(pkg_meta_parse(text, 0, &meta, err, sizeof err) < 0);
	CHECK(pkg_meta_parse("format 1", 8, &meta, err, sizeof err) < 0 &&
	      strstr(err, "newline") != NULL);
}

static void test_header(void)
{
	struct pkg_header h;
	const char good[] = "cairn-pkg 1 4096 12345\nformat 1\n";

	CHECK(pkg_header_parse(good, sizeof good - 1, &h, err, sizeof err) == 0);
	CHECK(h.meta_len == 4096 && h.payload_len == 12345 && h.header_len == 23);
	CHECK(pkg_header_parse("cairn-pkg 2 1 1\n", 16, &h, err, sizeof err) < 0 &&
	      strstr(err, "format '2'") != NULL);
	CHECK(pkg_header_parse("cairn-pkg 1 0 1\n", 16, &h, err, sizeof err) < 0);
	CHECK(pkg_header_parse("cairn-pkg 1 99999999999 1\n", 26, &h, err, sizeof err) < 0);
	CHECK(pkg_header_parse("cairn-pkg 1  1 1\n", 17, &h, err, sizeof err) < 0);
	CHECK(pkg_header_parse("cairn-pkg 1 1 1 1\n", 18, &h, err, sizeof err) < 0);
	CHECK(pkg_header_parse("cairn-pkg 1 1 1", 15, &h, err, sizeof err) < 0 &&
	      strstr(err, "cut short") != NULL);
	CHECK(pkg_header_parse("!<arch>\n", 8, &h, err, sizeof err) < 0 &&
	      strstr(err, "not a Cairn package") != NULL);
}

static void test_path(void)
{
	const char *why;

	CHECK(pkg_path_ok("usr/lib/libc.so", &why));
	CHECK(pkg_path_ok("a/.hidden/..x", &why));
	CHECK(!pkg_path_ok("a/./b", &why) && strstr(why, "'.'") != NULL);
	CHECK(!pkg_path_ok("", &why));
	CHECK(!pkg_path_ok("a\tb", &why));
	CHECK(pkg_name_ok("linux-firmware") && !pkg_name_ok("-x") && !pkg_name_ok("A"));
	CHECK(pkg_version_ok("6.12.117-1~deb12u1") && !pkg_version_ok("v1"));
}

/* Relations get the room pkg_meta_alloc counts: 256 of a kind fit, the
 * 257th is refused at its own line, and nothing is written past the room. */
static void test_rels(void)
{
	static char big[32768];
	struct pkg_meta m;
	char *at = big, *copy;
	int i;

	at += sprintf(at, "format 1\nname a\nversion 1\narch noarch\nlicense MIT\nsource-sha256 %s\n"
		      "payload-size 0\nprovides p\n", SUM);
	for (i = 0; i < PKG_RELS_MAX; i++)
		at += sprintf(at, "depends d%d\nconflicts c%d<%d\n", i, i, i + 1);
	copy = strdup(big);
	CHECK(copy != NULL && pkg_meta_alloc(&m, copy, (size_t)(at - big)) == 0 &&
	      m.maxrels == 2 * PKG_RELS_MAX + 1);
	CHECK(pkg_meta_parse(copy, (size_t)(at - big), &m, err, sizeof err) == 0);
	/* Compacted: the parsed text goes (ASan: no use after free), the
	 * strings stay, shorter than the text they came from. */
	CHECK(pkg_meta_compact(&m, &copy) == 0 && copy != NULL);
	CHECK(m.ndepends == PKG_RELS_MAX && m.nconflicts == PKG_RELS_MAX && m.nprovides == 1);
	CHECK(strcmp(m.depends[255].name, "d255") == 0 && strcmp(m.provides[0].name, "p") == 0 &&
	      strcmp(m.conflicts[255].version, "256") == 0 && m.conflicts[255].op == PKG_LT);
	CHECK(strcmp(m.name, "a") == 0 && strcmp(m.license, "MIT") == 0 && m.name >= copy);
	CHECK(m.conflicts[255].version < copy + (at - big) / 2);
	free(copy);
	pkg_meta_free(&m);
	/* The text was parsed in place: made again, with one depends more. */
	at = big;
	at += sprintf(at, "format 1\nname a\nversion 1\narch noarch\nlicense MIT\nsource-sha256 %s\n"
		      "payload-size 0\n", SUM);
	for (i = 0; i <= PKG_RELS_MAX; i++)
		at += sprintf(at, "depends d%d\n", i);
	CHECK(pkg_meta_alloc(&m, big, (size_t)(at - big)) == 0 && m.maxrels == PKG_RELS_MAX);
	CHECK(pkg_meta_parse(big, (size_t)(at - big), &m, err, sizeof err) < 0);
	CHECK(strstr(err, "line 264: more than 256 'depends' lines") != NULL);
	pkg_meta_free(&m);
}

int main(void)
{
	RUN(test_good);
	RUN(test_rels);
	RUN(test_refused);
	RUN(test_ids);
	RUN(test_limits);
	RUN(test_header);
	RUN(test_path);
	return CHECK_DONE();
}
