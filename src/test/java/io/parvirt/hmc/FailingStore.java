package io.parvirt.hmc;

import io.parvirt.store.Store;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;

/**
 * A real store with one method made to fail: the way to reach a command's handling of an
 * exception that no rule expects (a store whose events table went bad, say) through the real path.
 */
public final class FailingStore {
    private FailingStore() {
    }

    /** {@code real}, except that {@code method} throws what {@code failure} supplies (when not null). */
    public static Store failing(Store real, String method, Supplier<RuntimeException> failure) {
        InvocationHandler h = (proxy, m, args) -> {
            RuntimeException injected = m.getName().equals(method) ? failure.get() : null;
            if (injected != null) {
                throw injected;
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, h);
    }
}
