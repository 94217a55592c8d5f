package io.parvirt.vios;

import static io.parvirt.model.ViosStorage.minus;
import static io.parvirt.model.ViosStorage.plus;
import static io.parvirt.model.ViosStorage.replace;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.Media;
import io.parvirt.model.ViosStorage.Pool;
import io.parvirt.model.ViosStorage.Repository;
import io.parvirt.model.ViosStorage.Target;
import io.parvirt.model.ViosStorage.TargetKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;

/** The virtual media repository and file-backed optical media: mkrep, mkvopt, rmvopt, loadopt, unloadopt. */
final class MediaCommands {
    private MediaCommands() {
    }

    /** {@code mkrep -sp POOL -size SIZE}: one repository per VIOS, its capacity taken from the pool. */
    static String mkrep(ViosContext c, List<String> words) {
        Args a = Args.parse("mkrep", words, Set.of("-sp", "-size"), Set.of()).noPositional();
        long asked = Sizes.parseMb("-size", a.require("-size"));
        c.apply(s -> {
            if (s.repository() != null) {
                throw new ViosException(ViosException.Kind.NAME_IN_USE, "-sp", c.vios().name() + " already has a "
                        + "virtual media repository (in pool " + s.repository().pool() + "); a VIOS has one.");
            }
            Pool pool = StorageCommands.pool(s, a.require("-sp"));
            long size = RootVg.rounded(pool, asked);
            long free = RootVg.freeMb(s, pool);
            if (size > free) {
                throw new ViosException(ViosException.Kind.NO_SPACE, pool.name(), "The storage pool " + pool.name()
                        + " has " + free + " MB free; the repository needs " + size + " MB.");
            }
            Path dir = c.svc().repositoryDir(c.id());
            return new ViosService.Change(s.withRepository(new Repository(pool.name(), size)), "Virtual media "
                    + "repository (" + size + " MB) created in pool " + pool.name() + " on " + c.vios().name(),
                    () -> Files.createDirectories(dir), List.of());
        });
        return "";
    }

    /** {@code mkvopt -name N {-file ISO | -size SIZE} [-ro]}: the ISO is copied into the repository. */
    static String mkvopt(ViosContext c, List<String> words) {
        Args a = Args.parse("mkvopt", words, Set.of("-name", "-file", "-size"), Set.of("-ro")).noPositional();
        String name = a.require("-name");
        if (!ViosStorage.isValidMediaName(name)) {
            throw new ViosException(ViosException.Kind.USAGE, name, "The media name " + name + " is not valid: use "
                    + "1 to 64 letters, digits, '_', '-' or '.', not starting with '.'.");
        }
        if (a.has("-file") == a.has("-size")) {
            throw ViosException.usage("mkvopt", "give either -file or -size");
        }
        Path source = a.has("-file") ? HostFiles.readable(c, a.get("-file")) : null;
        long size;
        long bytes = 0;
        if (source != null) {
            if (!Files.isRegularFile(source)) {
                throw new ViosException(ViosException.Kind.NOT_FOUND, a.get("-file"), "The file " + a.get("-file")
                        + " does not exist or is not a regular file.");
            }
            try {
                bytes = Files.size(source);
                size = Math.max(1, (bytes + (1 << 20) - 1) >> 20);
            } catch (IOException e) {
                throw new ViosException(ViosException.Kind.IO, a.get("-file"), "The file " + a.get("-file")
                        + " cannot be read: " + e.getMessage() + ".");
            }
        } else {
            size = Sizes.parseMb("-size", a.get("-size"));
        }
        // A copy of gigabytes must not hold every other VIOS command: it is staged outside the
        // service's lock (as much as the file held when measured, so a growing file ends), and only
        // moved into place under it.
        Path staged = source == null ? null : MediaStaging.stage(c, source, name, size, bytes);
        try {
            createMedium(c, name, size, staged, a.has("-ro"));
        } finally {
            MediaStaging.discard(staged);
        }
        return "";
    }

    private static void createMedium(ViosContext c, String name, long size, Path staged, boolean readOnly) {
        c.apply(s -> {
            if (s.repository() == null) {
                throw noRepository(c);
            }
            if (s.medium(name).isPresent()) {
                throw ViosException.nameInUse(name, "a medium in the repository");
            }
            if (size > s.repositoryFreeMb()) {
                throw new ViosException(ViosException.Kind.NO_SPACE, name, "The virtual media repository has "
                        + s.repositoryFreeMb() + " MB free; the medium " + name + " needs " + size + " MB.");
            }
            Path target = c.svc().mediaPath(c.id(), name);
            ViosService.FileWork files = staged == null ? StorageCommands.sparseFile(target, size)
                    : new ViosService.FileWork() {
                        public void run() throws IOException {
                            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE,
                                    StandardCopyOption.REPLACE_EXISTING);
                        }

                        public void undo() {
                            target.toFile().delete();
                        }
                    };
            return new ViosService.Change(s.withMedia(plus(s.media(), new Media(name, size, readOnly))),
                    "Virtual optical medium " + name + " (" + size + " MB) created on " + c.vios().name(), files,
                    List.of());
        });
    }

    /** {@code rmvopt [-f] -name N}: refused while loaded unless {@code -f}, which unloads it first. */
    static String rmvopt(ViosContext c, List<String> words) {
        Args a = Args.parse("rmvopt", words, Set.of("-name"), Set.of("-f")).noPositional();
        String name = a.require("-name");
        c.apply(s -> {
            medium(s, name);
            List<Target> loaded = s.targets().stream().filter(t -> name.equals(t.media())).toList();
            if (!loaded.isEmpty() && !a.has("-f")) {
                throw new ViosException(ViosException.Kind.IN_USE, name, "The medium " + name + " is loaded in "
                        + loaded.getFirst().name() + "; unload it first (unloadopt -vtd " + loaded.getFirst().name()
                        + ") or use -f.");
            }
            ViosStorage next = s.withTargets(s.targets().stream().map(t -> name.equals(t.media()) ? t.withMedia(null)
                    : t).toList()).withMedia(minus(s.media(), m -> m.name().equals(name)));
            return new ViosService.Change(next, "Virtual optical medium " + name + " removed from "
                    + c.vios().name(), () -> { }, List.of(c.svc().mediaPath(c.id(), name)));
        });
        return "";
    }

    /**
     * {@code loadopt [-f] [-ro] -disk N -vtd vtoptN}: a drive already holding a medium needs -f; a
     * read-write medium can be in one drive only, a read-only one in several.
     */
    static String loadopt(ViosContext c, List<String> words) {
        Args a = Args.parse("loadopt", words, Set.of("-disk", "-vtd"), Set.of("-f", "-ro", "-release"))
                .noPositional();
        String name = a.require("-disk");
        String vtd = a.require("-vtd");
        c.apply(s -> {
            Media m = medium(s, name);
            Target t = optical(s, vtd);
            if (t.media() != null && !a.has("-f")) {
                throw new ViosException(ViosException.Kind.IN_USE, vtd, "The virtual optical device " + vtd
                        + " already holds " + t.media() + "; unload it first or use -f.");
            }
            if (!m.readOnly()) {
                var other = s.targets().stream().filter(x -> name.equals(x.media()) && !x.name().equals(vtd))
                        .findFirst();
                if (other.isPresent()) {
                    throw new ViosException(ViosException.Kind.IN_USE, name, "The read-write medium " + name + " is "
                            + "already loaded in " + other.get().name() + "; only read-only media load in several.");
                }
            }
            return new ViosService.Change(s.withTargets(replace(s.targets(), x -> x.name().equals(vtd),
                    t.withMedia(name))), "Medium " + name + " loaded in " + vtd + " on " + c.vios().name());
        });
        return "";
    }

    /** {@code unloadopt -vtd vtoptN}: an empty drive is an error. */
    static String unloadopt(ViosContext c, List<String> words) {
        Args a = Args.parse("unloadopt", words, Set.of("-vtd"), Set.of("-release")).noPositional();
        String vtd = a.require("-vtd");
        c.apply(s -> {
            Target t = optical(s, vtd);
            if (t.media() == null) {
                throw new ViosException(ViosException.Kind.INVALID_STATE, vtd, "The virtual optical device " + vtd
                        + " holds no medium.");
            }
            return new ViosService.Change(s.withTargets(replace(s.targets(), x -> x.name().equals(vtd),
                    t.withMedia(null))), "Medium " + t.media() + " unloaded from " + vtd + " on " + c.vios().name());
        });
        return "";
    }

    static Media medium(ViosStorage s, String name) {
        return s.medium(name).orElseThrow(() -> ViosException.notFound("virtual optical medium", name));
    }

    private static Target optical(ViosStorage s, String vtd) {
        return s.target(vtd).filter(t -> t.kind() == TargetKind.OPTICAL).orElseThrow(() -> new ViosException(
                ViosException.Kind.NOT_FOUND, vtd, "The virtual optical device " + vtd + " does not exist (mkvdev "
                + "-fbo makes one)."));
    }

    static ViosException noRepository(ViosContext c) {
        return new ViosException(ViosException.Kind.NOT_FOUND, "repository", c.vios().name() + " has no virtual "
                + "media repository: make one with mkrep -sp POOL -size SIZE.");
    }
}
