/* nvinfo_fuzz.c: nvinfo_parse on any bytes; what it accepts is bounded,
 * printable, and a UUID usable as a CDI device name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpu g;
	size_t i;

	memset(&g, 0, sizeof(g));
	if (nvinfo_parse((const char *)data, size, &g) != 0)
		return 0;
	if (strlen(g.uuid) >= sizeof(g.uuid) || strncmp(g.uuid, "GPU-", 4) != 0 ||
	    g.minor < 0 || g.minor > 253 || strlen(g.model) >= sizeof(g.model))
		abort();
	for (i = 0; g.model[i] != '\0'; i++)
		if ((unsigned char)g.model[i] < 0x20 || (unsigned char)g.model[i] > 0x7e)
			abort();
	if (strspn(g.uuid, "0123456789abcdefABCDEFGPU-") != strlen(g.uuid))
		abort();
	return 0;
}
