package io.parvirt.hypervisor;

/**
 * Reference codes parvirt shows in {@code lsrefcode}. Real partitions show firmware progress and
 * error SRCs; these are parvirt's own, in the B2 (partition firmware error) and CA (progress) ranges.
 */
public enum RefCode {
    NONE("", ""),
    STARTING("CA00E1F0", "Partition is starting: QEMU is up, waiting for the guest agent"),
    SHUTTING_DOWN("CA00D004", "Partition is shutting down"),
    QEMU_FAILED("B200F001", "QEMU could not start the partition"),
    QEMU_EXITED("B200F002", "QEMU ended unexpectedly"),
    GUEST_PANIC("B200F003", "The guest operating system panicked"),
    BOOT_TIMEOUT("B200F004", "The guest agent did not answer within the boot timeout"),
    IMAGE_MISSING("B200F005", "The partition image is missing or incomplete"),
    LAUNCH_INVALID("B200F006", "The partition cannot be launched as configured"),
    STORAGE_SERVER_STARTING("CA00E1F1", "Virtual I/O Server is starting: waiting for its storage server to serve"),
    STORAGE_SERVER_FAILED("B200F007", "The Virtual I/O Server's storage server could not start"),
    STORAGE_SERVER_EXITED("B200F008", "The Virtual I/O Server's storage server ended unexpectedly");

    private final String code;
    private final String text;

    RefCode(String code, String text) {
        this.code = code;
        this.text = text;
    }

    public String code() {
        return code;
    }

    public String text() {
        return text;
    }
}
