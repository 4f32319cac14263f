/*
 * cmdline-helper.h - run a qomu command line in a child process, as
 * main() would run it, and catch its exit status, stdout and stderr
 * (test-options.c, test-drive.c).
 *
 * The child parses the options, finishes them, builds the machine (when
 * the command line gets that far) and tears it down, without the main
 * loop: a machine that gets built counts as success (status 0).
 *
 *   static Run run_args(const char *first, ...)
 *   {
 *       va_list ap;
 *       Run r;
 *
 *       va_start(ap, first);
 *       r = run_args_va(NULL, NULL, first, ap);
 *       va_end(ap);
 *       return r;
 *   }
 */
#ifndef TESTS_UNIT_CMDLINE_HELPER_H
#define TESTS_UNIT_CMDLINE_HELPER_H

#include "util/osdep.h"
#include "util/bql.h"
#include "util/main-loop.h"
#include "machine/machine-init.h"
#include "system/options.h"

#include <sys/wait.h>

typedef struct Run {
    int status;                 /* exit status, or -1 if killed */
    char *out;                  /* stdout */
    char *err;                  /* stderr */
} Run;

/* main() without the main loop. */
static inline int run_child_main(int argc, char **argv)
{
    QomuOptions o;
    int status;

    error_init("qomu");
    main_loop_init();
    qomu_options_init(&o);
    status = qomu_options_parse(&o, argc, argv);
    if (status < 0) {
        status = qomu_options_finish(&o) ? -1 : 1;
    }
    if (status < 0) {
        bql_lock();
        status = qomu_machine_init(&o);
        qomu_machine_teardown();
        bql_unlock();
        status = status < 0 ? 0 : status;
    }
    qomu_options_free(&o);
    return status;
}

static inline char *run_read_and_unlink(const char *path)
{
    char *text = NULL;

    g_file_get_contents(path, &text, NULL, NULL);
    unlink(path);
    return text ? text : g_strdup("");
}

/*
 * run_args_va: "qomu PREFIX... ARGS..." in a child process: @prefix a
 * NULL-terminated array of arguments (or NULL), then @first and the
 * rest of @ap up to a NULL.  The child runs in @dir (NULL: this
 * process's working directory; exit status 99 if it cannot go there).
 */
static inline Run run_args_va(const char *dir, const char *const *prefix,
                              const char *first, va_list ap)
{
    char out_path[] = "/tmp/qomu-run-out-XXXXXX";
    char err_path[] = "/tmp/qomu-run-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    Run r = { .status = -1 };
    int wstatus;
    pid_t pid;

    g_ptr_array_add(args, "qomu");
    for (; prefix && *prefix; prefix++) {
        g_ptr_array_add(args, (char *)*prefix);
    }
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(args, (char *)a);
    }
    g_ptr_array_add(args, NULL);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        int status;

        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        if (dir && chdir(dir) < 0) {
            _exit(99);
        }
        status = run_child_main(args->len - 1, (char **)args->pdata);
        fflush(stdout);
        fflush(stderr);
        _exit(status);
    }
    close(out_fd);
    close(err_fd);
    waitpid(pid, &wstatus, 0);
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    r.out = run_read_and_unlink(out_path);
    r.err = run_read_and_unlink(err_path);
    return r;
}

static inline void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

#endif /* TESTS_UNIT_CMDLINE_HELPER_H */
