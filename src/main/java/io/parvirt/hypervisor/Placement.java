package io.parvirt.hypervisor;

/**
 * Where a partition's process is placed for processor control: its cgroup
 * ({@link PartitionCgroup}) in production, nowhere in tests that must not touch the host's cgroups.
 */
interface Placement {
    void join(long pid);

    void remove();

    Placement NONE = new Placement() {
        @Override
        public void join(long pid) {
        }

        @Override
        public void remove() {
        }
    };

    static Placement of(PartitionCgroup c) {
        return new Placement() {
            @Override
            public void join(long pid) {
                c.join(pid);
            }

            @Override
            public void remove() {
                c.remove();
            }
        };
    }
}
