package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused VIOS command prints one line naming the device and the rule, exits 1 and changes nothing. */
@Tag("unit")
class ViosBadInputTest {
    @TempDir
    Path dir;
    ViosRig r;

    @BeforeEach
    void setUp() {
        r = ViosRig.defined(dir);
        r.ok("mksp -fb pool1 -size 10G");
        r.ok("mkbdsp -sp pool1 2G -bd bd1 -vadapter vhost0");
        r.ok("mkbdsp -sp pool1 512M -bd bd2");
        r.ok("mkvdev -fbo -vadapter vhost1");
        r.ok("mkrep -sp pool1 -size 1G");
        r.ok("mkvopt -name rw1 -size 10");
        r.ok("mkvopt -name ro1 -size 10 -ro");
        r.ok("loadopt -disk rw1 -vtd vtopt0");
    }

    @AfterEach
    void tearDown() {
        r.close();
    }

    /** Everything observable: the listings, the mapped devices and the files on disk. */
    String state() throws IOException {
        StringBuilder b = new StringBuilder();
        for (String c : List.of("lsmap -all", "lssp", "lssp -bd -sp pool1", "lsdev -virtual", "lsvopt", "lsrep")) {
            b.append(r.ok(c));
        }
        b.append(r.vios.mappedDevicesOf(5)).append(r.vios.mappedDevicesOf(6));
        try (Stream<Path> files = Files.walk(r.file(""))) {
            files.sorted().forEach(p -> b.append(p).append(Files.isRegularFile(p) ? sizeOf(p) : "").append('\n'));
        }
        return b.toString();
    }

    static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "mkbdsp -sp pool1 8G -bd bd3           | mkbdsp: The storage pool pool1 has 6656 MB free; the backing device bd3 needs 8192 MB.",
        "mkbdsp -sp pool1 0 -bd bd3            | mkbdsp: The size 0 given with size is not valid",
        "mkbdsp -sp pool1 -5G -bd bd3          | mkbdsp: The size -5G given with size is not valid",
        "mkbdsp -sp pool1 lots -bd bd3         | mkbdsp: The size lots given with size is not valid",
        "mkbdsp -sp pool1 99999G -bd bd3       | mkbdsp: The size 99999G given with size is not valid",
        "mkbdsp -sp pool1 1G -bd bd2           | mkbdsp: The name bd2 is already used by a backing device.",
        "mkbdsp -sp pool1 1G -bd pool1         | mkbdsp: The name pool1 is already used by a storage pool.",
        "mkbdsp -sp pool1 1G -bd vtscsi0       | mkbdsp: The name vtscsi0 is already used by a virtual target device.",
        "mkbdsp -sp pool1 1G -bd ../x          | mkbdsp: The name ../x given to mkbdsp is not valid",
        "mkbdsp -sp nopool 1G -bd bd3          | mkbdsp: The storage pool nopool does not exist.",
        "mkbdsp -sp pool1 1G -bd bd3 -vadapter vhost9 | mkbdsp: The virtual SCSI server adapter vhost9 does not exist on vios1",
        "mksp -fb pool1 -size 1G               | mksp: The name pool1 is already used by a storage pool.",
        "mksp -fb pool9 -size 0                | mksp: The size 0 given with -size is not valid",
        "mksp -fb pool9 -sp rootvg -size 1G    | mksp: A file storage pool cannot be made inside another pool",
        "mkvdev -vdev bd2 -vadapter vhost9     | mkvdev: The virtual SCSI server adapter vhost9 does not exist",
        "mkvdev -vdev bd1 -vadapter vhost1     | mkvdev: The backing device bd1 is already mapped by vtscsi0",
        "mkvdev -vdev nobd -vadapter vhost1    | mkvdev: The backing device nobd does not exist",
        "mkvdev -vdev bd2 -vadapter vhost1 -dev vtopt0 | mkvdev: The name vtopt0 is already used by a virtual target device.",
        "mkvdev -fbo -vadapter vhost0 -dev bd1 | mkvdev: The name bd1 is already used by a backing device.",
        "mkvdev -vdev bd2                      | mkvdev: Incorrect usage of mkvdev: -vadapter is required.",
        "rmbdsp -bd bd1                        | rmbdsp: The backing device bd1 is mapped by vtscsi0; remove the mapping first",
        "rmbdsp -bd nobd                       | rmbdsp: The backing device nobd does not exist.",
        "rmvdev -vtd vtscsi7                   | rmvdev: The virtual target device vtscsi7 does not exist.",
        "rmsp pool1                            | rmsp: The storage pool pool1 still holds backing devices",
        "mkrep -sp pool1 -size 1G              | mkrep: vios1 already has a virtual media repository",
        "mkvopt -name rw1 -size 1              | mkvopt: The name rw1 is already used by a medium in the repository.",
        "mkvopt -name big -size 2G             | mkvopt: The virtual media repository has 1004 MB free; the medium big needs 2048 MB.",
        "mkvopt -name x -file /nonexistent.iso | mkvopt: The file /nonexistent.iso does not exist",
        "rmvopt -name rw1                      | rmvopt: The medium rw1 is loaded in vtopt0",
        "loadopt -disk ro1 -vtd vtopt0         | loadopt: The virtual optical device vtopt0 already holds rw1",
        "loadopt -disk ro1 -vtd vtscsi0        | loadopt: The virtual optical device vtscsi0 does not exist",
        "loadopt -disk nomedia -vtd vtopt0     | loadopt: The virtual optical medium nomedia does not exist.",
        "chsp -default nopool                  | chsp: The storage pool nopool does not exist.",
        "lsmap -vadapter vhost9                | lsmap: The virtual SCSI server adapter vhost9 does not exist",
        "lssp -bd -sp nopool                   | lssp: The storage pool nopool does not exist.",
        "mklv rootvg 1G                        | mklv: The command mklv is not a valid Virtual I/O Server command here.",
        "lsmap -all -bogus                     | lsmap: Incorrect usage of lsmap: the flag -bogus is not valid.",
        "'mkbdsp -sp pool1 1G -bd \"bd3'        | viosvrcmd: The command line has an unclosed quote.",
    })
    void refusedAndNothingChanged(String command, String message) throws IOException {
        String before = state();
        HmcResult res = r.vios(command);
        assertThat(res.exitCode()).as(res.stdout()).isEqualTo(1);
        assertThat(res.stdout()).startsWith(ViosRig.REFUSED + message).endsWith("\n");
        assertThat(res.stdout().strip()).doesNotContain("\n");
        assertThat(state()).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource({"lp1", "nope"})
    void viosvrcmdOnAClientOrUnknownPartitionChangesNothing(String partition) throws IOException {
        String before = state();
        HmcResult res = r.hmc(List.of("viosvrcmd", "-m", "sys1", "-p", partition, "-c", "mksp -fb p2 -size 1G"));
        assertThat(res.exitCode()).isEqualTo(1);
        assertThat(res.stdout()).startsWith("HSCL");
        assertThat(state()).isEqualTo(before);
    }
}
