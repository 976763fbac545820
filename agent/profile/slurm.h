/* slurm.h: the slurm profile (node.conf(5), [slurm]): slurmd's command
 * line from the config and the GPUs found, what scontrol says of the node,
 * and the health check's drain and resume. */
#ifndef CAIRN_SLURM_H
#define CAIRN_SLURM_H

#include <stddef.h>

#include "conf/nodeconf.h"

#define SLURM_REASON_TAG "cairn:"	/* the health check's drains start so */

struct slurm_node {
	char state[64];		/* IDLE+DRAIN, DOWN*, ... as scontrol shows it */
	char reason[256];	/* without the [user@time] scontrol adds; "" none */
};

enum slurm_action { SLURM_KEEP, SLURM_DRAIN, SLURM_RESUME };

int slurm_slurmd_args(struct nodeconf *c, unsigned ngpu, char *conf, size_t confsz, char **argv,
		      size_t max);
int slurm_node_parse(const char *text, size_t len, struct slurm_node *n);
int slurm_joined(const struct slurm_node *n);
enum slurm_action slurm_health_action(const struct slurm_node *n, int healthy, const char *failure,
				      char *reason, size_t size);

#endif
