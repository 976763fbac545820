/* ldscan.h: the ld cache a container's root should have, made by reading
 * its library folders (never by running its ldconfig). */
#ifndef CAIRN_LDSCAN_H
#define CAIRN_LDSCAN_H

#include <stddef.h>

#define LDSCAN_DIRS 256			/* folders scanned in all */
#define LDSCAN_FILES 16384		/* names looked at in one folder */
#define LDSCAN_CONF_MAX (1u << 20)	/* one ld.so.conf file */
#define LDSCAN_DEPTH 8			/* include within include */
#define LDSCAN_CONFS 512		/* conf files read in all */

int ldscan_root(int rootfd, const char *const *folders, size_t n, unsigned char **cache, size_t *len);

#endif
