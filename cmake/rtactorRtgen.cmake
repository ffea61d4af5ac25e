# SPDX-License-Identifier: MIT
# rtactorRtgen.cmake: what the build runs for rtactor_generate()
# (rtactorGenerate.cmake), as
#
#   cmake -DRTACTOR_RTGEN=rtgen -DRTACTOR_INPUT=x.rtp -DRTACTOR_OUTDIR=dir
#         -DRTACTOR_IMPORTS="-I;dir..." -DRTACTOR_OPTIONS="opt..."
#         -DRTACTOR_DEPFILE=dir/x.rtp.d -P rtactorRtgen.cmake
#
# rtgen writes dir/x.rtp.c and dir/x.rtp.h; then `rtgen -M` writes the
# files they were made from (x.rtp, its imports and includes) into the
# depfile, as a make rule. rtgen cannot do both in one run, and a
# redirection in add_custom_command() is the shell's, not CMake's, hence
# this script. rtgen writes nothing when the input has errors, and so
# neither does this: the build stops with rtgen's diagnostics.

execute_process(COMMAND "${RTACTOR_RTGEN}" -o "${RTACTOR_OUTDIR}"
    ${RTACTOR_IMPORTS} ${RTACTOR_OPTIONS} -- "${RTACTOR_INPUT}"
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
	message(FATAL_ERROR "rtgen failed on ${RTACTOR_INPUT} (${status})")
endif()

# -M reads and checks the input again, so its warnings, which the run
# above has shown already, are dropped unless it fails.
execute_process(COMMAND "${RTACTOR_RTGEN}" -M -o "${RTACTOR_OUTDIR}"
    ${RTACTOR_IMPORTS} -- "${RTACTOR_INPUT}"
    OUTPUT_FILE "${RTACTOR_DEPFILE}.tmp"
    ERROR_VARIABLE diagnostics
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
	# Without its depfile, the output must not look up to date.
	get_filename_component(name "${RTACTOR_INPUT}" NAME)
	file(REMOVE "${RTACTOR_DEPFILE}.tmp" "${RTACTOR_OUTDIR}/${name}.c"
	    "${RTACTOR_OUTDIR}/${name}.h")
	message(FATAL_ERROR
	    "rtgen -M failed on ${RTACTOR_INPUT} (${status}):\n${diagnostics}")
endif()
file(RENAME "${RTACTOR_DEPFILE}.tmp" "${RTACTOR_DEPFILE}")
