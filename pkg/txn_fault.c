/* txn_fault.c: the fault points the crash tests drive through a transaction (PKG_FAULT_AT). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "txn_int.h"

/* Tests only (-DPKG_FAULTS): elsewhere no point ever fails. */
#ifdef PKG_FAULTS
static long fault_at = -1, fault_count;
static int fault_kill;

void txn_fault_setup(void)
{
	const char *at = getenv("PKG_FAULT_AT");

	fault_at = at != NULL ? atol(at) : -1;
	fault_kill = getenv("PKG_FAULT_KILL") != NULL;
	fault_count = 0;
}

/* Every write, rename and sync of a transaction passes here first. */
int txn_fault(void)
{
	if (++fault_count != fault_at)
		return 0;
	if (fault_kill)
		raise(SIGKILL);
	errno = EIO;
	return -1;
}

void txn_fault_report(void)
{
	if (fault_at >= 0)
		fprintf(stderr, "pkg: fault points: %ld\n", fault_count);
}
#else
void txn_fault_setup(void)
{
}

int txn_fault(void)
{
	return 0;
}

void txn_fault_report(void)
{
}
#endif
