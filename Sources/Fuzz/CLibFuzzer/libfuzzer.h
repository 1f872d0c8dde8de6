// libFuzzer's driver, linked in by `-sanitize=fuzzer` (compiler-rt). SwiftPM names an executable's entry point
// after its module and points `main` at it, so each fuzz target's entry point calls this driver itself.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
