/* nodes.h: the nodes cairnctl speaks to, named by host lists and a file
 * (doc/cairnctl.md, NODES), each with where its API answers. */
#ifndef CAIRNCTL_NODES_H
#define CAIRNCTL_NODES_H

#include <stddef.h>

#include "hostlist.h"

#define NODES_PORT "7443"
#define NODES_MAX 100000		/* in all, from every list and the file */		/* the API's default port (node.conf [api] listen) */

struct node {
	char name[HOSTLIST_NAME];	/* what its certificate must name */
	char host[HOSTLIST_NAME];	/* where to connect: the name, or an address */
	char port[8];
};

struct nodes {
	struct node *v;
	size_t n, cap;
	size_t max;			/* names one host list may give; 0: HOSTLIST_MAX */
};

int nodes_add_list(struct nodes *ns, const char *expr, const char *port, char *err, size_t size);
int nodes_read_file(struct nodes *ns, const char *path, const char *port, char *err, size_t size);
int nodes_parse(struct nodes *ns, const char *text, size_t len, const char *port, char *err, size_t size);
int nodes_unique(struct nodes *ns, char *err, size_t size);
void nodes_locate(struct nodes *ns, const struct nodes *book);
void nodes_free(struct nodes *ns);

#endif
