/* cmd.h: cairn-agent's commands, one file each (cmd_NAME.c), and what they share (cmd.c). */
#ifndef CAIRN_AGENT_CMD_H
#define CAIRN_AGENT_CMD_H

#include <getopt.h>
#include <stddef.h>

#include "conf/nodeconf.h"
#include "conf/setup.h"
#include "health/health.h"

#define DEFAULT_CONFIG SETUP_CONFIG

/* The options several commands take (vals for cli_getopt: never '?' or ':'). */
#define OPT_CONFIG { "config", required_argument, NULL, 'c' }
#define OPT_ROOT { "root", required_argument, NULL, 'r' }
#define OPT_KMSG { "kmsg", required_argument, NULL, 'k' }
#define OPT_NOTIFY { "notify", required_argument, NULL, 'n' }
#define OPT_WAIT { "wait", required_argument, NULL, 'w' }
#define OPT_END { NULL, 0, NULL, 0 }

/* Each takes argv[0] its name, and returns the exit code (cli.h). */
int cmd_setup(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_ntpd(int argc, char **argv);
int cmd_kubelet(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_slurm(int argc, char **argv);
int cmd_os(int argc, char **argv);
int cmd_data(int argc, char **argv);

/* cmd.c */
extern const struct health_opts agent_health_defaults;
int agent_conf_load(struct nodeconf *c, const char *path, int explicit, const char *what);
int agent_conf_or_defaults(struct nodeconf *c, const char *path, int explicit);
int agent_kmsg_read(const char *cmd, const char *path, char **text, size_t *len);
int agent_health(const char *config, int explicit, struct health_opts *o, const char *kmsg, struct health *h);

#endif
