package io.parvirt.hypervisor.qga;

import java.io.IOException;

/** The agent refused a command, or did not answer in time. */
public final class GuestAgentException extends IOException {
    private final boolean timedOut;

    public GuestAgentException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
