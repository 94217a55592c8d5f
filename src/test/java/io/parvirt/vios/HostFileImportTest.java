package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 1: {@code mkvopt -file} copied any host file the daemon could read into a media
 * repository (the home's token by absolute path, through {@code ..}, through a link, by a relative
 * path), from where a partition could read it. An HMC user may import only files under the home's
 * import directory; the home's owner and hmcsuperadmin may name any file.
 */
@Tag("unit")
class HostFileImportTest {
    @TempDir
    Path dir;
    ViosRig rig;
    Path imports;
    Path secret;

    @BeforeEach
    void setUp() throws Exception {
        rig = ViosRig.defined(dir);
        assertThat(rig.hmc(List.of("mkhmcusr", "-u", "op1", "-a", "hmcoperator", "--passwd", "op-pass-1"))
                .exitCode()).isZero();
        assertThat(rig.hmc(List.of("mkhmcusr", "-u", "root1", "-a", "hmcsuperadmin", "--passwd", "root-pass-1"))
                .exitCode()).isZero();
        rig.ok("mkrep -sp rootvg -size 32M");
        imports = Files.createDirectories(rig.vios.importDir());
        secret = Files.writeString(dir.resolve("token"), "the home's secret token\n");
        Files.writeString(imports.resolve("install.iso"), "an install image\n");
        Files.createSymbolicLink(imports.resolve("escape.iso"), secret);
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    HmcResult as(String user, String command) {
        return rig.hmc.run(new HmcInvocation(List.of("viosvrcmd", "-m", ViosRig.SYS, "-p", "vios1", "-c", command),
                Map.of(), user));
    }

    @Test
    void anOperatorCannotImportAFileOutsideTheImportDirectoryByAnyRoute() {
        for (String path : List.of(secret.toString(), imports + "/../token", imports + "/escape.iso", "../token",
                "escape.iso")) {
            HmcResult r = as("op1", "mkvopt -name stolen -file " + path + " -ro");
            assertThat(r.exitCode()).as(path).isEqualTo(1);
            assertThat(r.stdout()).as(path).startsWith(ViosRig.REFUSED + "mkvopt: The file " + path + " is outside the import "
                    + "directory " + imports);
        }
        assertThat(rig.ok("lsvopt")).doesNotContain("stolen");
        assertThat(rig.file("2/repository/stolen")).doesNotExist();
    }

    @Test
    void anOperatorImportsFromTheImportDirectoryByNameOrPath() throws Exception {
        assertThat(as("op1", "mkvopt -name a.iso -file install.iso -ro").exitCode()).isZero();
        assertThat(as("op1", "mkvopt -name b.iso -file " + imports.resolve("install.iso") + " -ro").exitCode())
                .isZero();
        assertThat(Files.readString(rig.file("2/repository/a.iso"))).isEqualTo("an install image\n");
        assertThat(Files.readString(rig.file("2/repository/b.iso"))).isEqualTo("an install image\n");
        HmcResult missing = as("op1", "mkvopt -name c.iso -file nothing.iso");
        assertThat(missing.stdout()).startsWith(ViosRig.REFUSED + "mkvopt: The file nothing.iso does not exist in the import directory");
    }

    @Test
    void theOwnerAndASuperadminMayNameAnyHostFile() throws Exception {
        assertThat(as("root1", "mkvopt -name s1 -file " + secret + " -ro").exitCode()).isZero();
        assertThat(as("local:owner", "mkvopt -name s2 -file " + secret + " -ro").exitCode()).isZero();
        assertThat(Files.readString(rig.file("2/repository/s2"))).isEqualTo("the home's secret token\n");
    }
}
