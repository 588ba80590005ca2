// probe: starts a server and times exec → first complete HTTP response, then reads the server's RSS.
//
//   probe PORT PATH [PATH...] -- /path/to/server [args...]
//
// The clock starts right before posix_spawn and stops when the whole answer to the first PATH has arrived
// (status line, headers and Content-Length bytes of body). Until the server listens, connect() is refused; the
// loop retries every 20 µs, so the probe neither sleeps through the moment the port opens nor keeps a core busy
// that the starting server could use. After each answer the probe reads VmRSS from /proc/PID/status. Every
// further PATH is requested on the same keep-alive connection. Then the server gets SIGTERM (SIGKILL after 5 s).
//
// Output, one line: ms_to_first_response rss_kib_after_first [rss_kib_after_each_further_path...]
// Each answer's status and body go to stderr, so a wrong answer is visible. Exit status 0 only if every
// answer was 200.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) { kib = strtol(line + 6, NULL, 10); break; }
    fclose(f);
    return kib;
}

// Decodes a complete chunked body in place; returns its length, or -1 while chunks are still missing.
static long dechunk(char *body, size_t len)
{
    size_t in = 0, out = 0;
    for (;;)
    {
        char *eol = memmem(body + in, len - in, "\r\n", 2);
        if (!eol) return -1;
        long size = strtol(body + in, NULL, 16);
        in = eol + 2 - body;
        if (size == 0) return memmem(body + in, len - in, "\r\n", 2) ? (long)out : -1;   // no trailers expected
        if (in + size + 2 > len) return -1;
        memmove(body + out, body + in, size);
        out += size;
        in += size + 2;
    }
}

// Sends GET path and reads one whole response (Content-Length or chunked); returns the status code, or -1.
static int request(int fd, const char *path)
{
    static char buf[65536], scratch[65536];
    int n = snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(fd, buf, n) != n) return -1;
    size_t have = 0;
    long body_length = -1;
    char *body = NULL;
    while (body_length < 0)
    {
        ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
        if (r <= 0) return -1;
        have += r;
        buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        *end = 0;   // headers are searched up to here
        body = end + 4;
        size_t body_have = have - (body - buf);
        char *cl = strcasestr(buf, "\r\ncontent-length:");
        if (cl)
        {
            long want = strtol(cl + 17, NULL, 10);
            if ((long)body_have >= want) body_length = want;
        }
        else if (strcasestr(buf, "\r\ntransfer-encoding: chunked"))
        {
            memcpy(scratch, body, body_have);
            body_length = dechunk(scratch, body_have);
            if (body_length >= 0) memcpy(body, scratch, body_length);
        }
        else return -1;
        *end = '\r';
    }
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    fprintf(stderr, "  %s -> %d %.*s\n", path, status, (int)body_length, body);
    return status;
}

int main(int argc, char **argv)
{
    int sep = 0;
    for (int i = 1; i < argc; i++) if (strcmp(argv[i], "--") == 0) { sep = i; break; }
    if (argc < 5 || sep < 3 || sep == argc - 1)
    {
        fprintf(stderr, "usage: probe PORT PATH [PATH...] -- SERVER [ARGS...]\n");
        return 2;
    }
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);

    pid_t pid;
    double start = now_ms();
    if (posix_spawn(&pid, argv[sep + 1], &actions, NULL, argv + sep + 1, environ) != 0)
    {
        perror("posix_spawn");
        return 2;
    }

    int fd = -1;
    struct timespec pause = { 0, 20 * 1000 };
    for (;;)
    {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) break;
        int err = errno;
        close(fd);
        fd = -1;
        if (err != ECONNREFUSED || now_ms() - start > 10000 || waitpid(pid, NULL, WNOHANG) == pid)
        {
            fprintf(stderr, "probe: no connection (%s)\n", strerror(err));
            kill(pid, SIGKILL);
            return 1;
        }
        nanosleep(&pause, NULL);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    int ok = request(fd, argv[2]) == 200;
    double elapsed = now_ms() - start;
    printf("%.3f %ld", elapsed, rss_kib(pid));
    for (int i = 3; i < sep; i++)
    {
        ok &= request(fd, argv[i]) == 200;
        printf(" %ld", rss_kib(pid));
    }
    printf("\n");
    close(fd);

    kill(pid, SIGTERM);
    for (int i = 0; i < 500 && waitpid(pid, NULL, WNOHANG) == 0; i++) usleep(10000);
    if (waitpid(pid, NULL, WNOHANG) == 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); }
    return ok ? 0 : 1;
}
