package org.sagaengine.platform.deadletter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Dead letters in each service: a savepoint per event handler so a failure can be recorded in the transaction it
 * happened in, and the admin endpoints over the service's queues. Which processors have a queue is configuration
 * ({@code axon.eventhandling.processors.<name>.dlq.enabled}); the table comes with the platform's migrations.
 */
@AutoConfiguration(afterName = "org.axonframework.springboot.autoconfig.JdbcAutoConfiguration")
@Import(DeadLetterController.class)
public class DeadLetterConfiguration {

    @Bean
    SavepointPerEventHandler savepointPerEventHandler(PlatformTransactionManager transactionManager) {
        return new SavepointPerEventHandler(transactionManager);
    }
}
