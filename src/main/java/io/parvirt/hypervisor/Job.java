package io.parvirt.hypervisor;

/**
 * A long operation a {@link PartitionSupervisor} started: launching, waiting for the boot, a
 * delayed shutdown, a hard stop, a DLPAR that waits on the guest, a migration's stream (sent or received). A migration's stream
 * is stopped by interrupting it too, but it reports even then: the stream must be seen to be over. It runs on
 * its own virtual thread so that the supervisor's mailbox stays responsive, changes no state
 * itself and reports through the mailbox. A cancellable job is stopped by interrupting it; one that
 * is not (a launch, whose process must be known before it can be stopped; a hard stop, which is the
 * last word) makes requests wait until it reports.
 */
final class Job {
    enum Kind { LAUNCH, BOOT, STOP, HARD_STOP, DLPAR, MIGRATE, RECEIVE }

    private final Kind kind;
    private volatile Thread thread;

    private Job(Kind kind) {
        this.kind = kind;
    }

    static Job start(Kind kind, String name, java.util.function.Consumer<Job> body) {
        Job j = new Job(kind);
        j.thread = Thread.ofVirtual().name(name + "-" + kind.name().toLowerCase(java.util.Locale.ROOT))
                .unstarted(() -> body.accept(j));
        j.thread.start();
        return j;
    }

    Kind kind() {
        return kind;
    }

    boolean cancellable() {
        return kind == Kind.BOOT || kind == Kind.STOP || kind == Kind.DLPAR || kind == Kind.MIGRATE
                || kind == Kind.RECEIVE;
    }

    /** Interrupts the job: its blocking calls (sockets, waits) end and it returns without reporting. */
    void cancel() {
        thread.interrupt();
    }

    @Override
    public String toString() {
        return kind.name();
    }
}
