# Installs the library into a temporary prefix and builds examples/custom_size against it with
# find_package(dr CONFIG REQUIRED), then runs it: what a user compiling their own sizes does.
add_test(NAME install.find_package_consumer
  COMMAND ${CMAKE_COMMAND}
    -DBINARY_DIR=${PROJECT_BINARY_DIR}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/install_consumer
    -DCXX=${CMAKE_CXX_COMPILER}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/run_install_consumer.cmake)
