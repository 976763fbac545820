/* oslayout_fuzz.c: the OS package's partition table parser on any bytes;
 * an accepted table has partitions in order, none overlapping another or
 * the GPT, each name once, and its end past every one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "osinstall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_layout l;
	char err[256];
	int i;

	if (os_layout_parse((const char *)data, size, &l, err, sizeof err) != 0)
		return 0;
	if (l.n < 1 || l.n > OS_PARTS_MAX)
		abort();
	for (i = 0; i < l.n; i++) {
		if (l.p[i].start < 34 || l.p[i].size == 0 || l.p[i].start + l.p[i].size > l.end ||
		    os_layout_find(&l, l.p[i].name) != &l.p[i])
			abort();
		if (i > 0 && l.p[i].start < l.p[i - 1].start + l.p[i - 1].size)
			abort();
	}
	return 0;
}
