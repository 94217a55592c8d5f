package io.parvirt.hmc.command;

/** One HMC command, parsed: the families below hold one record per command and form. */
public sealed interface HmcCommand permits SyscfgCommand, PowerCommand, HwresCommand, UtilizationCommand,
        EventCommand, UserCommand, ViosCommand, ConsoleInfoCommand, LifecycleCommand, SysconnCommand,
        AccessCommand, MobilityCommand, BackupCommand, SnapshotCommand {

    /** The HMC command word ({@code lssyscfg}, ...): task roles are granted per command. */
    String verb();
}
