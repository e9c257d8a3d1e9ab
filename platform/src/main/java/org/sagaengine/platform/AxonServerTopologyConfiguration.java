package org.sagaengine.platform;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * What the distributed topology needs beyond Axon's own auto-configuration: a handler's refusal leaves this service
 * as a {@link CommandExecutionException} whose details are a {@link CommandRefusal}. Axon Server passes the details
 * to the sender, which then knows not to retry, and why; without them it would see only a message.
 */
@AutoConfiguration(afterName = "org.axonframework.springboot.autoconfig.AxonServerAutoConfiguration")
@ConditionalOnProperty(name = PlatformDefaults.TOPOLOGY, havingValue = "axonserver")
public class AxonServerTopologyConfiguration {

    @Bean
    InitializingBean refusalsCarryTheirKind(CommandBus commandBus) {
        MessageHandlerInterceptor<CommandMessage<?>> refusals = (unitOfWork, chain) -> {
            try {
                return chain.proceed();
            } catch (CommandExecutionException alreadyDescribed) {
                throw alreadyDescribed;
            } catch (Exception failure) {
                if (!CommandGatewayConfiguration.isRefusal(failure)) {
                    throw failure;
                }
                CommandRefusal refusal = new CommandRefusal(kindOf(failure), CommandGatewayConfiguration.reason(failure));
                throw new CommandExecutionException(refusal.reason(), failure, refusal);
            }
        };
        return () -> commandBus.registerHandlerInterceptor(refusals);
    }

    private static CommandRefusal.Kind kindOf(Throwable failure) {
        if (failure instanceof AggregateNotFoundException || failure instanceof IncompatibleAggregateException) {
            return CommandRefusal.Kind.UNKNOWN_TARGET;
        }
        if (failure instanceof IllegalStateException || failure instanceof AggregateStreamCreationException) {
            return CommandRefusal.Kind.CONFLICT;
        }
        return CommandRefusal.Kind.INVALID;
    }
}
