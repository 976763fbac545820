/* nvsmi_fuzz.c: nvidia-smi's CSV answers on any bytes; what is read is
 * a UUID and figures that are unknown or finite and not negative. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvsmi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpu_live g[4];
	int n, i;

	if (nvsmi_parse_gpus((const char *)data, size, g, 4, &n) == 0) {
		if (n < 0 || n > 4)
			abort();
		for (i = 0; i < n; i++)
			if (strncmp(g[i].uuid, "GPU-", 4) != 0 || (!isnan(g[i].temp_c) && !(g[i].temp_c >= 0)))
				abort();
	} else {
		n = 0;
	}
	nvsmi_parse_remap((const char *)data, size, g, n);
	return 0;
}
