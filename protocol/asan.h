/* Whether this build runs under AddressSanitizer (gcc says so with __SANITIZE_ADDRESS__, clang
 * through __has_feature), and memory poisoning for code that recycles memory itself: a recycled
 * block is poisoned while it waits, so a use after its release is still reported. */
#ifndef WD_ASAN_H
#define WD_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define WD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WD_ASAN 1
#endif
#endif
#ifndef WD_ASAN
#define WD_ASAN 0
#endif

#if WD_ASAN
#include <sanitizer/asan_interface.h>
#define WD_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define WD_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define WD_POISON(p, n) ((void)(p), (void)(n))
#define WD_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
