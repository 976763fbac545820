/* pages.h: giving a buffer's pages back once it has served. */
#ifndef CAIRN_PAGES_H
#define CAIRN_PAGES_H

#include <stddef.h>

/* What a static buffer that pages_release serves is aligned to. */
#define PAGES_ALIGN __attribute__((aligned(4096)))

void pages_release(void *p, size_t n);

#endif
