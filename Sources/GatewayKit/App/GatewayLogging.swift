import Foundation
import Logging

/// One place that sets up swift-log: one line per event, on stderr.
package enum GatewayLogging {
    package static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "gateway")
    }
}
