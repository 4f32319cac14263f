/* Placeholder entry point: the real qomu main() replaces this. */
#include "util/osdep.h"

int main(void)
{
    return 0;
}
