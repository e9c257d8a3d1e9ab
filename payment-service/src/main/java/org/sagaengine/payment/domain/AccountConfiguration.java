package org.sagaengine.payment.domain;

import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class AccountConfiguration {

    /** A busy account collects an event per payment; a snapshot keeps loading it cheap. */
    @Bean
    SnapshotTriggerDefinition accountSnapshotTrigger(Snapshotter snapshotter,
                                                     @Value("${sagaengine.payment.snapshot-every:100}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }
}
