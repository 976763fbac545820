/* pkgmeta_fuzz.c: a package's header and metadata parsers on any bytes;
 * what they accept keeps every promise the installer relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An identifier goes into the SBOM's JSON as it is: its scheme's prefix,
 * printable ASCII, no space, quote or backslash, at most 256 bytes. */
static int id_ok(const char *id, const char *prefix)
{
	const char *c;

	if (strncmp(id, prefix, strlen(prefix)) != 0 || strlen(id) > 256)
		return 0;
	for (c = id; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkg_file files[64];
	static struct pkg_rel rels[3 * PKG_RELS_MAX];
	static struct pkg_meta meta;
	static char text[8192];
	struct pkg_header h;
	unsigned long long sum = 0;
	char err[256];
	const char *why;
	size_t i;

	if (pkg_header_parse((const char *)data, size, &h, err, sizeof err) == 0 &&
	    (h.header_len > PKG_HEADER_MAX || h.meta_len == 0 || h.meta_len > PKG_META_MAX))
		abort();
	if (size > sizeof text)
		return 0;
	memcpy(text, data, size);
	meta.files = files;
	meta.maxfiles = 64;
	meta.rels = rels;
	meta.maxrels = sizeof rels / sizeof rels[0];
	if (pkg_meta_parse(text, size, &meta, err, sizeof err) != 0)
		return 0;
	if (!pkg_name_ok(meta.name) || !pkg_version_ok(meta.version) || meta.nfiles > 64)
		abort();
	for (i = 0; i < (size_t)meta.npurl; i++)
		if (!id_ok(meta.purl[i], "pkg:"))
			abort();
	for (i = 0; i < (size_t)meta.ncpe; i++)
		if (!id_ok(meta.cpe[i], "cpe:2.3:"))
			abort();
	if (meta.download != NULL && !id_ok(meta.download, "http"))
		abort();
	for (i = 0; i < meta.nfiles; i++) {
		if (!pkg_path_ok(files[i].path, &why))
			abort();
		if (i > 0 && strcmp(files[i - 1].path, files[i].path) >= 0)
			abort();
		if (files[i].type == PKG_DIR && (files[i].mode & 06000))
			abort();
		if (files[i].type == PKG_FILE)
			sum += files[i].size;
	}
	if (sum != meta.payload_size)
		abort();
	return 0;
}
