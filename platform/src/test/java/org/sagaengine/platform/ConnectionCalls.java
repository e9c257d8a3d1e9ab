package org.sagaengine.platform;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

/**
 * The calls made on a real database, counted: {@code getConnection} for each connection taken, and each call made
 * on those connections by its method's name, except that {@code setAutoCommit} is counted with its argument
 * ({@code setAutoCommit(false)}) and a rollback to a savepoint as {@code rollback(Savepoint)}.
 */
public final class ConnectionCalls {

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final DataSource counting;

    public ConnectionCalls(DataSource dataSource) {
        this.counting = (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, dataSource, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    count("getConnection");
                    return Proxy.newProxyInstance(
                            Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (c, call, callArgs) -> {
                                count(nameOf(call, callArgs));
                                return invoke(call, connection, callArgs);
                            });
                });
    }

    /** The database to hand to the code under test. */
    public DataSource dataSource() {
        return counting;
    }

    /** How many times {@code name} was called since the start or the last {@link #reset()}. */
    public int calls(String name) {
        return calls.getOrDefault(name, new AtomicInteger()).get();
    }

    public void reset() {
        calls.clear();
    }

    private void count(String name) {
        calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    }

    private static String nameOf(Method call, Object[] args) {
        if (call.getName().equals("setAutoCommit")) {
            return "setAutoCommit(" + args[0] + ")";
        }
        if (call.getName().equals("rollback") && call.getParameterCount() == 1) {
            return "rollback(Savepoint)";
        }
        return call.getName();
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException failure) {
            throw failure.getCause();
        }
    }
}
