# flashsale_add_library(<part> SOURCES <src>... [PUBLIC <lib>...] [PRIVATE <lib>...] [INSTALL]
#                       [EXPORT <component>])
#
# One part of the hexagon as a static library target flashsale_<part> with the alias
# flashsale::<part>: headers under include/ (as flashsale/<...>/*.hpp), position-independent
# code, the project's warnings (flashsale::options, PRIVATE). INSTALL adds the target and its
# headers to the installed CMake package: to flashsaleTargets (the dependency-free core), or
# with EXPORT <component> to flashsale-<component>Targets, loaded by
# find_package(flashsale COMPONENTS <component>) after that component's dependencies.
function(flashsale_add_library part)
  cmake_parse_arguments(ARG "INSTALL" "EXPORT" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(target flashsale_${part})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(flashsale::${part} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${part} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE} flashsale::options)
  if(ARG_INSTALL)
    if(ARG_EXPORT)
      install(TARGETS ${target} EXPORT flashsale-${ARG_EXPORT}Targets)
    else()
      install(TARGETS ${target} EXPORT flashsaleTargets)
    endif()
    install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endfunction()
