/* fsroot.h: paths resolved inside an install root, never outside it. */
#ifndef CAIRN_PKG_FSROOT_H
#define CAIRN_PKG_FSROOT_H

int fsroot_open(int rootfd, const char *path, int flags);
int fsroot_parent(int rootfd, const char *path, const char **leaf);
int fsroot_mkdirs(int rootfd, const char *path, unsigned mode);

#endif
