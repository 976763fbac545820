/* slurmnode_fuzz.c: scontrol's node line on any bytes: a state and a
 * reason that are strings within their fields, a reason that never holds
 * scontrol's " [user@time]" tail, and health decisions that follow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/slurm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slurm_node n;
	char reason[300];
	enum slurm_action a;

	if (slurm_node_parse((const char *)data, size, &n) < 0)
		return 0;
	if (memchr(n.state, '\0', sizeof n.state) == NULL || memchr(n.reason, '\0', sizeof n.reason) == NULL ||
	    n.state[0] == '\0' || strchr(n.state, ' ') != NULL || strstr(n.reason, " [") != NULL)
		abort();
	a = slurm_health_action(&n, 1, "", reason, sizeof reason);
	if (a == SLURM_DRAIN)
		abort();			/* healthy never drains */
	a = slurm_health_action(&n, 0, "x: y", reason, sizeof reason);
	if (a == SLURM_RESUME)
		abort();			/* unhealthy never resumes */
	slurm_joined(&n);
	return 0;
}
