/* index_fuzz.c: the repository index parser on any bytes; an accepted
 * index is sorted, unique, and names only valid packages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index ix;
	char err[256], *text = malloc(size + 1);
	size_t i;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (index_parse(text, size, &ix, err, sizeof err) == 0)
		for (i = 0; i < ix.n; i++) {
			const struct index_pkg *p = &ix.pkgs[i];

			if (!pkg_name_ok(p->name) || !pkg_version_ok(p->version) || strchr(p->name, '/') != NULL)
				abort();
			if (i > 0 && strcmp(ix.pkgs[i - 1].name, p->name) == 0 &&
			    strcmp(ix.pkgs[i - 1].version, p->version) >= 0)
				abort();
			if (p->ndepends < 0 || p->nprovides < 0 || p->nconflicts < 0)
				abort();
		}
	index_free(&ix);
	free(text);
	return 0;
}
