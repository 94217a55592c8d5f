package io.parvirt.vswitch;

/**
 * How a partition's adapter reaches its switch port: QEMU's {@code -netdev stream} (frames over a
 * socket, no virtio-net header, so no offloads) or {@code -netdev vhost-user} (the switch reads and
 * writes the guest's virtqueues in shared memory and carries the header: checksum and TSO between
 * partitions). Chosen by {@code vswitch.transport}; shown per port.
 */
public enum Transport {
    STREAM,
    VHOST_USER;

    /** The configuration's spelling: {@code stream} or {@code vhost-user}. */
    public static Transport parse(String s) {
        return switch (s.strip()) {
            case "stream" -> STREAM;
            case "vhost-user" -> VHOST_USER;
            default -> throw new IllegalArgumentException("vswitch.transport must be stream or vhost-user, not " + s);
        };
    }

    public String spelling() {
        return this == STREAM ? "stream" : "vhost-user";
    }
}
