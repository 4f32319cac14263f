/*
 * readline.c - HMP's line editor (QEMU 7.2's util/readline.c, without
 * completion).  See readline.h.
 *
 * After every byte the line is redrawn as QEMU does it: cursor back to
 * the start of the line, the whole line, erase-to-end ("\033[K"), then
 * the cursor moved to its place.  Unchanged lines are not redrawn.
 */
#include "util/osdep.h"
#include "readline.h"

enum { IS_NORM, IS_ESC, IS_CSI, IS_SS3 };

struct ReadLineState {
    char cmd_buf[READLINE_CMD_BUF_SIZE + 1];
    int cmd_buf_index;          /* cursor */
    int cmd_buf_size;
    char last_cmd_buf[READLINE_CMD_BUF_SIZE + 1];
    int last_cmd_buf_index;     /* what the terminal shows */
    int last_cmd_buf_size;
    int esc_state;
    int esc_param;
    char *history[READLINE_MAX_CMDS];
    int hist_entry;             /* -1: not browsing */
    char *prompt;
    ReadLinePrintfFunc *print;
    ReadLineFunc *func;
    void *opaque;
};

static void rl_print(ReadLineState *rs, const char *s)
{
    rs->print(rs->opaque, s);
}

static void readline_update(ReadLineState *rs)
{
    g_autoptr(GString) out = g_string_new(NULL);
    int delta;

    if (rs->cmd_buf_size != rs->last_cmd_buf_size ||
        memcmp(rs->cmd_buf, rs->last_cmd_buf, rs->cmd_buf_size)) {
        for (int i = 0; i < rs->last_cmd_buf_index; i++) {
            g_string_append(out, "\033[D");
        }
        rs->cmd_buf[rs->cmd_buf_size] = '\0';
        g_string_append(out, rs->cmd_buf);
        g_string_append(out, "\033[K");
        memcpy(rs->last_cmd_buf, rs->cmd_buf, rs->cmd_buf_size);
        rs->last_cmd_buf_size = rs->cmd_buf_size;
        rs->last_cmd_buf_index = rs->cmd_buf_size;
    }
    if (rs->cmd_buf_index != rs->last_cmd_buf_index) {
        delta = rs->cmd_buf_index - rs->last_cmd_buf_index;
        for (int i = 0; i < abs(delta); i++) {
            g_string_append(out, delta > 0 ? "\033[C" : "\033[D");
        }
        rs->last_cmd_buf_index = rs->cmd_buf_index;
    }
    if (out->len) {
        rl_print(rs, out->str);
    }
}

static void readline_insert_char(ReadLineState *rs, int ch)
{
    if (rs->cmd_buf_size < READLINE_CMD_BUF_SIZE) {
        memmove(rs->cmd_buf + rs->cmd_buf_index + 1,
                rs->cmd_buf + rs->cmd_buf_index,
                rs->cmd_buf_size - rs->cmd_buf_index);
        rs->cmd_buf[rs->cmd_buf_index] = ch;
        rs->cmd_buf_size++;
        rs->cmd_buf_index++;
    }
}

static void readline_delete_char(ReadLineState *rs)
{
    if (rs->cmd_buf_index < rs->cmd_buf_size) {
        memmove(rs->cmd_buf + rs->cmd_buf_index,
                rs->cmd_buf + rs->cmd_buf_index + 1,
                rs->cmd_buf_size - rs->cmd_buf_index - 1);
        rs->cmd_buf_size--;
    }
}

static void readline_backspace(ReadLineState *rs)
{
    if (rs->cmd_buf_index > 0) {
        rs->cmd_buf_index--;
        readline_delete_char(rs);
    }
}

/* ^W: delete the word before the cursor. */
static void readline_backword(ReadLineState *rs)
{
    int start = rs->cmd_buf_index - 1;

    if (rs->cmd_buf_index == 0 || rs->cmd_buf_index > rs->cmd_buf_size) {
        return;
    }
    while (start >= 0 && g_ascii_isspace(rs->cmd_buf[start])) {
        start--;
    }
    while (start >= 0 && !g_ascii_isspace(rs->cmd_buf[start])) {
        start--;
    }
    start++;
    memmove(rs->cmd_buf + start, rs->cmd_buf + rs->cmd_buf_index,
            rs->cmd_buf_size - rs->cmd_buf_index);
    rs->cmd_buf_size -= rs->cmd_buf_index - start;
    rs->cmd_buf_index = start;
}

static void readline_set_line(ReadLineState *rs, const char *line)
{
    int len = strlen(line);

    memcpy(rs->cmd_buf, line, len);
    rs->cmd_buf_size = rs->cmd_buf_index = len;
}

static void readline_up_char(ReadLineState *rs)
{
    int idx;

    if (rs->hist_entry == 0) {
        return;
    }
    if (rs->hist_entry == -1) {
        /* Find the first free slot: the newest entry is just before. */
        for (idx = 0; idx < READLINE_MAX_CMDS && rs->history[idx]; idx++) {
        }
        rs->hist_entry = idx;
    }
    rs->hist_entry--;
    if (rs->hist_entry >= 0) {
        readline_set_line(rs, rs->history[rs->hist_entry]);
    }
}

static void readline_down_char(ReadLineState *rs)
{
    if (rs->hist_entry == -1) {
        return;
    }
    if (rs->hist_entry < READLINE_MAX_CMDS - 1 &&
        rs->history[++rs->hist_entry]) {
        readline_set_line(rs, rs->history[rs->hist_entry]);
    } else {
        rs->cmd_buf[0] = 0;
        rs->cmd_buf_index = rs->cmd_buf_size = 0;
        rs->hist_entry = -1;
    }
}

/* QEMU's readline_hist_add(): a repeated line moves to the end; a full
 * history drops its oldest entry. */
static void readline_hist_add(ReadLineState *rs, const char *line)
{
    int idx;

    if (!line[0]) {
        return;
    }
    for (idx = 0; idx < READLINE_MAX_CMDS && rs->history[idx]; idx++) {
        if (!strcmp(rs->history[idx], line)) {
            char *hist = rs->history[idx];

            memmove(&rs->history[idx], &rs->history[idx + 1],
                    (READLINE_MAX_CMDS - (idx + 1)) * sizeof(char *));
            rs->history[READLINE_MAX_CMDS - 1] = NULL;
            for (; idx < READLINE_MAX_CMDS && rs->history[idx]; idx++) {
            }
            rs->history[idx] = hist;
            rs->hist_entry = -1;
            return;
        }
    }
    if (idx == READLINE_MAX_CMDS) {
        g_free(rs->history[0]);
        memmove(rs->history, &rs->history[1],
                (READLINE_MAX_CMDS - 1) * sizeof(char *));
        rs->history[READLINE_MAX_CMDS - 1] = NULL;
        idx = READLINE_MAX_CMDS - 1;
    }
    rs->history[idx] = g_strdup(line);
    rs->hist_entry = -1;
}

static void readline_enter(ReadLineState *rs)
{
    rs->cmd_buf[rs->cmd_buf_size] = '\0';
    readline_hist_add(rs, rs->cmd_buf);
    rl_print(rs, "\n");
    rs->cmd_buf_index = 0;
    rs->cmd_buf_size = 0;
    rs->last_cmd_buf_index = 0;
    rs->last_cmd_buf_size = 0;
    rs->func(rs->opaque, rs->cmd_buf);
}

static void readline_handle_norm(ReadLineState *rs, int ch)
{
    switch (ch) {
    case 1:                     /* ^A */
        rs->cmd_buf_index = 0;
        break;
    case 4:                     /* ^D */
        readline_delete_char(rs);
        break;
    case 5:                     /* ^E */
        rs->cmd_buf_index = rs->cmd_buf_size;
        break;
    case 10:
    case 13:
        readline_enter(rs);
        break;
    case 14:                    /* ^N */
        readline_down_char(rs);
        break;
    case 16:                    /* ^P */
        readline_up_char(rs);
        break;
    case 23:                    /* ^W */
        readline_backword(rs);
        break;
    case 27:
        rs->esc_state = IS_ESC;
        break;
    case 127:
    case 8:
        readline_backspace(rs);
        break;
    case 155:
        rs->esc_state = IS_CSI;
        break;
    default:
        if (ch >= 32) {
            readline_insert_char(rs, ch);
        }
        break;
    }
}

static void readline_handle_csi(ReadLineState *rs, int ch)
{
    switch (ch) {
    case 'A':
    case 'F':
        readline_up_char(rs);
        break;
    case 'B':
    case 'E':
        readline_down_char(rs);
        break;
    case 'D':
        if (rs->cmd_buf_index > 0) {
            rs->cmd_buf_index--;
        }
        break;
    case 'C':
        if (rs->cmd_buf_index < rs->cmd_buf_size) {
            rs->cmd_buf_index++;
        }
        break;
    case '0' ... '9':
        rs->esc_param = rs->esc_param * 10 + (ch - '0');
        return;                 /* still in the sequence */
    case '~':
        if (rs->esc_param == 1) {
            rs->cmd_buf_index = 0;
        } else if (rs->esc_param == 3) {
            readline_delete_char(rs);
        } else if (rs->esc_param == 4) {
            rs->cmd_buf_index = rs->cmd_buf_size;
        }
        break;
    default:
        break;
    }
    rs->esc_state = IS_NORM;
}

void readline_handle_byte(ReadLineState *rs, int ch)
{
    switch (rs->esc_state) {
    case IS_NORM:
        readline_handle_norm(rs, ch);
        break;
    case IS_ESC:
        if (ch == '[' || ch == 'O') {
            rs->esc_state = ch == '[' ? IS_CSI : IS_SS3;
            rs->esc_param = 0;
        } else {
            rs->esc_state = IS_NORM;
        }
        break;
    case IS_CSI:
        readline_handle_csi(rs, ch);
        break;
    case IS_SS3:
        if (ch == 'F') {
            rs->cmd_buf_index = rs->cmd_buf_size;
        } else if (ch == 'H') {
            rs->cmd_buf_index = 0;
        }
        rs->esc_state = IS_NORM;
        break;
    }
    readline_update(rs);
}

void readline_show_prompt(ReadLineState *rs)
{
    rl_print(rs, rs->prompt);
    rs->last_cmd_buf_index = 0;
    rs->last_cmd_buf_size = 0;
    rs->esc_state = IS_NORM;
}

void readline_restart(ReadLineState *rs)
{
    rs->cmd_buf_index = 0;
    rs->cmd_buf_size = 0;
}

ReadLineState *readline_init(ReadLinePrintfFunc *print, ReadLineFunc *func,
                             void *opaque, const char *prompt)
{
    ReadLineState *rs = g_new0(ReadLineState, 1);

    rs->hist_entry = -1;
    rs->print = print;
    rs->func = func;
    rs->opaque = opaque;
    rs->prompt = g_strdup(prompt);
    return rs;
}

void readline_free(ReadLineState *rs)
{
    if (!rs) {
        return;
    }
    for (int i = 0; i < READLINE_MAX_CMDS; i++) {
        g_free(rs->history[i]);
    }
    g_free(rs->prompt);
    g_free(rs);
}
