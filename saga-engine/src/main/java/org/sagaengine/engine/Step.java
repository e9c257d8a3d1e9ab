package org.sagaengine.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One step of a saga: the command it sends, once or once per item in parallel; the replies that mean done, refused
 * and compensated; the command that undoes it; and the name of the deadline it must finish by.
 *
 * @param <S> the saga's state
 * @param <I> what the step sends a command for: one of several items, or the saga itself for a step sent once
 */
public final class Step<S extends SagaInstance, I> {

    /** The kinds of replies a step knows. */
    enum ReplyKind { DONE, REFUSED, COMPENSATED }

    /** A reply type the step listens for, how to tell which item it is about, and, for a refusal, why. */
    record Reply(Class<?> type, ReplyKind kind, Function<Object, String> itemOf, Function<Object, String> reasonOf) {
    }

    final String name;
    final Function<S, List<I>> itemsOf;
    final Function<I, String> idOf;
    BiFunction<S, I, Object> command;
    BiFunction<S, I, Object> compensation;
    String deadline;
    String targetKind = "target";
    Function<S, String> description;
    final List<Reply> replies = new ArrayList<>();

    private Step(String name, Function<S, List<I>> itemsOf, Function<I, String> idOf) {
        this.name = Objects.requireNonNull(name);
        this.itemsOf = itemsOf;
        this.idOf = idOf;
    }

    /** A step that sends one command per item, all at once; it is done when every item is. */
    public static <S extends SagaInstance, I> Step<S, I> forEach(String name, Function<S, List<I>> items,
                                                                Function<I, String> itemId) {
        return new Step<>(name, items, itemId);
    }

    /** A step that sends one command, to the participant {@code target} names. */
    public static <S extends SagaInstance> Step<S, S> once(String name, Function<S, String> target) {
        return new Step<>(name, List::of, target::apply);
    }

    /** The command sent for each item. */
    public Step<S, I> send(BiFunction<S, I, Object> command) {
        this.command = command;
        return this;
    }

    /** The command of a step sent once. */
    public Step<S, I> send(Function<S, Object> command) {
        return send((saga, item) -> command.apply(saga));
    }

    /** The reply that says an item is done, and which item it is about. */
    public <R> Step<S, I> doneOn(Class<R> reply, Function<R, String> item) {
        return reply(reply, ReplyKind.DONE, item, null);
    }

    /** The reply that says the only item of a step sent once is done. */
    public Step<S, I> doneOn(Class<?> reply) {
        return reply(reply, ReplyKind.DONE, null, null);
    }

    /** The reply that refuses an item, as a business decision that no retry changes, and why. */
    public <R> Step<S, I> refusedOn(Class<R> reply, Function<R, String> item, Function<R, String> reason) {
        return reply(reply, ReplyKind.REFUSED, item, reason);
    }

    /** The reply that refuses the only item of a step sent once, and why. */
    public <R> Step<S, I> refusedOn(Class<R> reply, Function<R, String> reason) {
        return reply(reply, ReplyKind.REFUSED, null, reason);
    }

    /**
     * The command that undoes an item. It is sent for every item that was asked for and not refused, answered or not,
     * so it must close the door on a late reply, and undoing what never happened must count as done.
     */
    public Step<S, I> compensateWith(BiFunction<S, I, Object> compensation) {
        this.compensation = compensation;
        return this;
    }

    /** The compensation of a step sent once. */
    public Step<S, I> compensateWith(Function<S, Object> compensation) {
        return compensateWith((saga, item) -> compensation.apply(saga));
    }

    /** The reply that acknowledges an item's compensation. */
    public <R> Step<S, I> compensatedOn(Class<R> reply, Function<R, String> item) {
        return reply(reply, ReplyKind.COMPENSATED, item, null);
    }

    /** The reply that acknowledges the compensation of a step sent once. */
    public Step<S, I> compensatedOn(Class<?> reply) {
        return reply(reply, ReplyKind.COMPENSATED, null, null);
    }

    /** The persisted deadline the step must finish by, named for what timed out; without one it waits. */
    public Step<S, I> deadline(String name) {
        this.deadline = Objects.requireNonNull(name);
        return this;
    }

    /** What the saga view shows of the step while the saga is in it ("11400 EUR"); by default its target or items. */
    public Step<S, I> describedBy(Function<S, String> description) {
        this.description = description;
        return this;
    }

    /** What the step's commands are sent to (a product, an account), as a person would say it. */
    public Step<S, I> sentTo(String kind) {
        this.targetKind = Objects.requireNonNull(kind);
        return this;
    }

    @SuppressWarnings("unchecked")
    private <R> Step<S, I> reply(Class<R> type, ReplyKind kind, Function<R, String> item, Function<R, String> reason) {
        replies.add(new Reply(type, kind, item == null ? null : message -> item.apply((R) message),
                              reason == null ? null : message -> reason.apply((R) message)));
        return this;
    }

    /** The items of this step, by their ids, in order. */
    Map<String, I> items(S saga) {
        Map<String, I> items = new LinkedHashMap<>();
        itemsOf.apply(saga).forEach(item -> items.put(idOf.apply(item), item));
        return items;
    }

    boolean compensable() {
        return compensation != null;
    }
}
