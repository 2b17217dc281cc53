#include "safedb/cli/main.h"

int main(int argc, char** argv) {
  return safedb::cli::main(argc, argv);
}
