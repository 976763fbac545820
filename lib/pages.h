/* pages.h: giving a buffer's pages back once it has served. */
#ifndef CAIRN_PAGES_H
#define CAIRN_PAGES_H

#include <stddef.h>

/* What a static buffer that pages_release serves is aligned to: 4 KiB
 * pages (x86_64; an arm64 kernel of 16 or 64 KiB pages gives back only
 * the whole pages a buffer spans). */
#define PAGES_ALIGN __attribute__((aligned(4096)))

int pages_release(void *p, size_t n);

#endif
