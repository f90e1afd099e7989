#ifndef NOOK_CHECK_H
#define NOOK_CHECK_H
#endif
