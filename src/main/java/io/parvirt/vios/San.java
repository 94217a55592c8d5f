package io.parvirt.vios;

import io.parvirt.model.ViosStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The SAN a system's VIOSes are attached to ({@code vios.san=DIR}): each regular file in the
 * directory whose name is a valid medium name (1 to 64 of {@code [A-Za-z0-9_.-]}, not starting with
 * '.') is a LUN, and every VIOS of the system sees every LUN as a physical volume. The LUN's file
 * name is its identity: the unique identifier {@code chkdev} prints and the PVID are derived from
 * it, so two systems whose daemons name the same directory see the same disk with the same
 * identifier (what mobility matches). The disks are {@code hdisk1}, {@code hdisk2}, ... in the
 * order of the LUNs' names ({@code hdisk0} is the VIOS's own rootvg disk). A real site would use
 * multipath block devices zoned to both systems; a directory (on one host, or an NFS export) plays
 * that here.
 */
public record San(Path dir) {
    /** One LUN: its name (identity), its hdisk name on every VIOS of the system, its file and size. */
    public record Lun(String name, String hdisk, Path file, long sizeMb) {
        /** The unique identifier {@code chkdev} prints ({@code IDENTIFIER}), the same on every system. */
        public String identifier() {
            return "3E2136" + digest(name).substring(0, 32).toUpperCase(Locale.ROOT) + "PVRT03parvirtsan";
        }

        /** The physical volume id {@code lspv} prints: 16 hex digits. */
        public String pvid() {
            return "00c" + digest(name).substring(32, 45);
        }
    }

    /** A system without a SAN: its VIOSes see no LUN. */
    public static final San NONE = new San(null);

    /** The LUNs in name order, numbered from hdisk1; none when there is no SAN or it cannot be read. */
    public List<Lun> luns() {
        if (dir == null) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> ViosStorage.isValidMediaName(p.getFileName().toString()) && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
        List<Lun> out = new ArrayList<>();
        for (Path f : files) {
            long size;
            try {
                size = Files.size(f) >> 20;
            } catch (IOException e) {
                continue; // gone between the listing and now
            }
            out.add(new Lun(f.getFileName().toString(), "hdisk" + (out.size() + 1), f, size));
        }
        return out;
    }

    /** The LUN of that name, if the SAN has it. */
    public Optional<Lun> lun(String name) {
        return luns().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** The LUN seen as physical volume {@code hdisk} (hdisk1 and up), if there is one. */
    public Optional<Lun> disk(String hdisk) {
        return luns().stream().filter(l -> l.hdisk().equals(hdisk)).findFirst();
    }

    /** The file a mapped LUN is served from, whether or not it still exists (lsmap shows Defined then). */
    public Path file(String lun) {
        return dir == null ? Path.of("/nonexistent-san").resolve(lun) : dir.resolve(lun);
    }

    private static String digest(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
