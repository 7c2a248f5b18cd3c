// The basalt executable; everything it does is in root_command.cpp.
#include "basalt/cli/root_command.hpp"

int main(int argc, char** argv) {
  return basalt::cli::run(argc, argv);
}
