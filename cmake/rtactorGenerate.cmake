# SPDX-License-Identifier: MIT
# rtactorGenerate.cmake: rtactor_generate(), which runs rtgen, rt's
# protocol compiler, when a target is built. rtactorConfig.cmake includes
# it, so find_package(rtactor) is all a project says.
#
#   rtactor_generate(<target> <file.rtp>... [IMPORT_DIRS <dir>...]
#                    [OPTIONS <option>...])
#
# For each FILE.rtp, rtgen writes FILE.rtp.c and FILE.rtp.h into
# CMAKE_CURRENT_BINARY_DIR; the .c and .h become sources of <target>, and
# that directory one of its (PRIVATE) include directories, so that its
# sources can `#include "FILE.rtp.h"`. A protocol that another one imports
# must be generated too (name both): the importer's C uses the imported
# one's. Link <target> with rtactor::rtactor yourself, in the
# target_link_libraries() form that the rest of the project uses.
#
# Relative paths are from CMAKE_CURRENT_SOURCE_DIR. IMPORT_DIRS are rtgen's
# -I: where `import` and `include` look after the directory of the file
# that names them. OPTIONS are more rtgen options (-Werror, --no-lines).
#
# rtgen runs again when FILE.rtp changes, when a protocol that it imports
# or a header that it includes changes, and when rtgen does: after
# generating, `rtgen -M` writes those files to FILE.rtp.d, which the build
# tool reads as the command's DEPFILE (CMake 3.20 or later with Makefile
# or Ninja generators; 3.21 or later with the others).

function(rtactor_generate target)
	cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "IMPORT_DIRS;OPTIONS")
	if(NOT TARGET "${target}")
		message(FATAL_ERROR
		    "rtactor_generate: '${target}' is not a target; create it "
		    "(add_executable, add_library) before adding protocols to it")
	endif()
	if(NOT arg_UNPARSED_ARGUMENTS)
		message(FATAL_ERROR "rtactor_generate(${target}): no .rtp file given")
	endif()
	# The script that the build runs, beside this file.
	set(script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/rtactorRtgen.cmake")

	set(imports "")
	foreach(dir IN LISTS arg_IMPORT_DIRS)
		get_filename_component(dir "${dir}" ABSOLUTE
		    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
		list(APPEND imports "-I" "${dir}")
	endforeach()
	# A list must reach the script as one -D argument: $<SEMICOLON>
	# keeps add_custom_command from splitting it into several.
	string(REPLACE ";" "$<SEMICOLON>" imports "${imports}")
	string(REPLACE ";" "$<SEMICOLON>" options "${arg_OPTIONS}")

	set(outdir "${CMAKE_CURRENT_BINARY_DIR}")
	foreach(rtp IN LISTS arg_UNPARSED_ARGUMENTS)
		get_filename_component(src "${rtp}" ABSOLUTE
		    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
		get_filename_component(file "${src}" NAME)
		if(NOT file MATCHES "\\.rtp$")
			message(FATAL_ERROR
			    "rtactor_generate(${target}): '${rtp}' is not a .rtp file")
		endif()
		set(c "${outdir}/${file}.c")
		set(h "${outdir}/${file}.h")

		# One rule per output in a directory: a second target that
		# generates the same protocol there shares the first one's
		# rule, IMPORT_DIRS and OPTIONS included. (With Makefile
		# generators, two targets that share a rule must not be built
		# at the same time: put the protocol in a library instead.)
		get_property(from DIRECTORY PROPERTY "RTACTOR_GENERATED_${c}")
		if("${from}" STREQUAL "")
			set_property(DIRECTORY PROPERTY
			    "RTACTOR_GENERATED_${c}" "${src}")
			add_custom_command(
			    OUTPUT "${c}" "${h}"
			    COMMAND "${CMAKE_COMMAND}"
			        "-DRTACTOR_RTGEN=$<TARGET_FILE:rtactor::rtgen>"
			        "-DRTACTOR_INPUT=${src}"
			        "-DRTACTOR_OUTDIR=${outdir}"
			        "-DRTACTOR_IMPORTS=${imports}"
			        "-DRTACTOR_OPTIONS=${options}"
			        "-DRTACTOR_DEPFILE=${outdir}/${file}.d"
			        -P "${script}"
			    DEPENDS "${src}" rtactor::rtgen "${script}"
			    DEPFILE "${outdir}/${file}.d"
			    COMMENT "rtgen ${rtp}: generating ${file}.c and ${file}.h"
			    VERBATIM)
		elseif(NOT "${from}" STREQUAL "${src}")
			message(FATAL_ERROR
			    "rtactor_generate(${target}): ${src} and ${from} "
			    "would both be generated as ${c}")
		endif()
		target_sources("${target}" PRIVATE "${c}" "${h}")
	endforeach()
	target_include_directories("${target}" PRIVATE "${outdir}")
endfunction()
