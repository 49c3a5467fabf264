# The browser playground: build/playground/index.html, one static page that
# runs `cfkit bt` and `cfkit explain` in WebAssembly, opened as a file.
# Included at the end of the root CMakeLists.txt. emcc (Debian's emscripten)
# compiles the engine's stages grammar … testmode, explain, with
# tools/playground/playground.cpp, into engine.js (-sSINGLE_FILE=1: the
# wasm inlined, as Chromium will not fetch a separate .wasm from a file);
# make_page.py puts it in the page with page.html, page.css, page.js and
# the examples (the seed's HELO check, rulesets/lessons/). Without emcc, or
# with CFKIT_PLAYGROUND=OFF (the default of sanitizer builds), nothing is
# built. The sources are taken from the stages' targets, so a file added to
# a stage is in the playground too; each is compiled on its own (header
# changes tracked with emcc's depfiles), so rebuilding after an edit is quick.

if(CFKIT_SANITIZE)
  set(_cfkit_playground_default OFF)  # the sanitizer build has no use for it
else()
  set(_cfkit_playground_default ON)
endif()
option(CFKIT_PLAYGROUND "Build the browser playground (needs emcc)" ${_cfkit_playground_default})
if(NOT CFKIT_PLAYGROUND)
  return()
endif()
find_program(CFKIT_EMCC NAMES emcc)
find_package(Python3 COMPONENTS Interpreter)
if(NOT CFKIT_EMCC OR NOT Python3_FOUND)
  message(STATUS "cfkit playground: emcc (Debian's emscripten) or python3 not found; build/playground/index.html is skipped")
  return()
endif()
message(STATUS "cfkit playground: ${CFKIT_EMCC}")

set(PG_DIR ${CMAKE_BINARY_DIR}/playground)
set(PG_OBJ_DIR ${PG_DIR}/obj)
file(MAKE_DIRECTORY ${PG_OBJ_DIR})

# PEGTL from its own directory: a link to its tao/ alone, as /usr/include
# itself on emcc's include path would bring the host's C headers in.
get_target_property(_pg_pegtl_inc taocpp::pegtl INTERFACE_INCLUDE_DIRECTORIES)
list(GET _pg_pegtl_inc 0 _pg_pegtl_inc)
file(MAKE_DIRECTORY ${PG_DIR}/include)
file(CREATE_LINK ${_pg_pegtl_inc}/tao ${PG_DIR}/include/tao SYMBOLIC)

# The sources: the stages the bt pipeline needs (not smtp, lint, queue,
# rulesets: no OpenSSL), the JSON reader left out (cfkit gen's policies).
set(_pg_sources tools/playground/playground.cpp)
set(_pg_defines -DCFKIT_NO_BDB)
foreach(_stage grammar text names config rewrite mail testmode explain)
  if(NOT TARGET cfkit_${_stage})
    continue()
  endif()
  if(_stage STREQUAL "explain")
    list(APPEND _pg_defines -DCFKIT_PG_EXPLAIN)
  endif()
  get_target_property(_srcs cfkit_${_stage} SOURCES)
  list(FILTER _srcs EXCLUDE REGEX "json_reader\\.cpp$")
  list(APPEND _pg_sources ${_srcs})
endforeach()

# Node: emcc's JavaScript optimizer needs acorn, which Debian keeps in
# /usr/share/nodejs; a node that is not Debian's does not look there.
set(PG_EMCC ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs ${CFKIT_EMCC})
# -fexceptions: crackaddr.cpp catches; without it a throw would abort.
set(PG_CFLAGS -std=c++17 -Os -fexceptions ${_pg_defines}
    -I${CMAKE_SOURCE_DIR} -I${PG_DIR}/include)

# The project's warnings for the playground's own file; the engine's files
# are held to them in the native build (a 32-bit target finds other ones,
# such as symbols.cpp's 64-bit FNV constant cut to size_t).
set(_pg_objects)
foreach(_src ${_pg_sources})
  string(REPLACE "/" "_" _obj ${_src})
  set(_obj ${PG_OBJ_DIR}/${_obj}.o)
  set(_warn)
  if(_src STREQUAL "tools/playground/playground.cpp")
    set(_warn ${CFKIT_WARNINGS})
  endif()
  add_custom_command(
    OUTPUT ${_obj}
    COMMAND ${PG_EMCC} ${PG_CFLAGS} ${_warn} -MD -MF ${_obj}.d -c ${CMAKE_SOURCE_DIR}/${_src} -o ${_obj}
    DEPENDS ${CMAKE_SOURCE_DIR}/${_src}
    DEPFILE ${_obj}.d
    COMMENT "emcc ${_src}"
    VERBATIM)
  list(APPEND _pg_objects ${_obj})
endforeach()

# engine.js: the factory cfkitEngine() (a promise of the module) with the
# wasm inlined as base64.
set(_pg_exports _cfkit_pg_bt,_cfkit_pg_explain,_cfkit_pg_status,_cfkit_pg_result_size,_malloc,_free)
add_custom_command(
  OUTPUT ${PG_DIR}/engine.js
  COMMAND ${PG_EMCC} -Os -fexceptions ${_pg_objects} -o ${PG_DIR}/engine.js
          -sSINGLE_FILE=1 -sMODULARIZE=1 -sEXPORT_NAME=cfkitEngine -sENVIRONMENT=web
          -sALLOW_MEMORY_GROWTH=1 -sEXPORTED_FUNCTIONS=${_pg_exports}
          -sINCOMING_MODULE_JS_API=[]
  DEPENDS ${_pg_objects}
  COMMENT "emcc: linking the playground's engine"
  VERBATIM)

file(GLOB _pg_page_sources CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/tools/playground/page.*
  ${CMAKE_SOURCE_DIR}/rulesets/lessons/*.cf ${CMAKE_SOURCE_DIR}/rulesets/lessons/*.in)
# Run at every build (cheap): the page carries the version of the tree
# (git describe), which a commit changes without touching any source.
add_custom_target(playground ALL
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/playground/make_page.py
          --engine ${PG_DIR}/engine.js --out ${PG_DIR}/index.html
          --source-dir ${CMAKE_SOURCE_DIR} --base-version ${PROJECT_VERSION}
  DEPENDS ${PG_DIR}/engine.js ${CMAKE_SOURCE_DIR}/tools/playground/make_page.py ${_pg_page_sources}
          ${CMAKE_SOURCE_DIR}/testcases/examples/seed-helo.cf ${CMAKE_SOURCE_DIR}/testcases/examples/seed-helo.in
  BYPRODUCTS ${PG_DIR}/index.html
  COMMENT "playground: build/playground/index.html"
  VERBATIM)
