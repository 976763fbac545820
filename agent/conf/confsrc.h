/* confsrc.h: where a node's config comes from, first found wins
 * (node.conf(5), SOURCES): the kernel command line, the node's own
 * CAIRNCFG medium (or any, when its sha256 is pinned), the image. */
#ifndef CAIRN_CONFSRC_H
#define CAIRN_CONFSRC_H

#include <stddef.h>

#include "perr.h"

#define CONFSRC_LABEL "CAIRNCFG"	/* the config file system's label (FAT: 11 characters) */
#define CONFSRC_WHERE 1100
#define CONFSRC_IMAGE "/etc/cairn/node.conf"	/* what the image carries (make NODE_CONFIG=) */

enum confsrc_origin { CONF_CMDLINE, CONF_MEDIUM, CONF_IMAGE, CONF_NONE };

/* A CAIRNCFG file system, mounted. */
struct confsrc_medium {
	const char *dir;		/* where */
	int own;			/* the node's own (medium.c); another only with a pin */
};

struct confsrc {
	const char *cmdline;		/* the kernel command line */
	const char *root;		/* "" on a node; a fake root in tests */
	const struct confsrc_medium *media;	/* the node's own first */
	int nmedia;
	/* GET an https:// URL, at most max bytes; ca NULL: the body is pinned
	 * by its sha256 instead, so the server's certificate is not checked. */
	int (*fetch)(const char *url, const char *ca, size_t max, char **text, size_t *len, struct perr *e);
};

struct conf_found {
	enum confsrc_origin origin;
	int medium;			/* CONF_MEDIUM: which of media */
	char where[CONFSRC_WHERE];	/* the file or URL it came from, "" for none */
	char *text;			/* malloc'd, NUL-terminated; "" for none */
	size_t len;
};

int confsrc_find(const struct confsrc *s, struct conf_found *f, struct perr *e);
void confsrc_free(struct conf_found *f);
const char *confsrc_origin_name(enum confsrc_origin o);

#endif
