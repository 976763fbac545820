/* elfso.h: a shared library's soname, read strictly from its ELF headers. */
#ifndef CAIRN_ELFSO_H
#define CAIRN_ELFSO_H

#define ELFSO_NAME_MAX 255

int elfso_read(int fd, char soname[ELFSO_NAME_MAX + 1]);

#endif
