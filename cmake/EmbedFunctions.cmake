# Writes a C++ source defining flashsale::redis::functions::kLibrary: the Redis Functions
# library "flashsale", in which every <LUA_DIR>/<name>.lua is registered as fs_<name>. The Lua
# files stay the single source: each file's body becomes the body of its function, whose
# parameters are named KEYS and ARGV like a script's globals. Files named _<name>.lua hold
# helpers shared by the functions and are placed first, at the library's top level.
# Usage: cmake -DOUT=<file.cpp> -DLUA_DIR=<dir> -P EmbedFunctions.cmake
file(GLOB INPUTS "${LUA_DIR}/*.lua")
list(SORT INPUTS)
set(library "#!lua name=flashsale\n")
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME_WE)
  if(name MATCHES "^_")
    file(READ "${input}" body)
    string(APPEND library "\n${body}")
  endif()
endforeach()
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME_WE)
  if(NOT name MATCHES "^_")
    file(READ "${input}" body)
    string(APPEND library "\nredis.register_function('fs_${name}', function(KEYS, ARGV)\n${body}end)\n")
  endif()
endforeach()
set(text "// Generated from adapters/redis/lua/*.lua by cmake/EmbedFunctions.cmake. Do not edit.\n")
string(APPEND text "#include \"flashsale/redis/functions.hpp\"\n\nnamespace flashsale::redis::functions {\n")
string(APPEND text "const std::string_view kLibrary = R\"lua(${library})lua\";\n")
string(APPEND text "}  // namespace flashsale::redis::functions\n")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
