// The basalt executable: the extension API's App with nothing registered (extension/app.hpp),
// so the plain server and a program linking Basalt run the same entry.
#include "basalt/extension/app.hpp"

int main(int argc, char** argv) {
  basalt::extension::App app(argc, argv);
  return app.run();
}
