/* inroot.h: files inside another root (a container's), opened so that no
 * link in that tree leads out of it. */
#ifndef CAIRN_INROOT_H
#define CAIRN_INROOT_H

#include <stddef.h>
#include <sys/types.h>

int inroot_open(int rootfd, const char *path, int flags, mode_t mode);
int inroot_dir(int rootfd, const char *path, int create);

#endif
