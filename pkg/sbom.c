/*
 * sbom.c: `pkg sbom`: an SPDX 2.3 JSON document of an installed root or a
 * repository, with what the NTIA's minimum elements ask and what a
 * vulnerability scanner matches: for every component its supplier, name,
 * version and identifiers (a purl carrying the pinned source's sha256,
 * then the package's own purls, such as Debian's, and CPE names), its
 * license and download location; one package for the root or repository
 * itself, which the document DESCRIBES and which CONTAINS every component,
 * and the DEPENDS_ON relations between components; the document's author
 * and its time.  The time is SOURCE_DATE_EPOCH when the build sets it, and
 * the namespace is derived from the contents, so one package set gives one
 * document, byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sbom.h"
#include "text.h"
#include "sha256.h"

#define ROOT_ID "SPDXRef-Root"

/* Metadata strings have no control bytes: " and \ are escaped, valid
 * UTF-8 passes, and a byte that is not (the format does not promise
 * UTF-8) becomes U+FFFD, so the document is JSON whatever a package says. */
static void str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	while (*p != '\0') {
		int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 2 :
			  (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 4 : 0, k;

		for (k = 1; k < len; k++)
			if ((p[k] & 0xc0) != 0x80)
				len = 0;
		/* No overlong three-byte forms, no surrogates, nothing past U+10FFFF. */
		if ((len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))) ||
		    (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))))
			len = 0;
		if (len == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fwrite(p, 1, (size_t)len, out);
		p += len;
	}
	fputc('"', out);
}

/* SPDX ids allow letters, digits, '.' and '-': a package's is its name
 * with other bytes as '-', and, where an earlier package's is the same
 * (a repository holding two versions of one name), "-N" for its place. */
static void spdxid_name(const char *name, char *id)
{
	for (; *name != '\0'; name++, id++) {
		*id = *name;
		if (!((*name >= 'a' && *name <= 'z') || (*name >= '0' && *name <= '9') || *name == '.' ||
		      *name == '-'))
			*id = '-';
	}
	*id = '\0';
}

static void spdxid(FILE *out, const struct pkg_meta *const *pkgs, size_t i)
{
	char id[65], other[65];	/* names are at most 64 bytes (pkg_name_ok) */
	size_t j;

	spdxid_name(pkgs[i]->name, id);
	fprintf(out, "\"SPDXRef-Package-%s", id);
	for (j = 0; j < i; j++) {
		spdxid_name(pkgs[j]->name, other);
		if (strcmp(id, other) == 0) {
			fprintf(out, "-%zu", i);
			break;
		}
	}
	fputc('"', out);
}

/* A purl's name or version: what is not unreserved is percent-encoded
 * ('+' as %2B), as the purl specification asks. */
static void purl_part(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr(".-_~", *s) != NULL)
			fputc(*s, out);
		else
			fprintf(out, "%%%02X", (unsigned)(unsigned char)*s);
	}
}

/* Which package provides NAME here: its place, or n for none. */
static size_t provider(const struct pkg_meta *const *pkgs, size_t n, const char *name)
{
	size_t i;
	int j;

	for (i = 0; i < n; i++)
		if (strcmp(pkgs[i]->name, name) == 0)
			return i;
	for (i = 0; i < n; i++)
		for (j = 0; j < pkgs[i]->nprovides; j++)
			if (strcmp(pkgs[i]->provides[j].name, name) == 0)
				return i;
	return n;
}

/* One externalRefs entry after the first (the generic purl). */
static void ref(FILE *out, const char *category, const char *type, const char *locator)
{
	fprintf(out, ",\n    {\"referenceCategory\": \"%s\", \"referenceType\": \"%s\", \"referenceLocator\": ",
		category, type);
	str(out, locator);
	fputc('}', out);
}

/* The identifiers: the generic purl with the pinned source's sha256 (every
 * package has one), then the package's purls and CPE names. */
static void package_refs(FILE *out, const struct pkg_meta *m, const char *src)
{
	int i;

	fprintf(out, "   \"externalRefs\": [\n    {\"referenceCategory\": \"PACKAGE-MANAGER\", "
		"\"referenceType\": \"purl\", \"referenceLocator\": \"pkg:generic/");
	purl_part(out, m->name);
	fputc('@', out);
	purl_part(out, m->version);
	fprintf(out, "?arch=%s&checksum=sha256:%s\"}", m->arch, src);
	for (i = 0; i < m->npurl; i++)
		ref(out, "PACKAGE-MANAGER", "purl", m->purl[i]);
	for (i = 0; i < m->ncpe; i++)
		ref(out, "SECURITY", "cpe23Type", m->cpe[i]);
	fprintf(out, "\n   ]\n");
}

static void package(FILE *out, const struct pkg_meta *const *pkgs, size_t i)
{
	const struct pkg_meta *m = pkgs[i];
	char src[65];

	text_hex(m->source_sha256, 32, src);
	fprintf(out, ",\n  {\n   \"SPDXID\": ");
	spdxid(out, pkgs, i);
	fprintf(out, ",\n   \"name\": ");
	str(out, m->name);
	fprintf(out, ",\n   \"versionInfo\": ");
	str(out, m->version);
	fprintf(out, ",\n   \"supplier\": ");
	str(out, m->supplier != NULL ? m->supplier : "NOASSERTION");
	fprintf(out, ",\n   \"downloadLocation\": ");
	str(out, m->download != NULL ? m->download : "NOASSERTION");
	fprintf(out, ",\n   \"filesAnalyzed\": false,\n"
		"   \"licenseConcluded\": \"NOASSERTION\",\n   \"licenseDeclared\": ");
	str(out, m->license);
	fprintf(out, ",\n   \"copyrightText\": \"NOASSERTION\",\n");
	if (m->summary != NULL) {
		fprintf(out, "   \"summary\": ");
		str(out, m->summary);
		fprintf(out, ",\n");
	}
	fprintf(out, "   \"sourceInfo\": \"built from the pinned source with sha256 %s\",\n", src);
	package_refs(out, m, src);
	fprintf(out, "  }");
}

/* The root or repository itself: what the document describes. */
static void root_package(FILE *out, const struct sbom_root *r)
{
	fprintf(out, "\n  {\n   \"SPDXID\": \"" ROOT_ID "\",\n   \"name\": ");
	str(out, r->name);
	if (r->version != NULL) {
		fprintf(out, ",\n   \"versionInfo\": ");
		str(out, r->version);
	}
	fprintf(out, ",\n   \"supplier\": \"Organization: Cairn\",\n"
		"   \"downloadLocation\": \"NOASSERTION\",\n   \"filesAnalyzed\": false,\n"
		"   \"licenseConcluded\": \"NOASSERTION\",\n   \"licenseDeclared\": \"NOASSERTION\",\n"
		"   \"copyrightText\": \"NOASSERTION\"");
	if (r->purpose != NULL)
		fprintf(out, ",\n   \"primaryPackagePurpose\": \"%s\"", r->purpose);
	fprintf(out, "\n  }");
}

/* DOCUMENT DESCRIBES the root, the root CONTAINS each package, and each
 * package DEPENDS_ON what provides its dependencies here. */
static void relationships(FILE *out, const struct pkg_meta *const *pkgs, size_t n)
{
	size_t i;
	int j;

	fprintf(out, "\n  {\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", "
		"\"relatedSpdxElement\": \"" ROOT_ID "\"}");
	for (i = 0; i < n; i++) {
		fprintf(out, ",\n  {\"spdxElementId\": \"" ROOT_ID "\", \"relationshipType\": \"CONTAINS\", "
			"\"relatedSpdxElement\": ");
		spdxid(out, pkgs, i);
		fputc('}', out);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < pkgs[i]->ndepends; j++) {
			size_t d = provider(pkgs, n, pkgs[i]->depends[j].name);

			if (d == n)
				continue;
			fprintf(out, ",\n  {\"spdxElementId\": ");
			spdxid(out, pkgs, i);
			fprintf(out, ", \"relationshipType\": \"DEPENDS_ON\", \"relatedSpdxElement\": ");
			spdxid(out, pkgs, d);
			fputc('}', out);
		}
}

/* The namespace: a hash of what the document says, so it names this one. */
static int namespace_of(const struct sbom_root *r, const struct pkg_meta *const *pkgs, size_t n,
			char hex[65])
{
	struct sha256 h;
	uint8_t sum[32];
	size_t i;
	int j;

	if (sha256_init(&h) < 0)
		return -ENOMEM;
	sha256_update(&h, r->name, strlen(r->name) + 1);
	if (r->version != NULL)
		sha256_update(&h, r->version, strlen(r->version) + 1);
	for (i = 0; i < n; i++) {
		sha256_update(&h, pkgs[i]->name, strlen(pkgs[i]->name) + 1);
		sha256_update(&h, pkgs[i]->version, strlen(pkgs[i]->version) + 1);
		sha256_update(&h, pkgs[i]->source_sha256, 32);
		for (j = 0; j < pkgs[i]->npurl; j++)
			sha256_update(&h, pkgs[i]->purl[j], strlen(pkgs[i]->purl[j]) + 1);
		for (j = 0; j < pkgs[i]->ncpe; j++)
			sha256_update(&h, pkgs[i]->cpe[j], strlen(pkgs[i]->cpe[j]) + 1);
	}
	sha256_final(&h, sum);
	text_hex(sum, 32, hex);
	return 0;
}

int sbom_write(FILE *out, const struct sbom_root *root, const struct pkg_meta *const *pkgs, size_t n,
	       long long created)
{
	char hex[65], when[32];
	time_t t = (time_t)created;
	struct tm tm;
	size_t i;

	if (namespace_of(root, pkgs, n, hex) < 0)
		return -ENOMEM;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

	fprintf(out, "{\n \"spdxVersion\": \"SPDX-2.3\",\n \"dataLicense\": \"CC0-1.0\",\n"
		" \"SPDXID\": \"SPDXRef-DOCUMENT\",\n \"name\": ");
	str(out, root->name);
	fprintf(out, ",\n \"documentNamespace\": \"urn:cairn:spdx:%s\",\n"
		" \"creationInfo\": {\n  \"created\": \"%s\",\n"
		"  \"creators\": [\"Tool: cairn-pkg-" CAIRN_VERSION "\", \"Organization: Cairn\"]\n },\n"
		" \"packages\": [", hex, when);
	root_package(out, root);
	for (i = 0; i < n; i++)
		package(out, pkgs, i);
	fprintf(out, "\n ],\n \"relationships\": [");
	relationships(out, pkgs, n);
	fprintf(out, "\n ]\n}\n");
	return ferror(out) ? -EIO : 0;
}
