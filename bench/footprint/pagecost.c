// What a fresh page costs on this machine: maps anonymous memory and writes one byte per 4 KiB page, the way a
// starting process touches its data, heap and stacks for the first time. Prints microseconds per page.
// Usage: pagecost [PAGES] (default 1000); run it a few times, the first run after boot differs.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    long pages = argc > 1 ? atol(argv[1]) : 1000;
    char *memory = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return 1;
    double start = now_us();
    for (long i = 0; i < pages; i++) memory[i * 4096] = 1;
    double elapsed = now_us() - start;
    printf("%ld fresh pages: %.0f us, %.2f us per page\n", pages, elapsed, elapsed / pages);
    return 0;
}
