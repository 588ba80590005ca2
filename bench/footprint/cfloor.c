// The machine's floor: a C program that binds, listens and answers every read with a fixed response, one connection
// at a time. What exec, the dynamic loader and the first page faults cost on this machine, with no runtime at all.
// Usage: cfloor --urls http://127.0.0.1:PORT (the argument the other apps of the benchmark take).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *url = argc > 2 ? argv[2] : "http://127.0.0.1:8080";
    const char *colon = strrchr(url, ':');
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(colon + 1)) };
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 512) != 0) return 1;
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
    char buffer[4096];
    for (;;)
    {
        int connection = accept(listener, NULL, NULL);
        if (connection < 0) continue;
        while (read(connection, buffer, sizeof buffer) > 0)
            if (write(connection, answer, sizeof answer - 1) < 0) break;
        close(connection);
    }
}
