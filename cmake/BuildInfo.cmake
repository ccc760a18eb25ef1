# Generates build_info.hpp (version, git hash, compiler, flags) into the build tree at every
# build, rewriting it only when its content changes so that nothing rebuilds needlessly.
set(NTKSWEEP_BUILD_INFO_DIR ${CMAKE_BINARY_DIR}/generated)
string(TOUPPER "${CMAKE_BUILD_TYPE}" _bt)
set(_flags "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_bt}}")
if(NTKSWEEP_NATIVE)
  string(APPEND _flags " -march=native")
endif()
string(STRIP "${_flags}" _flags)
add_custom_target(ntksweep_build_info
  COMMAND ${CMAKE_COMMAND}
          -DOUT=${NTKSWEEP_BUILD_INFO_DIR}/ntksweep/build_info.hpp
          -DSRC=${CMAKE_SOURCE_DIR}
          -DVERSION=${PROJECT_VERSION}
          "-DCOMPILER=${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
          "-DFLAGS=${_flags}"
          -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
          -P ${CMAKE_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${NTKSWEEP_BUILD_INFO_DIR}/ntksweep/build_info.hpp
  COMMENT "Build info")
add_library(ntksweep_build_info_headers INTERFACE)
target_include_directories(ntksweep_build_info_headers INTERFACE ${NTKSWEEP_BUILD_INFO_DIR})
add_dependencies(ntksweep_build_info_headers ntksweep_build_info)
