/* mountlist.h: mount points from a mounts file, for unmounting. */
#ifndef CAIRN_INITD_MOUNTLIST_H
#define CAIRN_INITD_MOUNTLIST_H

#define MOUNTLIST_MAX 64

int mountlist_parse(char *buf, char *targets[], int max);

#endif
