/* doc_fuzz.c: the signed-document parser (root, release) on any bytes;
 * what it accepts keeps the promises the trust checks rely on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct doc d;
	char err[256];
	int i, j;

	if (doc_parse((const char *)data, size, &d, err, sizeof err) == 0) {
		if (d.signed_len == 0 || d.signed_len > size || d.version == 0)
			abort();
		if (d.kind == DOC_ROOT && (d.threshold < 1 || d.threshold > d.nkeys))
			abort();
		for (i = 0; i < d.nkeys; i++)
			for (j = 0; j < i; j++)
				if (strcmp(d.keys[i].id, d.keys[j].id) == 0)
					abort();
		/* What is signed ends where the signatures begin. */
		if (d.nsigs > 0 && memcmp(data + d.signed_len, "signature ", 10) != 0)
			abort();
	}
	doc_free(&d);
	return 0;
}
