package io.parvirt.partition;

/**
 * A migration as {@code lslparmigr -r lpar} shows it: where to, its state (the HMC's
 * {@code Migration Starting}, {@code Migration In Progress}, ...; {@code Migration Failed} after a
 * failure until {@code -o r}) and its progress in bytes of memory sent and still to send.
 */
public record MigrationStatus(int lparId, String name, String state, String destSystem, int destLparId,
        long bytesTransmitted, long bytesRemaining, boolean inactive) {
}
