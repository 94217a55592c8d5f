package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qmp.Qmp;
import java.io.IOException;

/** One or a few quick QMP commands, run on a partition supervisor's thread ({@link Hypervisor#monitor}). */
@FunctionalInterface
public interface MonitorCall<T> {
    T call(Qmp qmp) throws IOException;
}
