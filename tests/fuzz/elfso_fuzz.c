/* elfso_fuzz.c: elfso_read on any bytes as a file: no read outside what
 * it read (ASan), and a soname it reports is a bounded file name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char soname[ELFSO_NAME_MAX + 1];
	int fd = memfd_create("elfso", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && elfso_read(fd, soname) == 0 &&
	    (strlen(soname) > ELFSO_NAME_MAX || strchr(soname, '/') != NULL))
		abort();
	close(fd);
	return 0;
}
