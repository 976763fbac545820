/* blkdev.h: block devices by sysfs: partitions by GPT name or GUID, their
 * disk, the disk under the root (initd's /var, the agent's data, install
 * and config medium). */
#ifndef CAIRN_BLKDEV_H
#define CAIRN_BLKDEV_H

#include <stddef.h>
#include <sys/types.h>

#define BLK_PROBE_BYTES (1u << 20)
enum { BLK_EMPTY, BLK_EXT4, BLK_OTHER };

int blk_parent(const char *sys, const char *name, char *disk, size_t size, unsigned *partno);
int blk_dev_name(const char *sys, dev_t dev, char *name, size_t size);
int blk_dev_disk(const char *sys, dev_t dev, char *disk, size_t size);
int blk_root_disk(const char *sys, const char *path, char *disk, size_t size);
int blk_by_label(const char *sys, const char *label, const char *near, char *name, size_t size);
int blk_partuuid(const char *sys, const char *dev, const char *name, char uuid[37]);
int blk_by_partuuid(const char *sys, const char *dev, const char *uuid, char *name, size_t size);
int blk_block_size(const char *sys, const char *name, unsigned *bytes);
int blk_is_last(const char *sys, const char *disk, const char *name);
int blk_extent(const char *sys, const char *name, unsigned long long *start, unsigned long long *sectors);
int blk_probe(int fd, int *kind);

#endif
