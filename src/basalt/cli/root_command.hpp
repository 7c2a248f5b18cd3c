// The `basalt` command line: parses argv, runs the chosen subcommand and returns the process
// exit code (see exit_codes.hpp). Subcommands:
//   serve          run the server (settings flags: see `basalt serve --help`)
//   version        print `basalt <version>`
//   config docs    (hidden) print the settings reference for docs/configuration.md
// With no subcommand it prints the help to stderr and returns kExitUsage.
#pragma once

namespace basalt::app {
class ServeExtension;
}

namespace basalt::cli {

// `extension`: what a program linking Basalt adds to `serve` (app/serve_extension.hpp, the C++
// extension API of src/basalt/extension); null for the plain server.
int run(int argc, char** argv, app::ServeExtension* extension = nullptr);

}  // namespace basalt::cli
