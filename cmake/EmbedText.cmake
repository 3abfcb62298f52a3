# Writes a C++ source defining `const std::string_view <NAME>` in namespace <NAMESPACE> with the
# contents of <IN> (a text file without the sequence `)text"`).
# Usage: cmake -DIN=<file> -DOUT=<file.cpp> -DNAME=<identifier> -DNAMESPACE=<ns> -P EmbedText.cmake
file(READ "${IN}" body)
set(text "// Generated from ${IN} by cmake/EmbedText.cmake. Do not edit.\n#include <string_view>\n\n")
string(APPEND text "namespace ${NAMESPACE} {\nextern const std::string_view ${NAME};\n")
string(APPEND text "const std::string_view ${NAME} = R\"text(${body})text\";\n}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
