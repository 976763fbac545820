/* watchdog_fuzz.c: watchdog_parse_arg on any bytes; what it accepts is a
 * path under /dev/ with no "..", and a timeout within bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watchdog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, dev[64];
	unsigned t = 0;

	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (watchdog_parse_arg(buf, dev, sizeof dev, &t) == 0 &&
	    ((strncmp(dev, "/dev/", 5) != 0 && strcmp(dev, WATCHDOG_AUTO) != 0) ||
	     strstr(dev, "..") != NULL ||
	     strlen(dev) >= sizeof dev || t > WATCHDOG_TIMEOUT_MAX))
		abort();
	free(buf);
	return 0;
}
