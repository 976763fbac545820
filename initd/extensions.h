/* extensions.h: a site's packages on /var, overlaid under the image's /usr and /opt. */
#ifndef CAIRN_INITD_EXTENSIONS_H
#define CAIRN_INITD_EXTENSIONS_H

#define EXTENSIONS_AREA "/var/lib/extensions"	/* pkg --extensions' root */
#define EXTENSIONS_PKG "/sbin/pkg"
#define EXTENSIONS_VERIFY_MS 600000		/* one layer's check, every file hashed */

/* How the overlay reaches the system; tests give their own. */
struct extensions_sys {
	const char *pkg;			/* the pkg that checks a layer (EXTENSIONS_PKG) */
	int (*mount)(const char *source, const char *target, const char *type, unsigned long flags,
		     const void *data);
};

extern const struct extensions_sys extensions_system;

int extensions_mount(const char *root, const struct extensions_sys *sys);

#endif
