package org.sagaengine.order.saga;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the order a message is about: every message of the order's process names it with an {@code orderId()}, and the
 * saga engine's own events (a failed command, an operator's request) name it as the order saga's key.
 */
public final class OrderIds {

    private static final Map<Class<?>, Optional<Method>> ACCESSORS = new ConcurrentHashMap<>();

    private OrderIds() {
    }

    /** The order id the payload names, or null when it names none. */
    public static String of(Object payload) {
        String sagaKey = OrderSaga.DEFINITION.keyOf(payload);
        if (sagaKey != null) {
            return sagaKey;
        }
        return ACCESSORS.computeIfAbsent(payload.getClass(), type -> {
            try {
                Method accessor = type.getMethod("orderId");
                return accessor.getReturnType() == String.class ? Optional.of(accessor) : Optional.empty();
            } catch (NoSuchMethodException none) {
                return Optional.empty();
            }
        }).map(accessor -> {
            try {
                return (String) accessor.invoke(payload);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }).orElse(null);
    }
}
