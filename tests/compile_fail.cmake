# Compile-fail probes: each program must fail to compile with the sentence that names both sizes,
# and must compile when DR_PROBE_CONTROL fixes the sizes (so the failure is the shape, nothing else).
get_target_property(_dr_boost_inc Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
get_target_property(_dr_range_inc range-v3::range-v3 INTERFACE_INCLUDE_DIRECTORIES)
set(_dr_probe_flags -std=c++20 -fsyntax-only -I${PROJECT_SOURCE_DIR}/include)
foreach(_dir IN LISTS _dr_boost_inc _dr_range_inc)
  list(APPEND _dr_probe_flags -I${_dir})
endforeach()

function(dr_compile_fail_test name source expected)
  add_test(NAME compile_fail.${name}
    COMMAND ${CMAKE_COMMAND}
      -DCOMPILER=${CMAKE_CXX_COMPILER} "-DFLAGS=${_dr_probe_flags}"
      -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/${source}
      "-DEXPECTED=${expected}"
      -P ${CMAKE_CURRENT_SOURCE_DIR}/run_compile_fail.cmake)
endfunction()

dr_compile_fail_test(layers_do_not_chain layers_do_not_chain.cpp
  "layer sizes do not chain: a Dense layer feeds LayerFeeds values but the next layer expects NextLayerExpects;check_layer_sizes_chain<128, 64>")
dr_compile_fail_test(input_width_mismatch input_width_mismatch.cpp
  "the data does not fit the network: the network expects NetworkInputs values per row but the data view has ViewColumns columns;check_input_width<784, 785>")
