package io.parvirt.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What one Virtual I/O Server serves: its file storage pools, the backing devices in them, the
 * virtual target devices that map them (or virtual optical drives) to its server adapters, its
 * virtual media repository and the media in it. Immutable; each change yields a new value.
 * Server adapters are named by slot (stable when adapters are added), not by vhostN.
 */
public record ViosStorage(int viosId, List<Pool> pools, List<BackingDevice> devices, List<Target> targets,
        Repository repository, List<Media> media) {

    public ViosStorage {
        if (viosId < 1 || viosId > Limits.MAX_LPARS) {
            throw new IllegalArgumentException("vios id " + viosId);
        }
        pools = List.copyOf(pools);
        devices = List.copyOf(devices);
        targets = List.copyOf(targets);
        media = List.copyOf(media);
    }

    public static ViosStorage empty(int viosId) {
        return new ViosStorage(viosId, List.of(), List.of(), List.of(), null, List.of());
    }

    /** A file storage pool (FBPOOL): a directory with a capacity. */
    public record Pool(String name, long sizeMb, boolean isDefault) {
        public Pool {
            deviceName("pool", name);
            positive("pool size", sizeMb);
        }
    }

    /** A file-backed disk in a pool: a sparse file of {@code sizeMb}. */
    public record BackingDevice(String name, String pool, long sizeMb) {
        public BackingDevice {
            deviceName("backing device", name);
            deviceName("pool", pool);
            positive("backing device size", sizeMb);
        }
    }

    /**
     * What a virtual target device maps: a backing device of a pool (DISK), a virtual optical drive
     * (OPTICAL), or a whole physical volume, a LUN of the SAN every VIOS of the system sees (PV).
     */
    public enum TargetKind { DISK, OPTICAL, PV }

    /**
     * A virtual target device on the server adapter in {@code serverSlot}, at LUN index {@code lun}
     * (1 prints as 0x8100000000000000). A disk names its backing device, a physical volume its LUN
     * (the LUN's file name in the SAN directory, which is its identity: the hdisk number is not
     * stable when LUNs come and go); an optical drive names the medium loaded in it, or null when empty.
     */
    public record Target(String name, int serverSlot, int lun, TargetKind kind, String backing, String media) {
        public Target {
            deviceName("virtual target device", name);
            if (lun < 1 || lun > 0x7f) {
                throw new IllegalArgumentException("lun " + lun);
            }
            if ((kind != TargetKind.OPTICAL) != (backing != null) || (kind != TargetKind.OPTICAL && media != null)) {
                throw new IllegalArgumentException("target " + name + ": a disk has a backing device, an optical "
                        + "drive may hold media");
            }
            if (kind == TargetKind.PV && !isValidMediaName(backing)) {
                throw new IllegalArgumentException("target " + name + ": LUN name " + backing);
            }
        }

        public Target withMedia(String m) {
            return new Target(name, serverSlot, lun, kind, backing, m);
        }
    }

    /** The virtual media repository: a capacity taken from a pool. */
    public record Repository(String pool, long sizeMb) {
        public Repository {
            deviceName("pool", pool);
            positive("repository size", sizeMb);
        }
    }

    /** A virtual optical medium in the repository. */
    public record Media(String name, long sizeMb, boolean readOnly) {
        public Media {
            mediaName(name);
            if (sizeMb < 0) {
                throw new IllegalArgumentException("media size " + sizeMb);
            }
        }
    }

    /** VIOS device names: 1 to 15 letters, digits, '_', '-', '.'; not starting with '.' (they are file names). */
    public static boolean isValidDeviceName(String s) {
        return s != null && s.matches("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,14}");
    }

    /** Media names are file names in the repository: 1 to 64 such characters, not starting with '.'. */
    public static boolean isValidMediaName(String s) {
        return s != null && s.matches("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,63}");
    }

    private static void deviceName(String what, String name) {
        if (!isValidDeviceName(name)) {
            throw new IllegalArgumentException(what + " name " + name);
        }
    }

    private static void mediaName(String name) {
        if (!isValidMediaName(name)) {
            throw new IllegalArgumentException("media name " + name);
        }
    }

    private static void positive(String what, long mb) {
        if (mb < 1) {
            throw new IllegalArgumentException(what + " " + mb);
        }
    }

    public Optional<Pool> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<BackingDevice> device(String name) {
        return devices.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    public Optional<Target> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The target that maps backing device {@code backing} of a pool (not a physical volume of that name). */
    public Optional<Target> targetOf(String backing) {
        return targets.stream().filter(t -> t.kind() == TargetKind.DISK && backing.equals(t.backing())).findFirst();
    }

    /** The target that maps the SAN LUN {@code lun} as a physical volume, if this VIOS maps it. */
    public Optional<Target> targetOfLun(String lun) {
        return targets.stream().filter(t -> t.kind() == TargetKind.PV && lun.equals(t.backing())).findFirst();
    }

    public Optional<Media> medium(String name) {
        return media.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Capacity of {@code pool} given out: its backing devices' full sizes and the repository's. */
    public long allocatedMb(String pool) {
        long used = devices.stream().filter(d -> d.pool().equals(pool)).mapToLong(BackingDevice::sizeMb).sum();
        return used + (repository != null && repository.pool().equals(pool) ? repository.sizeMb() : 0);
    }

    /** The repository's capacity not taken by media. */
    public long repositoryFreeMb() {
        return repository == null ? 0 : repository.sizeMb() - media.stream().mapToLong(Media::sizeMb).sum();
    }

    public ViosStorage withPools(List<Pool> p) {
        return new ViosStorage(viosId, p, devices, targets, repository, media);
    }

    public ViosStorage withDevices(List<BackingDevice> d) {
        return new ViosStorage(viosId, pools, d, targets, repository, media);
    }

    public ViosStorage withTargets(List<Target> t) {
        return new ViosStorage(viosId, pools, devices, t, repository, media);
    }

    public ViosStorage withRepository(Repository r) {
        return new ViosStorage(viosId, pools, devices, targets, r, media);
    }

    public ViosStorage withMedia(List<Media> m) {
        return new ViosStorage(viosId, pools, devices, targets, repository, m);
    }

    /** {@code list} plus {@code e}. */
    public static <T> List<T> plus(List<T> list, T e) {
        List<T> out = new ArrayList<>(list);
        out.add(e);
        return out;
    }

    /** {@code list} without the elements {@code drop} matches. */
    public static <T> List<T> minus(List<T> list, Predicate<T> drop) {
        return list.stream().filter(drop.negate()).toList();
    }

    /** {@code list} with the elements {@code match} selects replaced by {@code e}. */
    public static <T> List<T> replace(List<T> list, Predicate<T> match, T e) {
        return list.stream().map(x -> match.test(x) ? e : x).toList();
    }
}
