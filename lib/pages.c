/* pages.c: giving a buffer's pages back once it has served. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pages.h"

/*
 * pages_release: the whole pages inside [p, p + n) go back to the kernel
 * (MADV_DONTNEED): a static buffer PID 1 filled once at boot (a file it
 * read, the modaliases it gathered) stops counting in its resident
 * memory; read again, its pages are zeroes, and a write brings them back.
 * Only for private anonymous memory (bss, heap), which is all PID 1 has.
 * Returns 0 or -errno; a failure only leaves the pages where they were.
 */
int pages_release(void *p, size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a, e;

	if (page <= 0)
		return -EINVAL;
	a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	e = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
	if (e > a && madvise((void *)a, e - a, MADV_DONTNEED) < 0)
		return -errno;
	return 0;
}
