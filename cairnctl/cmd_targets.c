/*
 * cmd_targets.c: cairnctl prometheus-targets: the nodes' /metrics as
 * Prometheus's file_sd JSON, one target a node labelled with its name,
 * scraped over HTTPS (the scrape job holds the client certificate:
 * doc/cairnctl.md).  Nothing is contacted.
 */
#include <stdlib.h>
#include <string.h>

#include "cairnctl.h"

int cmd_targets(struct ctl *c, int argc, char **argv)
{
	json_t *all = json_array();
	char target[HOSTLIST_NAME + 16], *text;
	size_t i;

	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] prometheus-targets");
	for (i = 0; i < c->nodes.n; i++) {
		const struct node *n = &c->nodes.v[i];

		snprintf(target, sizeof target, strchr(n->host, ':') != NULL ? "[%s]:%s" : "%s:%s", n->host,
			 n->port);
		json_array_append_new(all, json_pack("{s:[s], s:{s:s, s:s, s:s}}", "targets", target, "labels",
						     "node", n->name, "__scheme__", "https", "__metrics_path__",
						     "/metrics"));
	}
	text = json_dumps(all, JSON_INDENT(2));
	json_decref(all);
	if (text == NULL)
		ctl_die(EXIT_SYSTEM, "out of memory");
	puts(text);
	free(text);
	return 0;
}
