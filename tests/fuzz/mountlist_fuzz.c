/* mountlist_fuzz.c: mountlist_parse on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *targets[MOUNTLIST_MAX];
	int i, n;

	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	n = mountlist_parse(buf, targets, MOUNTLIST_MAX);
	if (n < 0 || n > MOUNTLIST_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (targets[i] < buf || targets[i] > buf + size)
			abort();
	free(buf);
	return 0;
}
