/* cmd.h: what pkg's commands share: the global options, the command tables, errors, arguments. */
#ifndef CAIRN_PKG_CMD_H
#define CAIRN_PKG_CMD_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "db.h"
#include "format.h"
#include "repo.h"
#include "txn.h"

/* The options before the command, every command's (doc/pkg.md, SYNOPSIS). */
struct pkg_opts {
	const char *root, *repo, *trust, *arch, *ca, *cache;
	int json, world, flags, ext;
	struct fetch_limits lim;
};

/* Where a command is listed in the usage. */
enum pkg_section { PKG_SEC_INSTALLED, PKG_SEC_OS, PKG_SEC_MAKE, PKG_SECTIONS };

struct pkg_cmd {
	const char *name;			/* "key new": a subcommand, run by its command */
	int (*run)(struct pkg_opts *o, int argc, char **argv);	/* argv[0] is the command */
	enum pkg_section section;
	const char *help;			/* its lines in the usage; NULL: not listed */
};

/* main.c: every pkg's commands.  cmds_maker.c (the build host's pkg) or
 * cmds_verify_only.c (the image's, each refused): those that make a
 * repository.  Both end with a NULL name. */
extern const struct pkg_cmd pkg_cmds[], pkg_maker_cmds[];
const struct pkg_cmd *pkg_cmd_find(const struct pkg_cmd *table, const char *name);
void pkg_usage(FILE *f);

/* The commands, one file each (cmd_NAME.c; info and files: cmd_show.c). */
int cmd_install(struct pkg_opts *o, int argc, char **argv);
int cmd_upgrade(struct pkg_opts *o, int argc, char **argv);
int cmd_remove(struct pkg_opts *o, int argc, char **argv);
int cmd_list(struct pkg_opts *o, int argc, char **argv);
int cmd_info(struct pkg_opts *o, int argc, char **argv);
int cmd_files(struct pkg_opts *o, int argc, char **argv);
int cmd_owner(struct pkg_opts *o, int argc, char **argv);
int cmd_verify(struct pkg_opts *o, int argc, char **argv);
int cmd_search(struct pkg_opts *o, int argc, char **argv);
int cmd_sbom(struct pkg_opts *o, int argc, char **argv);
int cmd_audit(struct pkg_opts *o, int argc, char **argv);
int cmd_os_install(struct pkg_opts *o, int argc, char **argv);
int cmd_os_update(struct pkg_opts *o, int argc, char **argv);
int cmd_key(struct pkg_opts *o, int argc, char **argv);
/* The build host's only (cmds_maker.c). */
int cmd_build(struct pkg_opts *o, int argc, char **argv);
int cmd_index(struct pkg_opts *o, int argc, char **argv);
int cmd_bundle(struct pkg_opts *o, int argc, char **argv);
int cmd_release(struct pkg_opts *o, int argc, char **argv);
int cmd_root(struct pkg_opts *o, int argc, char **argv);
int cmd_sign(struct pkg_opts *o, int argc, char **argv);
int cmd_key_new(struct pkg_opts *o, int argc, char **argv);

/* Every command takes these after it too, as before it. */
enum { CMD_OPT_JSON = 0x100, CMD_OPT_WORLD };
#define CMD_COMMON_OPTS { "json", no_argument, NULL, CMD_OPT_JSON }, \
	{ "world", no_argument, NULL, CMD_OPT_WORLD }
#define CMD_OPTS_END { NULL, 0, NULL, 0 }

/* A command's arguments, read with cmd_getopt: options anywhere among the
 * operands, which end up in order at argv[1..n] (argv keeps every one). */
struct cmd_args {
	struct pkg_opts *o;
	int argc;
	char **argv;
	int n;					/* operands so far */
	int rest;				/* after "--": operands only */
};

void cmd_args_init(struct cmd_args *a, struct pkg_opts *o, int argc, char **argv);
int cmd_getopt(struct cmd_args *a, const char *shortopts, const struct option *longopts);
int cmd_operands(struct pkg_opts *o, int argc, char **argv);
unsigned long long cmd_number(const char *opt, const char *v);
unsigned long long cmd_when(const char *opt, const char *v);

void cmd_die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void cmd_fail(const struct perr *e) __attribute__((noreturn));
void cmd_wrong_args(const char *cmd) __attribute__((noreturn));
void cmd_usage_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* A JSON string: quotes and backslashes escaped, control bytes as \u00XX. */
void cmd_json_str(const char *s);
void cmd_json_ident(const struct pkg_meta *m);
const char *cmd_op_text(enum pkg_op op);
int cmd_ends_with(const char *s, const char *tail);

int cmd_open_root(const struct pkg_opts *o);
void cmd_open_txn(const struct pkg_opts *o, struct txn *t, int readonly);
const struct repo_opts *cmd_repo_opts(const struct pkg_opts *o);
void cmd_open_repo(const struct pkg_opts *o, const char *cmd, struct txn *t, struct repo *r);
int cmd_os_state_open(void);
const char **cmd_world_edit(const struct db *db, char **names, size_t n, int add, size_t *count);

#endif
