/* xid_fuzz.c: xid_scan on any bytes; what it returns is a short PCI
 * address and a count no smaller than what it stored. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xid x[4];
	size_t n, i;
	int count = xid_scan((const char *)data, size, x, 4, &n);

	if (count < 0 || n > 4 || (size_t)count < n)
		abort();
	for (i = 0; i < n; i++)
		if (strlen(x[i].pci) < 7 || strlen(x[i].pci) >= sizeof(x[i].pci) || x[i].code > 100000)
			abort();
	return 0;
}
