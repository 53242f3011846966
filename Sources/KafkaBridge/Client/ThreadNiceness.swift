import CRdKafka
import Glibc

/// Lower scheduling priority (a higher nice value) for the threads of work that may lag, so that
/// it does not take the CPU from work that must not: the monitor's consumers against the HTTP
/// event loops and the producers, on a machine with few cores under overload.
///
/// On Linux the nice value is per thread: `setpriority(PRIO_PROCESS, 0, n)` sets the calling
/// thread's only (setpriority(2), "BUGS": NPTL threads do not share it), which is what is wanted.
/// Raising the nice value needs no privilege; lowering it again would, so it is set once per thread.
enum ThreadNiceness {
    /// Sets the calling thread's nice value; 0 leaves it as it is. Failure (e.g. a seccomp policy)
    /// only costs the remedy, so it is ignored.
    static func apply(_ niceness: Int32) {
        guard niceness != 0 else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
    }

    /// Makes every thread librdkafka starts for the handle built from `conf` (its main thread and
    /// one per broker: fetching and decoding happen there) run at `niceness`, through an
    /// `on_thread_start` interceptor. The value travels in the interceptor's opaque pointer, so
    /// nothing needs to outlive the handle.
    static func apply(_ niceness: Int32, toThreadsOf conf: OpaquePointer) {
        guard niceness > 0 else { return }
        let opaque = UnsafeMutableRawPointer(bitPattern: Int(niceness))
        _ = rd_kafka_conf_interceptor_add_on_new(conf, interceptorName, onNew, opaque)
    }

    fileprivate static let interceptorName = "gateway-thread-niceness"
}

/// Interceptors are registered on the handle when it is created (librdkafka calls `on_new` from
/// `rd_kafka_new`, where only interceptors may be added).
private let onNew:
    @convention(c) (OpaquePointer?, OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int)
        -> rd_kafka_resp_err_t = { handle, _, opaque, _, _ in
            rd_kafka_interceptor_add_on_thread_start(handle, ThreadNiceness.interceptorName, onThreadStart, opaque)
        }

/// Runs on the new librdkafka thread itself, before it does any work.
private let onThreadStart:
    @convention(c) (OpaquePointer?, rd_kafka_thread_type_t, UnsafePointer<CChar>?, UnsafeMutableRawPointer?)
        -> rd_kafka_resp_err_t = { _, _, _, opaque in
            ThreadNiceness.apply(Int32(truncatingIfNeeded: Int(bitPattern: opaque)))
            return RD_KAFKA_RESP_ERR_NO_ERROR
        }
