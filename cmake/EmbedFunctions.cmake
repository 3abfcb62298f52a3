# Writes a C++ source defining the Redis Functions library of flashsale (namespace
# flashsale::redis::functions): kLibrary, named "flashsale_v<API>", in which every
# <LUA_DIR>/<name>.lua is registered as fs<API>_<name>, and one k<Name> constant per function
# holding that name. The Lua files stay the single source: each file's body becomes the body
# of its function, whose parameters are named KEYS and ARGV like a script's globals. Files
# named _<name>.lua hold helpers shared by the functions and are placed first, at the
# library's top level. Bump API whenever a function's arguments or reply change: instances of
# two versions then run side by side during a rolling deploy, each calling its own functions.
# Usage: cmake -DOUT=<file.cpp> -DLUA_DIR=<dir> -DAPI=<n> -P EmbedFunctions.cmake
file(GLOB INPUTS "${LUA_DIR}/*.lua")
list(SORT INPUTS)
set(library "#!lua name=flashsale_v${API}\n")
set(names "")
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
    string(APPEND library
      "\nredis.register_function('fs${API}_${name}', function(KEYS, ARGV)\n${body}end)\n")
    string(SUBSTRING "${name}" 0 1 first)
    string(TOUPPER "${first}" first)
    string(SUBSTRING "${name}" 1 -1 tail)
    string(APPEND names "const std::string_view k${first}${tail} = \"fs${API}_${name}\";\n")
  endif()
endforeach()
set(text "// Generated from adapters/redis/lua/*.lua by cmake/EmbedFunctions.cmake. Do not edit.\n")
string(APPEND text "#include \"flashsale/redis/functions.hpp\"\n\nnamespace flashsale::redis::functions {\n")
string(APPEND text "const std::string_view kLibrary = R\"lua(${library})lua\";\n")
string(APPEND text "const std::string_view kLibraryName = \"flashsale_v${API}\";\n")
string(APPEND text "${names}")
string(APPEND text "}  // namespace flashsale::redis::functions\n")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
