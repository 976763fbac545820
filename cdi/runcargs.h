/* runcargs.h: the parts of runc's command line the CDI shim needs. */
#ifndef CAIRN_RUNCARGS_H
#define CAIRN_RUNCARGS_H

struct runc_args {
	const char *command;	/* create, run, start, ...; NULL: none */
	const char *bundle;	/* --bundle/-b of create and run; NULL: the cwd */
	const char *log;	/* --log FILE */
	int log_json;		/* --log-format json */
};

int runc_args_parse(int argc, char *const argv[], struct runc_args *a);

#endif
