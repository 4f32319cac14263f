# doc-code.awk - print the ```c blocks of a Markdown file as one C file.
#
# Each block is preceded by a #line directive, so that a compiler error
# points at the line of the document, not of the generated file.  Used by
# the Makefile to compile and run the worked examples in docs/devel/.
/^```c[ \t]*$/ { inblock = 1; printf "#line %d \"%s\"\n", FNR + 1, FILENAME; next }
/^```/ && inblock { inblock = 0; next }
inblock { print }
