/*
 * sbom.c: `pkg sbom`: an SPDX 2.3 JSON document of an installed root or a
 * repository, with what the NTIA's minimum elements ask: for every
 * component its supplier, name, version and unique identifiers (a purl
 * carrying the pinned source's sha256), its license, the dependency
 * relations between components, the document's author and its time.  The
 * time is SOURCE_DATE_EPOCH when the build sets it, and the namespace is
 * derived from the contents, so one package set gives one document.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sbom.h"
#include "text.h"
#include "sha256.h"

/* Metadata strings are printable ASCII: only " and \ need escaping. */
static void str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* SPDX ids allow letters, digits, '.' and '-'. */
static void spdxid(FILE *out, const char *name)
{
	fputs("\"SPDXRef-Package-", out);
	for (; *name != '\0'; name++)
		fputc((*name >= 'a' && *name <= 'z') || (*name >= '0' && *name <= '9') || *name == '.' ||
		      *name == '-' ? *name : '-', out);
	fputc('"', out);
}

static const struct pkg_meta *provider(const struct pkg_meta *const *pkgs, size_t n, const char *name)
{
	size_t i;
	int j;

	for (i = 0; i < n; i++)
		if (strcmp(pkgs[i]->name, name) == 0)
			return pkgs[i];
	for (i = 0; i < n; i++)
		for (j = 0; j < pkgs[i]->nprovides; j++)
			if (strcmp(pkgs[i]->provides[j].name, name) == 0)
				return pkgs[i];
	return NULL;
}

int sbom_write(FILE *out, const char *name, const struct pkg_meta *const *pkgs, size_t n,
	       long long created)
{
	struct sha256 h;
	uint8_t sum[32];
	char hex[65], when[32], src[65];
	time_t t = (time_t)created;
	struct tm tm;
	size_t i;
	int j, first = 1;

	if (sha256_init(&h) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		sha256_update(&h, pkgs[i]->name, strlen(pkgs[i]->name) + 1);
		sha256_update(&h, pkgs[i]->version, strlen(pkgs[i]->version) + 1);
		sha256_update(&h, pkgs[i]->source_sha256, 32);
	}
	sha256_final(&h, sum);
	text_hex(sum, 32, hex);
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

	fprintf(out, "{\n \"spdxVersion\": \"SPDX-2.3\",\n \"dataLicense\": \"CC0-1.0\",\n"
		" \"SPDXID\": \"SPDXRef-DOCUMENT\",\n \"name\": ");
	str(out, name);
	fprintf(out, ",\n \"documentNamespace\": \"urn:cairn:spdx:%s\",\n"
		" \"creationInfo\": {\n  \"created\": \"%s\",\n"
		"  \"creators\": [\"Tool: cairn-pkg-" CAIRN_VERSION "\", \"Organization: Cairn\"]\n },\n"
		" \"packages\": [", hex, when);
	for (i = 0; i < n; i++) {
		const struct pkg_meta *m = pkgs[i];

		text_hex(m->source_sha256, 32, src);
		fprintf(out, "%s\n  {\n   \"SPDXID\": ", i ? "," : "");
		spdxid(out, m->name);
		fprintf(out, ",\n   \"name\": ");
		str(out, m->name);
		fprintf(out, ",\n   \"versionInfo\": ");
		str(out, m->version);
		fprintf(out, ",\n   \"supplier\": ");
		str(out, m->supplier != NULL ? m->supplier : "NOASSERTION");
		fprintf(out, ",\n   \"downloadLocation\": \"NOASSERTION\",\n   \"filesAnalyzed\": false,\n"
			"   \"licenseConcluded\": \"NOASSERTION\",\n   \"licenseDeclared\": ");
		str(out, m->license);
		fprintf(out, ",\n   \"copyrightText\": \"NOASSERTION\",\n");
		if (m->summary != NULL) {
			fprintf(out, "   \"summary\": ");
			str(out, m->summary);
			fprintf(out, ",\n");
		}
		fprintf(out, "   \"sourceInfo\": \"built from the pinned source with sha256 %s\",\n"
			"   \"externalRefs\": [{\"referenceCategory\": \"PACKAGE-MANAGER\", "
			"\"referenceType\": \"purl\", \"referenceLocator\": \"pkg:generic/%s@%s?arch=%s&checksum=sha256:%s\"}]\n  }",
			src, m->name, m->version, m->arch, src);
	}
	fprintf(out, "\n ],\n \"relationships\": [");
	for (i = 0; i < n; i++) {
		fprintf(out, "%s\n  {\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", "
			"\"relatedSpdxElement\": ", first ? "" : ",");
		spdxid(out, pkgs[i]->name);
		fputc('}', out);
		first = 0;
		for (j = 0; j < pkgs[i]->ndepends; j++) {
			const struct pkg_meta *d = provider(pkgs, n, pkgs[i]->depends[j].name);

			if (d == NULL)
				continue;
			fprintf(out, ",\n  {\"spdxElementId\": ");
			spdxid(out, pkgs[i]->name);
			fprintf(out, ", \"relationshipType\": \"DEPENDS_ON\", \"relatedSpdxElement\": ");
			spdxid(out, d->name);
			fputc('}', out);
		}
	}
	fprintf(out, "\n ]\n}\n");
	return ferror(out) ? -EIO : 0;
}
