// WASI preview 1 edge cases, called directly through <wasi/api.h> on the preopen "/data" (fd 3),
// which must hold a file "f" (11 bytes), a directory "sub" and a file "sub/g" (4 bytes).
// Prints one line "<case> <errno>" per call; the test compares them with the expected errnos.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define DATA 3
#define ALL ((__wasi_rights_t)((1u << 30) - 1))

static void report(const char *name, __wasi_errno_t errno_value) { printf("%s %u\n", name, (unsigned)errno_value); }

static __wasi_errno_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags, __wasi_rights_t base,
                              __wasi_rights_t inheriting, __wasi_fd_t *fd) {
    return __wasi_path_open(dir, 0, path, oflags, base, inheriting, 0, fd);
}

static __wasi_errno_t read_some(__wasi_fd_t fd) {
    char buffer[4];
    __wasi_iovec_t vector = {(uint8_t *)buffer, sizeof buffer};
    __wasi_size_t count;
    return __wasi_fd_read(fd, &vector, 1, &count);
}

static __wasi_errno_t exists(const char *path) {
    __wasi_filestat_t stat;
    return __wasi_path_filestat_get(DATA, 0, path, &stat);
}

int main(void) {
    // Symbolic links may not point at absolute paths or climb out of the preopen.
    report("symlink_absolute", __wasi_path_symlink("/etc/passwd", DATA, "pw"));
    report("symlink_absolute_left_nothing", exists("pw"));
    report("symlink_parent", __wasi_path_symlink("..", DATA, "dd"));
    report("symlink_climbing", __wasi_path_symlink("sub/../../x", DATA, "up"));
    report("symlink_climbing_from_sub", __wasi_path_symlink("../../x", DATA, "sub/deep"));
    report("symlink_inside_from_sub", __wasi_path_symlink("../f", DATA, "sub/back"));
    report("symlink_inside", __wasi_path_symlink("sub/..", DATA, "here"));
    report("symlink_dangling_inside", __wasi_path_symlink("later/x", DATA, "later-link"));

    // Trailing slashes on a new name.
    report("symlink_trailing_slash_new", __wasi_path_symlink("f", DATA, "ls/"));
    report("symlink_trailing_slash_existing", __wasi_path_symlink("f", DATA, "sub/"));
    report("link_trailing_slash_new", __wasi_path_link(DATA, 0, "f", DATA, "lk/"));
    report("link_trailing_slash_source", __wasi_path_link(DATA, 0, "f/", DATA, "lk2"));
    report("link_trailing_slash_left_nothing", exists("lk"));

    // Reopening the preopen with the rights it reports.
    __wasi_fdstat_t preopen;
    report("preopen_fdstat", __wasi_fd_fdstat_get(DATA, &preopen));
    __wasi_fd_t again;
    report("reopen_preopen", open_at(DATA, ".", 0, preopen.fs_rights_base, preopen.fs_rights_inheriting, &again));
    report("reopen_preopen_directory", open_at(DATA, ".", __WASI_OFLAGS_DIRECTORY, preopen.fs_rights_base,
                                               preopen.fs_rights_inheriting, &again));

    // Dropped rights are honoured on a file.
    __wasi_fd_t file;
    report("open_file", open_at(DATA, "f", 0, ALL, ALL, &file));
    __wasi_rights_t dropped = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                              __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
    __wasi_fdstat_t stat;
    report("file_fdstat_before", __wasi_fd_fdstat_get(file, &stat));
    report("file_has_rights", (stat.fs_rights_base & dropped) == dropped ? 0 : 1);
    __wasi_rights_t file_rights = stat.fs_rights_base;
    report("drop_file_rights", __wasi_fd_fdstat_set_rights(file, file_rights & ~dropped, 0));
    report("file_fdstat", __wasi_fd_fdstat_get(file, &stat));
    report("file_rights_dropped", (stat.fs_rights_base & dropped) == 0 ? 0 : 1);
    report("read_without_right", read_some(file));
    __wasi_filesize_t position;
    report("seek_without_right", __wasi_fd_seek(file, 0, __WASI_WHENCE_SET, &position));
    report("tell_without_right", __wasi_fd_tell(file, &position));
    report("set_size_without_right", __wasi_fd_filestat_set_size(file, 0));
    report("add_right_back", __wasi_fd_fdstat_set_rights(file, file_rights, 0));
    __wasi_filestat_t info;
    report("file_filestat", __wasi_path_filestat_get(DATA, 0, "f", &info));
    report("file_not_truncated", info.size == 11 ? 0 : 1);

    // ... and on a directory.
    __wasi_fd_t sub;
    report("open_sub", open_at(DATA, "sub", __WASI_OFLAGS_DIRECTORY, preopen.fs_rights_base, preopen.fs_rights_inheriting, &sub));
    report("seek_directory", __wasi_fd_seek(sub, 0, __WASI_WHENCE_SET, &position));
    report("read_directory", read_some(sub));
    report("sub_fdstat", __wasi_fd_fdstat_get(sub, &stat));
    report("drop_truncate_right",
           __wasi_fd_fdstat_set_rights(sub, stat.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE, stat.fs_rights_inheriting));
    __wasi_fd_t g;
    report("truncate_without_right", open_at(sub, "g", __WASI_OFLAGS_TRUNC, ALL, ALL, &g));
    report("g_filestat", __wasi_path_filestat_get(DATA, 0, "sub/g", &info));
    report("g_not_truncated", info.size == 4 ? 0 : 1);
    report("drop_inherited_read",
           __wasi_fd_fdstat_set_rights(sub, stat.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
                                       stat.fs_rights_inheriting & ~__WASI_RIGHTS_FD_READ));
    report("open_without_inherited_read", open_at(sub, "g", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, &g));
    report("read_without_inherited_read", read_some(g));
    report("drop_readdir", __wasi_fd_fdstat_set_rights(sub, 0, 0));
    char listing[256];
    __wasi_size_t used;
    report("readdir_without_right", __wasi_fd_readdir(sub, (uint8_t *)listing, sizeof listing, 0, &used));
    report("open_without_path_open", open_at(sub, "g", 0, 0, 0, &g));

    // Sockets: there are none.
    report("sock_shutdown_bad_fd", __wasi_sock_shutdown(99, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
    report("sock_shutdown_file", __wasi_sock_shutdown(file, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
    report("sock_shutdown_directory", __wasi_sock_shutdown(DATA, __WASI_SDFLAGS_WR));
    report("sock_shutdown_stdout", __wasi_sock_shutdown(1, __WASI_SDFLAGS_RD));
    printf("done\n");
    return 0;
}
