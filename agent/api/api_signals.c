/* api_signals.c: SIGTERM and SIGINT ask a serving loop to stop, SIGCHLD
 * wakes it to reap; all three are blocked but for the loop's ppoll (the
 * mask it gets), so none is lost between a check and the wait. */
#include <signal.h>
#include <stddef.h>

#include "api/api_signals.h"

volatile sig_atomic_t api_stopping;

static void on_term(int sig)
{
	(void)sig;
	api_stopping = 1;
}

static void on_child(int sig)
{
	(void)sig;
}

/* api_signals: the handlers in place, the three blocked; OPEN_MASK is
 * the mask to wait with. */
void api_signals(sigset_t *open_mask)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, open_mask);
	sigdelset(open_mask, SIGTERM);
	sigdelset(open_mask, SIGINT);
	sigdelset(open_mask, SIGCHLD);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
