package io.parvirt.hmc.command;

/** One HMC command, parsed: the families below hold one record per command and form. */
public sealed interface HmcCommand permits SyscfgCommand, PowerCommand, HwresCommand, UtilizationCommand,
        EventCommand, UserCommand, ViosCommand, ConsoleInfoCommand, LifecycleCommand, SysconnCommand,
        AccessCommand, MobilityCommand, BackupCommand, SnapshotCommand {

    /**
     * The HMC command word ({@code lssyscfg}, ...): task roles are granted per command. A record
     * names it with {@link Verb}; one whose word depends on its fields overrides this.
     */
    default String verb() {
        Verb v = getClass().getAnnotation(Verb.class);
        if (v == null) {
            throw new IllegalStateException(getClass().getName() + " names no @Verb");
        }
        return v.value();
    }
}
