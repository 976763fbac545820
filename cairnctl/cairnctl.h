/* cairnctl.h: what cairnctl's commands share (doc/cairnctl.md): the fleet and
 * how to reach it, one request to all of it, the exit codes. */
#ifndef CAIRNCTL_H
#define CAIRNCTL_H

#include <stdio.h>

#include <jansson.h>

#include "nodes.h"
#include "request.h"

#define EXIT_SOME 1			/* a node unhealthy, unreachable or refusing */
#define EXIT_USAGE 100
#define EXIT_SYSTEM 111

struct ctl {
	struct nodes nodes;
	const char *port;		/* where a node named without one answers */
	const char *cert, *key, *ca;
	SSL_CTX *tls;			/* made on first use */
	int parallel;			/* connections open at once */
	int timeout_ms;			/* each node's */
	int json;
	const char *reason;		/* drain */
	const char *out;		/* support-bundle: the file */
	const char *repo;		/* update: where the nodes find the OS */
	const char *batch;		/* update: N or N% of the nodes at a time */
	int max_failures;		/* update: more stops it */
	int tries;			/* update: boots the new OS has to become good */
	int wait_s;			/* update: a node's bound, from going down to good */
	int interval_s;			/* update: between looks */
	const char *scontrol;		/* update: Slurm's */
};

struct cmd {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
	int needs_tls;			/* it speaks to nodes */
	int one_node;			/* NODE is its argument: --nodes not needed */
};

/* A node's JSON answer (NULL and WHY: none); ALL, when --json, gathers; nonzero: the node counts bad. */
typedef int (*ctl_each_fn)(const struct node *n, json_t *j, const char *why, json_t *all);

void ctl_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
int ctl_fleet(struct ctl *c, const char *method, const char *path, size_t max, struct answer **out);
json_t *ctl_json(const struct answer *a, char *why, size_t size);
size_t ctl_fleet_each(struct ctl *c, const char *path, size_t max, ctl_each_fn each, json_t *all);
void ctl_clean(char *s);
void ctl_clean_text(char *s, size_t len);
const struct node *ctl_node(const struct ctl *c, const char *name);
void ctl_url_escape(const char *in, char *out, size_t size);

int cmd_status(struct ctl *c, int argc, char **argv);
int cmd_health(struct ctl *c, int argc, char **argv);
int cmd_inventory(struct ctl *c, int argc, char **argv);
int cmd_drain(struct ctl *c, int argc, char **argv);
int cmd_resume(struct ctl *c, int argc, char **argv);
int cmd_logs(struct ctl *c, int argc, char **argv);
int cmd_support_bundle(struct ctl *c, int argc, char **argv);
int cmd_targets(struct ctl *c, int argc, char **argv);
int cmd_update(struct ctl *c, int argc, char **argv);

#endif
