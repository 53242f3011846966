/// Connections that stopped reading because the server-wide request budget (`RequestBufferBudget`)
/// had no room. Budget released on another loop raises no event here, so the loop looks again after
/// every pass (and polls soon while some wait: see `waitTimeout`).
extension EventLoop {
    /// Called by a connection that stopped reading because the request budget had no room.
    func awaitBudget(_ connection: HTTPConnection) {
        budgetWaiters.append(connection)
    }

    /// Lets starved connections try again, oldest first, once something was released since the last
    /// try (on any loop); those still without room queue up again in the same order.
    func resumeBudgetWaiters() {
        let releases = context.requestBudget.releaseCount
        guard releases != budgetReleasesSeen else { return }
        budgetReleasesSeen = releases
        let waiting = budgetWaiters
        budgetWaiters.removeAll(keepingCapacity: true)
        for connection in waiting {
            connection.resumeReading()
        }
    }
}
