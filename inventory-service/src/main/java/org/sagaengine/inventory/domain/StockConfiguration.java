package org.sagaengine.inventory.domain;

import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class StockConfiguration {

    /** A busy product collects an event per reservation; a snapshot keeps loading it cheap. */
    @Bean
    SnapshotTriggerDefinition stockSnapshotTrigger(Snapshotter snapshotter,
                                                   @Value("${sagaengine.inventory.snapshot-every:100}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }
}
