package io.parvirt.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The few file operations cgroup control needs, as one narrow interface: in production the host's
 * own cgroupfs ({@link #LOCAL}); in the cgroup v2 test a guest's, reached through its guest agent
 * (the host here runs cgroup v1, so a real v2 kernel is only found inside a partition). Paths are
 * absolute paths of the machine the files are on.
 */
public interface CgroupFiles {
    /** The whole content of a (small) file. */
    String read(Path file) throws IOException;

    /** One write of {@code value}: cgroupfs applies each write as it comes, and refuses bad ones. */
    void write(Path file, String value) throws IOException;

    boolean exists(Path path);

    void createDirectories(Path dir) throws IOException;

    /** The child directories of {@code dir} (a cgroup's child groups); empty when it is gone. */
    List<Path> directories(Path dir);

    /** Removes an empty directory (rmdir); no error when it does not exist. */
    void removeDirectory(Path dir) throws IOException;

    /** The host's own files. */
    CgroupFiles LOCAL = new CgroupFiles() {
        @Override
        public String read(Path file) throws IOException {
            return Files.readString(file);
        }

        @Override
        public void write(Path file, String value) throws IOException {
            Files.writeString(file, value);
        }

        @Override
        public boolean exists(Path path) {
            return Files.exists(path);
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            Files.createDirectories(dir);
        }

        @Override
        public List<Path> directories(Path dir) {
            try (var s = Files.list(dir)) {
                return s.filter(Files::isDirectory).toList();
            } catch (IOException e) {
                return List.of(); // gone already
            }
        }

        @Override
        public void removeDirectory(Path dir) throws IOException {
            Files.deleteIfExists(dir);
        }
    };
}
