/* bundle_fuzz.c: the bundle table parser on any bytes; an accepted table
 * names only repository files, sorted, each lying inside the bundle. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle b;
	char err[256], *text = malloc(size + 1);
	const char *why;
	size_t i;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&b, 0, sizeof b);
	if (bundle_parse(text, size, 8, 64, 4096, &b, err, sizeof err) == 0)
		for (i = 0; i < b.n; i++)
			if (!pkg_path_ok(b.v[i].name, &why) || b.v[i].off < 64 ||
			    b.v[i].off + b.v[i].size > 4096 ||
			    (i > 0 && strcmp(b.v[i - 1].name, b.v[i].name) >= 0))
				abort();
	free(b.v);
	free(text);
	return 0;
}
