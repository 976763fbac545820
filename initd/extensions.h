/* extensions.h: a site's packages on /var, overlaid under the image's /usr and /opt. */
#ifndef CAIRN_INITD_EXTENSIONS_H
#define CAIRN_INITD_EXTENSIONS_H

#define EXTENSIONS_AREA "/var/lib/extensions"

int extensions_mount(const char *root, const char *area);

#endif
