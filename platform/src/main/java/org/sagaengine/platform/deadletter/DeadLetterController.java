package org.sagaengine.platform.deadletter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcDeadLetter;
import org.axonframework.messaging.deadletter.DeadLetter;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Lists, retries and evicts the service's dead letters: events a handler could not process, per processing group and
 * sequence (an aggregate, or an order for the saga). Retrying hands the sequence's events to the handlers again,
 * oldest first, and stops at the first that fails again; evicting drops them for good.
 */
@RestController
@RequestMapping("/admin/dead-letters")
public class DeadLetterController {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterController.class);

    public record Letter(String messageIdentifier, String eventType, long sequenceIndex, Instant enqueuedAt,
                         Instant lastTouched, String causeType, String causeMessage) {
    }

    public record Sequence(String processingGroup, String sequenceIdentifier, List<Letter> letters) {
    }

    public record RetryOutcome(String processingGroup, String sequenceIdentifier, boolean handled, long remaining) {
    }

    private final ObjectProvider<EventProcessingConfiguration> processing;
    private final List<DeadLetterChannel> ownChannels;

    DeadLetterController(ObjectProvider<EventProcessingConfiguration> processing, List<DeadLetterChannel> ownChannels) {
        this.processing = processing;
        this.ownChannels = ownChannels;
    }

    @GetMapping
    List<Sequence> deadLetters() {
        List<Sequence> sequences = new ArrayList<>();
        channels().values().forEach(channel -> channel.queue().deadLetters().forEach(sequence -> {
            List<Letter> letters = new ArrayList<>();
            String sequenceIdentifier = null;
            for (DeadLetter<? extends EventMessage<?>> letter : sequence) {
                JdbcDeadLetter<?> stored = (JdbcDeadLetter<?>) letter;
                sequenceIdentifier = stored.getSequenceIdentifier();
                letters.add(new Letter(letter.message().getIdentifier(),
                                       letter.message().getPayloadType().getSimpleName(), stored.getSequenceIndex(),
                                       letter.enqueuedAt(), letter.lastTouched(),
                                       letter.cause().map(c -> c.type()).orElse(null),
                                       letter.cause().map(c -> c.message()).orElse(null)));
            }
            if (sequenceIdentifier != null) {
                sequences.add(new Sequence(channel.processingGroup(), sequenceIdentifier, letters));
            }
        }));
        return sequences;
    }

    @PostMapping("/{processingGroup}/{sequenceIdentifier}/retry")
    RetryOutcome retry(@PathVariable String processingGroup, @PathVariable String sequenceIdentifier) {
        DeadLetterChannel channel = channel(processingGroup, sequenceIdentifier);
        log.info("Retrying the dead letters of {} in {}", sequenceIdentifier, processingGroup);
        boolean handled = channel.processor().process(letter -> letter instanceof JdbcDeadLetter<?> stored
                && stored.getSequenceIdentifier().equals(sequenceIdentifier));
        return new RetryOutcome(processingGroup, sequenceIdentifier, handled,
                                channel.queue().sequenceSize(sequenceIdentifier));
    }

    @DeleteMapping("/{processingGroup}/{sequenceIdentifier}")
    ResponseEntity<Void> evict(@PathVariable String processingGroup, @PathVariable String sequenceIdentifier) {
        DeadLetterChannel channel = channel(processingGroup, sequenceIdentifier);
        List<DeadLetter<? extends EventMessage<?>>> letters = new ArrayList<>();
        channel.queue().deadLetterSequence(sequenceIdentifier).forEach(letters::add);
        letters.forEach(channel.queue()::evict);
        log.warn("Evicted {} dead letter(s) of {} in {}: their events will not be handled", letters.size(),
                 sequenceIdentifier, processingGroup);
        return ResponseEntity.noContent().build();
    }

    private DeadLetterChannel channel(String processingGroup, String sequenceIdentifier) {
        DeadLetterChannel channel = channels().get(processingGroup);
        if (channel == null) {
            throw new NotFound("No dead-letter queue for processing group " + processingGroup + ".");
        }
        if (!channel.queue().contains(sequenceIdentifier)) {
            throw new NotFound("No dead letters for " + sequenceIdentifier + " in " + processingGroup + ".");
        }
        return channel;
    }

    /** Axon's queues, one per event processor that has one, and the service's own. */
    private Map<String, DeadLetterChannel> channels() {
        Map<String, DeadLetterChannel> channels = new TreeMap<>();
        EventProcessingConfiguration configuration = processing.getObject();
        for (String group : configuration.eventProcessors().keySet()) {
            configuration.deadLetterQueue(group).ifPresent(queue -> channels.put(group, new DeadLetterChannel(
                    group, queue, configuration.sequencedDeadLetterProcessor(group).orElseThrow())));
        }
        ownChannels.forEach(channel -> channels.put(channel.processingGroup(), channel));
        return channels;
    }
}
