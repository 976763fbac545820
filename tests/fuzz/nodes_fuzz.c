/* nodes_fuzz.c: cairnctl's nodes file and host lists (cairnctl/nodes.c,
 * hostlist.c) on any bytes: whatever is accepted is bounded, a host
 * name or address of the allowed bytes with a port of 1 to 65535. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A host list may name 100,000 nodes; a few hundred show the same code. */
	struct nodes ns = { NULL, 0, 0, 256 };
	char err[300];
	size_t i;

	if (nodes_parse(&ns, (const char *)data, size, "7443", err, sizeof err) == 0 &&
	    nodes_unique(&ns, err, sizeof err) == 0) {
		for (i = 0; i < ns.n; i++) {
			const struct node *n = &ns.v[i];
			long port = atol(n->port);

			if (n->name[0] == '\0' || strlen(n->name) >= HOSTLIST_NAME || n->host[0] == '\0' ||
			    strspn(n->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") !=
			    strlen(n->host) || port < 1 || port > 65535)
				abort();
			if (i > 0 && strcmp(ns.v[i - 1].name, n->name) >= 0)
				abort();
		}
	}
	nodes_free(&ns);
	return 0;
}
