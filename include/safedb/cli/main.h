#pragma once

namespace safedb::cli {

// Runs one safedb invocation and returns its exit status (see
// safedb/util/exit_code.h). The only place that prints errors.
int main(int argc, char** argv);

}  // namespace safedb::cli
