/* ldcache_fuzz.c: ldcache_parse on any bytes: no read outside the buffer
 * (ASan), and every name and path it reports ends inside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *ctx, const char *name, const char *path)
{
	const uint8_t *buf = ctx;

	(void)buf;
	/* strlen must stay inside: ASan would catch it */
	if (strlen(name) + strlen(path) > LDCACHE_MAX)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	ldcache_parse(copy, size, visit, copy);
	free(copy);
	return 0;
}
