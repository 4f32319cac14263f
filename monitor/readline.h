/*
 * readline.h - HMP's line editor, private to monitor/ (QEMU 7.2's
 * util/readline.c): echo, cursor movement (arrows, ^A ^E, Home/End),
 * backspace/delete, ^W, history (up/down, ^P ^N), with QEMU's redraw
 * sequences, so a terminal sees what it sees with QEMU.
 * Not modelled: tab completion, ^L, password entry.
 */
#ifndef MONITOR_READLINE_H
#define MONITOR_READLINE_H

#include "util/osdep.h"

#define READLINE_CMD_BUF_SIZE 4095
#define READLINE_MAX_CMDS 64

typedef struct ReadLineState ReadLineState;
typedef void ReadLinePrintfFunc(void *opaque, const char *text);
typedef void ReadLineFunc(void *opaque, const char *line);

/* @print writes text (already formatted) to the terminal; @func gets
 * each completed line. */
ReadLineState *readline_init(ReadLinePrintfFunc *print, ReadLineFunc *func,
                             void *opaque, const char *prompt);
void readline_free(ReadLineState *rs);
/* Feed one input byte. */
void readline_handle_byte(ReadLineState *rs, int ch);
/* Print the prompt and start a new line. */
void readline_show_prompt(ReadLineState *rs);
/* Forget a half-typed line (a new client). */
void readline_restart(ReadLineState *rs);

#endif /* MONITOR_READLINE_H */
