/* sysctl.h: kernel settings from /etc/sysctl.d. */
#ifndef CAIRN_INITD_SYSCTL_H
#define CAIRN_INITD_SYSCTL_H

int sysctl_parse_line(char *line, char **key, char **value);
int sysctl_set(const char *procsys, const char *key, const char *value);
int sysctl_apply_file(const char *file, const char *procsys);
int sysctl_apply_dir(const char *dir, const char *procsys);

#endif
