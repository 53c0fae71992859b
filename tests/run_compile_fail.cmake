# Runs one compile-fail probe: COMPILER, FLAGS (list), SOURCE, EXPECTED (list of strings that
# must all appear in the compiler's output).
execute_process(COMMAND ${COMPILER} ${FLAGS} -DDR_PROBE_CONTROL ${SOURCE}
                RESULT_VARIABLE control_rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT control_rc EQUAL 0)
  message(FATAL_ERROR "the control build of ${SOURCE} should compile but failed:\n${out}")
endif()
execute_process(COMMAND ${COMPILER} ${FLAGS} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but its shapes do not fit and it must not")
endif()
foreach(text IN LISTS EXPECTED)
  string(FIND "${out}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the compiler failed on ${SOURCE} without saying '${text}':\n${out}")
  endif()
endforeach()
message(STATUS "failed to compile as expected, saying: ${EXPECTED}")
