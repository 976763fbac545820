/* cpuinfo_fuzz.c: cpuinfo_parse and meminfo_total on any bytes; what they
 * return is consistent (sockets <= cores <= threads when the topology is
 * known, a printable model). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inv_cpu cpu;
	unsigned long long kb;
	size_t i;

	if (cpuinfo_parse((const char *)data, size, &cpu) == 0) {
		if (cpu.threads == 0 || cpu.sockets == 0 || cpu.cores == 0 ||
		    cpu.threads > INV_CPUS_MAX || strlen(cpu.model) >= sizeof(cpu.model))
			abort();
		for (i = 0; cpu.model[i]; i++)
			if ((unsigned char)cpu.model[i] < 0x20 || (unsigned char)cpu.model[i] > 0x7e)
				abort();
	}
	if (meminfo_total((const char *)data, size, &kb) == 0 && kb > (1ULL << 50))
		abort();
	return 0;
}
