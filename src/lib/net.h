/* nook: the sandbox's network.  */
#ifndef NOOK_NET_H
#define NOOK_NET_H

#include "error.h"

/* Brings up the loopback interface of the current network namespace.  */
int nook_net_loopback_up (struct nook_error *err);

#endif
