package org.sagaengine.platform;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;

/**
 * A cache for a service's aggregates that holds up to {@code size} of them, giving up the least used first, and gives
 * them all up when the heap runs short (its values are softly referenced).
 * <p>
 * Axon's {@code WeakReferenceCache} loses an aggregate at the first garbage collection after its command, so a
 * service handling commands for many aggregates read most of them again, snapshot and events, for every command. The
 * entries this cache holds are only correct because each aggregate's commands are handled by one node at a time: the
 * command bus routes them by aggregate, and Axon's repository drops an entry when a command on it rolls back.
 */
public final class BoundedCache implements Cache {

    private final com.github.benmanes.caffeine.cache.Cache<Object, Object> entries;
    private final Set<EntryListener> listeners = new CopyOnWriteArraySet<>();

    public BoundedCache(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("A cache cannot hold fewer than 0 entries, asked for " + size + ".");
        }
        entries = Caffeine.newBuilder()
                          .maximumSize(size)
                          .softValues()
                          .executor(Runnable::run)
                          .removalListener(this::removed)
                          .build();
    }

    private void removed(Object key, Object value, RemovalCause cause) {
        if (cause == RemovalCause.EXPLICIT) {
            listeners.forEach(listener -> listener.onEntryRemoved(key));
        } else if (cause.wasEvicted()) {
            listeners.forEach(listener -> listener.onEntryExpired(key));
        }
    }

    /** How many entries the cache holds now; evictions that are due may not have happened yet. */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> V get(K key) {
        Object value = entries.getIfPresent(key);
        if (value != null) {
            listeners.forEach(listener -> listener.onEntryRead(key, value));
        }
        return (V) value;
    }

    @Override
    public void put(Object key, Object value) {
        Object before = entries.asMap().put(key, value);
        listeners.forEach(listener -> {
            if (before == null) {
                listener.onEntryCreated(key, value);
            } else {
                listener.onEntryUpdated(key, value);
            }
        });
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        if (entries.asMap().putIfAbsent(key, value) != null) {
            return false;
        }
        listeners.forEach(listener -> listener.onEntryCreated(key, value));
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        boolean[] created = {false};
        Object value = entries.asMap().computeIfAbsent(key, absent -> {
            T computed = valueSupplier.get();
            if (computed == null) {
                throw new IllegalArgumentException("The supplier gave no value for key [" + key + "].");
            }
            created[0] = true;
            return computed;
        });
        if (created[0]) {
            listeners.forEach(listener -> listener.onEntryCreated(key, value));
        }
        return (T) value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        Object value = entries.asMap().computeIfPresent(key, (present, before) -> update.apply((V) before));
        if (value != null) {
            listeners.forEach(listener -> listener.onEntryUpdated(key, value));
        }
    }

    @Override
    public boolean remove(Object key) {
        return entries.asMap().remove(key) != null;
    }

    @Override
    public void removeAll() {
        entries.invalidateAll();
    }

    @Override
    public boolean containsKey(Object key) {
        return entries.asMap().containsKey(key);
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
