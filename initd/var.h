/* var.h: /var on the device cairn.var names, or in memory, and the extensions kept there. */
#ifndef CAIRN_INITD_VAR_H
#define CAIRN_INITD_VAR_H

void var_setup(const char *cmdline);

#endif
