import KafkaBridge
import Logging

/// Starts the embedded cluster with the gateway's topics.
package enum EmbeddedCluster {
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
