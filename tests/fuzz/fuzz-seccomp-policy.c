/* libFuzzer target: the seccomp policy reader (JSON with json-c, then the
   rules through libseccomp, then the BPF export).  Every input must end in
   a program or in an error message, never in a crash, a leak or a hang.  */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <seccomp.h>

#include "lib/caps.h"
#include "lib/seccomp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Every filter context made must be released: counted here, because the
   leak checker is told to ignore libseccomp's own allocations (see
   lsan.supp).  Linked with -Wl,--wrap=seccomp_init,--wrap=seccomp_release
   and --wrap=seccomp_merge, which releases the context it merges in.  */
scmp_filter_ctx __real_seccomp_init (uint32_t def_action);
void __real_seccomp_release (scmp_filter_ctx ctx);
int __real_seccomp_merge (scmp_filter_ctx dst, scmp_filter_ctx src);
scmp_filter_ctx __wrap_seccomp_init (uint32_t def_action);
void __wrap_seccomp_release (scmp_filter_ctx ctx);
int __wrap_seccomp_merge (scmp_filter_ctx dst, scmp_filter_ctx src);
static long live_contexts;

scmp_filter_ctx
__wrap_seccomp_init (uint32_t def_action)
{
  scmp_filter_ctx ctx = __real_seccomp_init (def_action);
  live_contexts += ctx != NULL;
  return ctx;
}

void
__wrap_seccomp_release (scmp_filter_ctx ctx)
{
  live_contexts -= ctx != NULL;
  __real_seccomp_release (ctx);
}

int
__wrap_seccomp_merge (scmp_filter_ctx dst, scmp_filter_ctx src)
{
  int r = __real_seccomp_merge (dst, src);

  live_contexts -= r == 0;
  return r;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The input's length picks what includes and excludes are decided by,
     so both sides of every condition are reached.  */
  struct nook_seccomp_params params = {
    (size & 1) ? nook_caps_all () : nook_caps_default (),
    (size & 2) != 0,
  };
  struct nook_error err = { 0 };
  struct nook_bpf bpf;

  if (nook_seccomp_compile ((const char *)data, size, "fuzz.json", &params, &bpf, &err) == 0)
    nook_bpf_free (&bpf);
  else if (err.msg == NULL)
    abort (); /* a failure must say why */
  nook_error_release (&err);
  if (live_contexts != 0)
    abort (); /* a filter context was not released */
  return 0;
}
