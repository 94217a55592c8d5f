package io.parvirt.vswitch;

/**
 * A virtual switch's limits. {@code macAgingSeconds}: a learned address not seen for longer is
 * forgotten (300, the IEEE 802.1Q default); {@code macLimitPerPort}: how many addresses one port
 * may have learned at a time (a port's own configured address never counts; 0 learns none);
 * {@code maxFrameSize}: the longest untagged frame in bytes (1518; a tagged frame may be 4 bytes
 * longer). Frames from QEMU carry no FCS, so 1518 leaves room for an MTU of 1504.
 */
public record SwitchSettings(int macAgingSeconds, int macLimitPerPort, int maxFrameSize) {
    public static final SwitchSettings DEFAULTS = new SwitchSettings(300, 256, 1518);
    /** A tagged frame of the largest size must still fit a stream port's length-prefixed buffer (64 KiB). */
    public static final int MAX_FRAME_SIZE_LIMIT = 65532;

    public SwitchSettings {
        if (macAgingSeconds < 1 || macAgingSeconds > 1_000_000) {
            throw new IllegalArgumentException("vswitch MAC aging must be 1..1000000 seconds, not " + macAgingSeconds);
        }
        if (macLimitPerPort < 0 || macLimitPerPort > 1_000_000) {
            throw new IllegalArgumentException("vswitch MAC limit per port must be 0..1000000, not " + macLimitPerPort);
        }
        if (maxFrameSize < 64 || maxFrameSize > MAX_FRAME_SIZE_LIMIT) {
            throw new IllegalArgumentException("vswitch maximum frame size must be 64.." + MAX_FRAME_SIZE_LIMIT
                    + " bytes, not " + maxFrameSize);
        }
    }
}
