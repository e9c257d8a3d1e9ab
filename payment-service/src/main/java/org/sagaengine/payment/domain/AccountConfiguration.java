package org.sagaengine.payment.domain;

import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.sagaengine.platform.BoundedCache;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class AccountConfiguration {

    /**
     * Commands for one aggregate are routed to one node, so the node can keep the aggregates it handles in memory
     * instead of reading their snapshot and events again for every command: up to {@code aggregate-cache-size} of
     * them, the least used given up first.
     */
    @Bean
    Cache accountCache(@Value("${sagaengine.aggregate-cache-size:10000}") long size) {
        return new BoundedCache(size);
    }

    /** A busy account collects an event per payment; a snapshot keeps loading it cheap. */
    @Bean
    SnapshotTriggerDefinition accountSnapshotTrigger(Snapshotter snapshotter,
                                                     @Value("${sagaengine.payment.snapshot-every:100}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }
}
