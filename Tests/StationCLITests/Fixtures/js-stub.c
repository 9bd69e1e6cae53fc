/* A stand-in for the station-js engine module, to test how station runs JavaScript modules
 * (JSModuleTests): it prints what it was given instead of running the script.
 *
 *   argv: station-js ENTRY ARGS...   printed one per line as "argv[i]=..."
 *   env:  STATION_ID, FIL_WALLET_ADDRESS and GREETING printed as "env NAME=..." (or "unset")
 *   /:    the names in the module's root, sorted, as "root: a b c"
 *   the entry file, read through "/", printed after "entry:"
 *   a write into "/" and a read of "/../outside" must both be refused ("write /: refused" etc.);
 *   with a /data directory, a 5-byte file is written there ("write /data: allowed")
 *   an entry whose first line is "exit N" ends with proc_exit(N); "throw" prints a fake stack on
 *   stderr and exits 1, as the engine does for an uncaught exception.
 *
 * Built for wasm32-wasi by the test (clang-19 with the sysroot of scripts/build-examples). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_env(const char *name) {
    const char *value = getenv(name);
    printf("env %s=%s\n", name, value ? value : "unset");
}

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    print_env("STATION_ID");
    print_env("FIL_WALLET_ADDRESS");
    print_env("GREETING");

    DIR *dir = opendir("/");
    if (!dir) {
        printf("root: cannot open / (%s)\n", strerror(errno));
        return 3;
    }
    char *names[256];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < 256) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], compare);
    printf("root:");
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");

    if (argc < 2) return 4;
    char path[1024];
    snprintf(path, sizeof path, "/%s", argv[1]);
    FILE *file = fopen(path, "r");
    if (!file) {
        printf("entry: cannot open %s (%s)\n", path, strerror(errno));
        return 5;
    }
    char text[4096];
    size_t length = fread(text, 1, sizeof text - 1, file);
    text[length] = 0;
    fclose(file);
    printf("entry:%s", text);
    if (length == 0 || text[length - 1] != '\n') printf("\n");

    int fd = open("/station-js-stub-wrote-this", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        printf("write /: allowed\n");
        close(fd);
    } else {
        printf("write /: refused (%s)\n", strerror(errno));
    }
    /* With a writable /data (--dir HOST::/data), a small file must fit its storage quota. */
    DIR *data = opendir("/data");
    if (data) {
        closedir(data);
        fd = open("/data/note.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ssize_t written = write(fd, "note\n", 5);
            printf("write /data: %s\n", written == 5 ? "allowed" : strerror(errno));
            close(fd);
        } else {
            printf("write /data: refused (%s)\n", strerror(errno));
        }
    }
    fd = open("/../outside", O_RDONLY);
    printf("read /../outside: %s\n", fd >= 0 ? "allowed" : "refused");
    if (fd >= 0) close(fd);
    fflush(stdout);

    if (strncmp(text, "exit ", 5) == 0) return atoi(text + 5);
    if (strncmp(text, "throw", 5) == 0) {
        fprintf(stderr, "Error: boom\n    at <anonymous> (/%s:1:7)\n", argv[1]);
        return 1;
    }
    return 0;
}
