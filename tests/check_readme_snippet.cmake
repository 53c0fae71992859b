# The README must contain examples/quickstart/main.cpp verbatim inside a ```cpp block.
file(READ ${README} readme)
file(READ ${EXAMPLE} example)
string(FIND "${readme}" "```cpp\n${example}```" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md does not contain examples/quickstart/main.cpp verbatim in a ```cpp block")
endif()
