package io.parvirt.system;

import io.parvirt.durable.AtomicFile;
import static io.parvirt.model.ModelException.Kind.INVALID_STATE;
import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The profile data file of {@code bkprofdata} and {@code rstprofdata}: every partition, profile and
 * system profile of a managed system. It lives in the home's profile data directory (as the HMC
 * keeps it with the managed system) under a plain file name. Layout:
 *
 * <pre>
 *   PARVIRT-PROFDATA 1 length=N sha256=HEX\n     header: the body's byte length and digest
 *   { "system": ..., "partitions": [...], ... }   body: N bytes of JSON (the model records)
 * </pre>
 *
 * A file whose body is shorter or longer than N or whose digest differs is refused before anything
 * is read from it, so a truncated or damaged backup never reaches the definition.
 */
final class ProfileData {
    static final String MAGIC = "PARVIRT-PROFDATA 1";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What the file holds. */
    record Contents(String system, List<Partition> partitions, List<Profile> profiles,
            List<SystemProfile> systemProfiles) {
        Contents {
            partitions = List.copyOf(partitions);
            profiles = List.copyOf(profiles);
            systemProfiles = List.copyOf(systemProfiles);
        }
    }

    private ProfileData() {
    }

    /** The file {@code name} in {@code dir}: a plain name, nothing that leaves the directory. */
    static Path file(Path dir, String name) {
        if (dir == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "This console has no profile data directory.");
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ModelException(INVALID_VALUE, "-f", "The profile data file name " + io.parvirt.model.Values
                    .quote(name) + " is not valid: use 1 to 128 letters, digits, '.', '-' or '_' (a name in the "
                    + "profile data directory " + dir + ").");
        }
        return dir.resolve(name);
    }

    /** Written whole beside the target and renamed into place; an existing file only with {@code force}. */
    static void write(Path file, Contents c, boolean force) {
        if (Files.exists(file) && !force) {
            throw new ModelException(NAME_IN_USE, "-f", "The profile data file " + file.getFileName() + " already "
                    + "exists: give --force to replace it.");
        }
        try {
            byte[] body = JSON.writeValueAsBytes(c);
            byte[] header = (MAGIC + " length=" + body.length + " sha256=" + sha256(body) + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            Files.createDirectories(file.getParent());
            byte[] whole = java.util.Arrays.copyOf(header, header.length + body.length);
            System.arraycopy(body, 0, whole, header.length, body.length);
            AtomicFile.replace(file, whole);
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INTERNAL, "The profile data could not be written to "
                    + file + ": " + e.getMessage());
        }
    }

    /** The file's contents, once its length and digest are checked. */
    static Contents read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelException(INVALID_VALUE, "-f", "The profile data file " + file.getFileName()
                    + " was not found in " + file.getParent() + ".");
        } catch (IOException e) {
            throw new ModelException(INVALID_VALUE, "-f", "The profile data file " + file.getFileName()
                    + " could not be read: " + e.getMessage());
        }
        int nl = indexOf(all, (byte) '\n');
        String header = nl < 0 ? "" : new String(all, 0, nl, StandardCharsets.US_ASCII);
        var m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(MAGIC)
                + " length=(\\d{1,10}) sha256=([0-9a-f]{64})").matcher(header);
        if (!m.matches()) {
            throw damaged(file, "it is not a parvirt profile data file");
        }
        long length = Long.parseLong(m.group(1));
        byte[] body = java.util.Arrays.copyOfRange(all, nl + 1, all.length);
        if (body.length != length) {
            throw damaged(file, "it holds " + body.length + " bytes of profile data where its header says " + length
                    + " (truncated?)");
        }
        if (!sha256(body).equals(m.group(2))) {
            throw damaged(file, "its checksum does not match its contents");
        }
        try {
            return JSON.readValue(body, Contents.class);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, "its contents are not valid profile data (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")");
        }
    }

    private static ModelException damaged(Path file, String why) {
        return new ModelException(INVALID_VALUE, "-f", "The profile data file " + file.getFileName() + " is damaged: "
                + why + ". Nothing was restored.");
    }

    static ModelException active(String what, List<String> names) {
        return new ModelException(INVALID_STATE, "-l", "The profile data cannot be " + what + " while partitions "
                + String.join(", ", names) + " are active: shut them down first.");
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < Math.min(b.length, 256); i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
