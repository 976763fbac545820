/* ldhook.h: the OCI createContainer hook that updates a container's ld cache. */
#ifndef CAIRN_LDHOOK_H
#define CAIRN_LDHOOK_H

#include <stddef.h>

#include "perr.h"

#define LDHOOK_STATE_MAX (1u << 20)
#define LDHOOK_CONFIG_MAX (16u << 20)
#define LDHOOK_CONF_NAME "00-cairn-cdi.conf"	/* in /etc/ld.so.conf.d */
#define LDHOOK_ID 65534			/* the overflow user the reader runs as */
#define LDHOOK_SECONDS 60		/* for the reader: past it, the hook fails */

int ldhook_rootfs(const char *state, size_t len, char *rootfs, size_t size, struct perr *e);
int ldhook_update(const char *rootfs, const char *const *folders, size_t n, struct perr *e);

#endif
