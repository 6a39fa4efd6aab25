import Synchronization

/// Wakes one waiting service when another has work for it (the poller rings the desk, the desk rings
/// the dispatcher), so nobody sleeps through new work and nobody spins.
///
/// A ring while nobody waits is remembered once; `wait` returns at once the next time.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when rung, after `timeout` or when the calling task is cancelled, whichever is first. One
    /// waiter at a time.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(until: .now + timeout)
                if !Task.isCancelled { self.ring() }
            }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
            await group.waitForAll()
        }
    }

    /// Without the cancellation handler a cancelled `wait` would never return: its timer ends without
    /// ringing, and a service group cancelled after a failed start (the listener's port in use) would hang.
    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
