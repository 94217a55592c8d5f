package io.parvirt.hypervisor.qmp;

import java.io.IOException;

/** QEMU answered with an error, or the monitor could not be reached. */
public final class QmpException extends IOException {
    private final String errorClass;

    public QmpException(String errorClass, String message) {
        super(message);
        this.errorClass = errorClass;
    }

    public String errorClass() {
        return errorClass;
    }
}
