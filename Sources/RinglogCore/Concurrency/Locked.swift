import Glibc

/// A value shared between threads and reached only under a lock: what `Synchronization.Mutex` offers, over a
/// pthread mutex.
///
/// Why not `Mutex`: on Linux its contended path waits on a futex inside the uninstrumented Synchronization
/// library, so the thread sanitizer does not see the lock pass from one thread to the next and reports the two
/// holders' accesses as a race. It follows a pthread mutex's hand-over, so `swift test --sanitize=thread`
/// reports only real races.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is read and written only between `pthread_mutex_lock` and
    // `pthread_mutex_unlock` of `mutex`, which lives as long as the instance.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// Creates the lock around `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; `body` must not take the same lock again.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
