/* api_signals.h: the signals both API processes wait on with ppoll. */
#ifndef CAIRN_API_SIGNALS_H
#define CAIRN_API_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t api_stopping;

void api_signals(sigset_t *open_mask);

#endif
