/*
 * fork-helper.h - run a piece of a test in a child process.
 *
 * For the paths that must end the process (checked casts that abort,
 * &error_fatal, ...): fork_run() runs @fn in a child with stderr captured,
 * and returns the child's wait status; the child exits 0 if @fn returns.
 * fork_aborted() and fork_exited_with() read that status.
 */
#ifndef TESTS_UNIT_FORK_HELPER_H
#define TESTS_UNIT_FORK_HELPER_H

#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdbool.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Returns the wait status; *err receives what the child wrote to stderr
 * (g_free it).  Core dumps are disabled in the child: aborts are expected. */
static inline int fork_run(void (*fn)(void), char **err)
{
    int pipefd[2];
    GString *out = g_string_new(NULL);
    char buf[512];
    ssize_t n;
    int status = -1;
    pid_t pid;

    if (pipe(pipefd) < 0) {
        abort();
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        struct rlimit no_core = { 0, 0 };

        setrlimit(RLIMIT_CORE, &no_core);
        close(pipefd[0]);
        dup2(pipefd[1], STDERR_FILENO);
        /* ASan would print its own report on abort(); we only want ours */
        signal(SIGABRT, SIG_DFL);
        fn();
        fflush(stderr);
        _exit(0);
    }
    close(pipefd[1]);
    while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) {
        g_string_append_len(out, buf, n);
    }
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    *err = g_string_free(out, false);
    return status;
}

/* True if wait status @status is a death by SIGABRT (assert, abort). */
static inline bool fork_aborted(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* True if wait status @status is exit(@code). */
static inline bool fork_exited_with(int status, int code)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

#endif /* TESTS_UNIT_FORK_HELPER_H */
