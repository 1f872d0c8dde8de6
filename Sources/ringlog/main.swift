import Foundation
import RinglogCore

// The command runs as a detached task on Swift's global executor and ends the process with its exit code; the
// main thread only waits. Nothing in ringlog runs on the main actor.
//
// Why not top-level `await`: an async main ends in `dispatch_main()`, which leaves the main thread through
// `pthread_exit`, and glibc's forced unwind of that thread's stack reads the binary's unwind tables (about
// 600 KB of pages that then stay resident in an idle daemon). The main thread here does what `dispatch_main()`
// makes of it, without leaving: it blocks the asynchronous signals, so that they stay pending for the signal
// sources of libdispatch (whose threads block them too) instead of being discarded when ignored, and waits in
// `sigsuspend` with none blocked, so that a signal left at its default action (SIGINT in a terminal) still
// ends the process.
var blocked = sigset_t()
sigfillset(&blocked)
for synchronous in [SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGSYS, SIGPIPE, SIGPROF] {
    sigdelset(&blocked, synchronous)
}
pthread_sigmask(SIG_BLOCK, &blocked, nil)

let arguments = Array(CommandLine.arguments.dropFirst())
Task.detached {
    let code = await CommandRouter.run(arguments)
    exit(code.rawValue)
}

var none = sigset_t()
sigemptyset(&none)
// Bounded by the process: the task above calls exit.
while true {
    sigsuspend(&none)
}
