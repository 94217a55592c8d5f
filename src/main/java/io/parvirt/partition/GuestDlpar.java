package io.parvirt.partition;

import io.parvirt.dispatch.Dispatcher;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.Allocation;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.system.ManagedSystem;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.UnaryOperator;

/**
 * A DLPAR its operating system must take part in (virtual processors, cores, memory): checked,
 * carried out by the partition's supervisor through the monitor and the guest agent, recorded,
 * logged and dispatched. What the guest did not finish is reported with what the partition has now.
 */
final class GuestDlpar {
    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final Dispatcher dispatcher;
    private final ConfigChanges changes;

    GuestDlpar(ManagedSystem sys, Hypervisor hypervisor, Dispatcher dispatcher, ConfigChanges changes) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.dispatcher = dispatcher;
        this.changes = changes;
    }

    /** Runs one change; {@code what} names it for the event log ("added 1 virtual processor"). */
    Allocation run(Partition p, UnaryOperator<Allocation> check, Duration wait, String user, String what) {
        Allocation before = running(p);
        // Refused before anything is taken; the supervisor checks again when the job starts.
        hypervisor.status(p.id()).filter(st -> st.state() != io.parvirt.model.LparState.RUNNING || !st.agentActive())
                .ifPresent(st -> {
                    throw notRunning(p, st.state().hmcName() + (st.state() == io.parvirt.model.LparState.RUNNING
                            ? " but its guest agent is not answering" : ""));
                });
        Hypervisor.DlparResult r;
        try {
            r = hypervisor.dlpar(p.id(), check, sys.definition().lmbMb(), wait);
        } catch (IllegalStateException e) {
            throw notRunning(p, "not running");
        } catch (IOException e) {
            throw failed(p, e);
        } finally {
            if (dispatcher != null) {
                dispatcher.wake(); // new or fewer vCPU threads, units of dedicated cores, freed capacity
            }
        }
        Allocation a = r.allocation();
        String now = "now " + a.vcpus() + (a.dedicated() ? " dedicated processors, " : " virtual processors, ")
                + a.memMb() + " MB";
        sys.logEvent(user == null ? "hmc" : user, "dlpar", "Partition " + p.name() + " (id " + p.id() + "): " + what
                + (r.resized().complete() ? "" : " (incomplete: " + r.resized().detail() + ")") + "; " + now
                + " (was " + before.vcpus() + ", " + before.memMb() + " MB)");
        changes.changed(p.id());
        if (!r.resized().complete()) {
            throw ModelException.of(ModelException.Kind.INCOMPLETE, "The DLPAR operation on partition " + p.name()
                    + " (" + what + ") did not complete within " + minutes(wait) + ": " + r.resized().detail()
                    + ". The partition has " + now + ".");
        }
        return a;
    }

    /** What a running partition holds, else the HMC's refusal. */
    Allocation running(Partition p) {
        return hypervisor == null ? noHypervisor(p) : hypervisor.supervisor(p.id()).map(s -> s.status().allocation())
                .orElseThrow(() -> notRunning(p, "Not Activated"));
    }

    private static Allocation noHypervisor(Partition p) {
        throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "Partition " + p.name() + " cannot be changed "
                + "dynamically: this console has no hypervisor.");
    }

    private static ModelException notRunning(Partition p, String state) {
        return ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is " + state
                + ": processors and memory can be changed dynamically only on a Running partition whose operating "
                + "system answers (rmc_state=active). Change its profile with chsyscfg -r prof instead.");
    }

    private static ModelException failed(Partition p, IOException e) {
        Throwable c = e.getCause();
        if (c instanceof IllegalStateException) {
            return notRunning(p, c.getMessage().replaceFirst("^partition \\S+ is ", ""));
        }
        if (c instanceof UnsupportedOperationException) {
            return ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition " + p.name() + " cannot be "
                    + "changed dynamically: " + c.getMessage().replaceFirst("^partition \\S+ is ", "it is ") + ".");
        }
        if (c instanceof CancellationException) {
            return ModelException.of(ModelException.Kind.INCOMPLETE, "The DLPAR operation on partition " + p.name()
                    + " was stopped: " + c.getMessage().replaceFirst("^partition \\S+ ", "the partition ") + ".");
        }
        return ModelException.of(ModelException.Kind.INVALID_STATE, "The DLPAR operation on partition " + p.name()
                + " failed: " + e.getMessage() + ".");
    }

    private static String minutes(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " minutes" : d.toSeconds() + " seconds";
    }
}
