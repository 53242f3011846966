import KafkaBridge
import Logging

/// Starts an `EmbeddedKafkaCluster` and creates `topics` on it (the mock cluster has no CreateTopics
/// API for clients), each replicated on up to three brokers: for `gateway serve` without Kafka and
/// for `gateway kafka`, which then need not know KafkaBridge.
package enum EmbeddedClusterLauncher {
    package static func start(
        brokers: Int,
        partitions: Int32,
        topics: [String],
        logger: Logger
    ) throws -> EmbeddedKafkaCluster {
        let cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
        let replication = Int32(min(3, brokers))
        for topic in topics {
            try cluster.createTopic(topic, partitions: partitions, replicationFactor: replication)
        }
        logger.info(
            "embedded Kafka topics created",
            metadata: [
                "topics": "\(topics.joined(separator: ","))", "partitions": "\(partitions)",
                "replication_factor": "\(replication)",
            ]
        )
        return cluster
    }
}
