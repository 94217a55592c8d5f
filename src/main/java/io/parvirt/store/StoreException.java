package io.parvirt.store;

/** The store could not be read or written; nothing of the failed transaction was applied. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
