/* runpaths.h: what the agent leaves in /run/cairn for the other programs
 * (a contract between components: only root writes there). */
#ifndef CAIRN_RUNPATHS_H
#define CAIRN_RUNPATHS_H

#define CAIRN_RUN "/run/cairn"			/* node.conf, node.conf.origin, secrets/ */
#define CAIRN_RUN_CDI_ENV_MARK "cdi-devices-env"	/* [gpu] cdi-devices-env = yes */

#endif
