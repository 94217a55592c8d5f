package io.parvirt.hypervisor;

import java.time.Duration;

/**
 * What a DLPAR asks of a running partition: the virtual processors its operating system should
 * have online and the memory it should have, both absolute; {@code lmbMb} is the granule memory is
 * accounted in, {@code timeout} the user's {@code -w}.
 */
public record Resize(int vcpus, long memMb, long lmbMb, Duration timeout) {
    public Resize {
        if (vcpus < 1 || memMb < 1 || lmbMb < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("resize to " + vcpus + " vCPUs, " + memMb + " MB, LMB " + lmbMb
                    + ", within " + timeout);
        }
    }
}
