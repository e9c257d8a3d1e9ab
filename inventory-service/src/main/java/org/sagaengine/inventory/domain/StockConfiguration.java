package org.sagaengine.inventory.domain;

import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.sagaengine.platform.BoundedCache;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class StockConfiguration {

    /**
     * Commands for one aggregate are routed to one node, so the node can keep the aggregates it handles in memory
     * instead of reading their snapshot and events again for every command: up to {@code aggregate-cache-size} of
     * them, the least used given up first.
     */
    @Bean
    Cache stockCache(@Value("${sagaengine.aggregate-cache-size:10000}") long size) {
        return new BoundedCache(size);
    }

    /** A busy product collects an event per reservation; a snapshot keeps loading it cheap. */
    @Bean
    SnapshotTriggerDefinition stockSnapshotTrigger(Snapshotter snapshotter,
                                                   @Value("${sagaengine.inventory.snapshot-every:100}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }
}
