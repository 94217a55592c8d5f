package io.parvirt.console;

/**
 * A snapshot of one console's counters. "Output" is what the guest wrote on its serial port;
 * "input" is what was sent to it. Drops are counted by reason, never logged one by one.
 *
 * @param outputBytes bytes read from QEMU's chardev (all of them reach the ring; the log unless it failed)
 * @param inputBytes bytes sent to the guest, from the vterm session or {@code write}
 * @param connects connections made to the chardev (more than one means QEMU dropped us and we came back)
 * @param sessions vterm sessions attached
 * @param refusedSessions vterm clients turned away because a session was already open
 * @param droppedOutputBytes output a vterm client was too slow to take
 * @param droppedInputBytes input that found no chardev connection to go to
 * @param droppedLines lines the listeners were too slow to take
 * @param logErrors failed writes or rotations of the log file
 * @param rotations log rotations
 * @param viewers read-only viewers attached (the view socket)
 */
public record Counters(long outputBytes, long inputBytes, long connects, long sessions, long refusedSessions,
        long droppedOutputBytes, long droppedInputBytes, long droppedLines, long logErrors, long rotations,
        long viewers) {
}
