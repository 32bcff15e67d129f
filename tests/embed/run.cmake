# The embedding test (ctest embed.find_package): installs the sredb build
# tree into a fresh prefix, then configures, builds and runs tests/embed/
# against that prefix alone, as an outside project would.
# cmake -P run.cmake with -D: BUILD_DIR (sredb's build tree, fully built),
# SOURCE_DIR (tests/embed), WORK_DIR (scratch, wiped), GENERATOR,
# MAKE_PROGRAM, CXX_COMPILER, BUILD_TYPE, LAUNCHER (may be empty),
# CXX_FLAGS and LINKER_FLAGS (sanitizers: the same as sredb's).
cmake_minimum_required(VERSION 3.22)

set(prefix ${WORK_DIR}/install)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

function(step what)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s")
  math(EXPR dt "${t1} - ${t0}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "embed: ${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "embed: ${what}: ok (${dt} s)")
endfunction()

# cmake --install copies what the build made; it builds nothing. The
# Development component: libraries, headers, package (not the command).
step("cmake --install ${BUILD_DIR} --component Development --prefix ${prefix} (needs sredb_storage and sredb_query built)"
  ${CMAKE_COMMAND} --install ${BUILD_DIR} --component Development --prefix ${prefix})
step("configure tests/embed with CMAKE_PREFIX_PATH=${prefix}"
  ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${build} -G ${GENERATOR}
  -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
  -DCMAKE_PREFIX_PATH=${prefix}
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
  -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}
  -DCMAKE_CXX_FLAGS=${CXX_FLAGS}
  -DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS})
step("build tests/embed" ${CMAKE_COMMAND} --build ${build})
execute_process(COMMAND ${build}/example ${build}/db RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "embed: the example failed (${rc})")
endif()
