// The calling thread's stack bounds (glibc's pthread_getattr_np needs _GNU_SOURCE, which Swift's
// Glibc module does not define).
#define _GNU_SOURCE
#include "cwasmtime.h"

#include <pthread.h>

uintptr_t cwt_current_thread_stack_low(void) {
#if defined(__linux__)
  pthread_attr_t attributes;
  if (pthread_getattr_np(pthread_self(), &attributes) != 0) return 0;
  void *address = NULL;
  size_t size = 0;
  int status = pthread_attr_getstack(&attributes, &address, &size);
  pthread_attr_destroy(&attributes);
  return status == 0 ? (uintptr_t)address : 0;
#else
  return 0;
#endif
}
