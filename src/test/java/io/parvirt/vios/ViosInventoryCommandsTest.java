package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: the viosvrcmd forms inventory and monitoring tools send (ioslevel, lsmap -fmt/-field,
 * lsmap -npiv, lspv -free/-size, chkdev, lsdev and its -dev/-vpd/-attr forms, license, entstat,
 * fcstat), with the VIOS's columns, and errors that can never be read as a device.
 */
@Tag("unit")
class ViosInventoryCommandsTest {
    @TempDir
    Path dir;
    ViosRig r;

    @BeforeEach
    void setUp() {
        r = ViosRig.defined(dir);
        HmcResult eth = r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i", "name=default,lpar_name=vios1,"
                + "\"virtual_eth_adapters=3/0/1//1/0,2/0/10//0/0\""));
        assertThat(eth.exitCode()).as(eth.stdout()).isZero();
        r.ok("mksp -fb pool1 -size 10G");
        r.ok("mkbdsp -sp pool1 2G -bd bd1 -vadapter vhost0");
        r.ok("mkvdev -fbo -vadapter vhost0");
    }

    @AfterEach
    void tearDown() {
        r.close();
    }

    String loc() {
        return "UPVRT.KVM.12345AB-V2-C";
    }

    @Test
    void ioslevelIsAModernLevel() {
        assertThat(r.ok("ioslevel")).isEqualTo("3.1.4.30\n");
        assertThat(r.ok("ioscli ioslevel")).isEqualTo("3.1.4.30\n");
    }

    @Test
    void lsmapWithADelimiterIsOneLinePerAdapterWithoutHeader() {
        String bd1 = r.file("2/pools/pool1/bd1").toString();
        assertThat(r.ok("lsmap -all -fmt :")).isEqualTo(""
                + "vhost0:" + loc() + "11:0x00000005:vtscsi0:Available:0x8100000000000000:" + bd1 + ": :false:"
                + "vtopt0:Available:0x8200000000000000: : :N/A\n"
                + "vhost1:" + loc() + "12:0x00000006\n"
                + "vhost2:" + loc() + "13:0x00000000\n");
        assertThat(r.ok("lsmap -vadapter vhost0 -field svsa clientid vtd backing -fmt ,")).isEqualTo(
                "vhost0,0x00000005,vtscsi0," + bd1 + ",vtopt0, \n");
        assertThat(r.ok("lsmap -all -field SVSA clientid -fmt : -dec")).isEqualTo("vhost0:5\nvhost1:6\nvhost2:0\n");
        // no virtual Fibre Channel server adapter: an empty answer, exit 0
        HmcResult npiv = r.vios("lsmap -all -npiv -fmt :");
        assertThat(npiv.exitCode()).isZero();
        assertThat(npiv.stdout()).isEmpty();
        assertThat(r.vios("lsmap -all -field nosuch -fmt :").stdout()).startsWith(ViosRig.REFUSED + "lsmap: ");
    }

    @Test
    void lspvShowsTheBootDiskInRootvgAndNoFreeVolume() {
        String pvid = r.ok("lspv -fmt :").split(":")[1];
        assertThat(pvid).matches("00[0-9a-f]{14}");
        assertThat(r.ok("lspv")).isEqualTo(""
                + "NAME             PVID                                 VG               STATUS\n"
                + "hdisk0           " + pvid + "                     rootvg           active\n");
        assertThat(r.ok("lspv -size -fmt :")).isEqualTo("hdisk0:" + pvid + ":32768\n");
        assertThat(r.ok("lspv -size")).endsWith("hdisk0           " + pvid + "                     32768\n");
        assertThat(r.vios("lspv -free -fmt :")).extracting(HmcResult::stdout, HmcResult::exitCode)
                .containsExactly("", 0);
        assertThat(r.ok("lspv -free")).isEqualTo("NAME            PVID                                SIZE(megabytes)\n");
    }

    @Test
    void chkdevGivesTheFieldsAsked() {
        String pvid = r.ok("lspv -fmt :").split(":")[1];
        assertThat(r.ok("chkdev -fmt : -field name identifier")).matches("hdisk0:3E2136[0-9A-F]{16}\\S+\n");
        String verbose = r.ok("chkdev -dev hdisk0 -verbose");
        assertThat(verbose).startsWith("NAME:                hdisk0\nIDENTIFIER:          3E2136")
                .contains("\nPHYS2VIRT_CAPABLE:   NO\nVIRT2NPIV_CAPABLE:   NA\nVIRT2PHYS_CAPABLE:   NA\n")
                .contains("\nPVID:                " + pvid + "0000000000000000\n").endsWith("\n\n");
        HmcResult other = r.vios("chkdev -dev hdisk9 -verbose");
        assertThat(other.exitCode()).isEqualTo(1);
        assertThat(other.stdout()).isEqualTo(ViosRig.REFUSED + "chkdev: Device hdisk9 is not a physical volume.\n");
    }

    @Test
    void lsdevListsEveryDeviceAndTheSharedEthernetAdapterForEachTrunk() {
        assertThat(r.ok("lsdev")).isEqualTo(""
                + "name             status      description\n"
                + "ent0             Available   Virtual I/O Ethernet Adapter (l-lan)\n"
                + "ent1             Available   Virtual I/O Ethernet Adapter (l-lan)\n"
                + "ent2             Available   Shared Ethernet Adapter\n"
                + "hdisk0           Available   Virtual SCSI Disk Drive\n"
                + "vhost0           Available   Virtual SCSI Server Adapter\n"
                + "vhost1           Available   Virtual SCSI Server Adapter\n"
                + "vhost2           Available   Virtual SCSI Server Adapter\n"
                + "vsa0             Available   LPAR Virtual Serial Adapter\n"
                + "vtopt0           Available   Virtual Target Device - File-backed Optical\n"
                + "vtscsi0          Available   Virtual Target Device - File-backed Disk\n");
        assertThat(r.ok("lsdev -type sea -field name -fmt :")).isEqualTo("ent2\n");
        assertThat(r.ok("lsdev -dev ent2")).isEqualTo("name             status      description\n"
                + "ent2             Available   Shared Ethernet Adapter\n");
        // ent0 is the adapter in slot 2 (slot order), the trunk in slot 3 is ent1, bridged by ent2
        assertThat(r.ok("lsdev -dev ent2 -attr")).contains("\npvid            1 ")
                .contains("\npvid_adapter    ent1 ").startsWith("attribute       value ");
        assertThat(r.ok("lsdev -dev ent2 -attr pvid")).isEqualTo("value\n\n1\n");
        assertThat(r.ok("lsdev -dev vtscsi0 -attr aix_tdev")).isEqualTo("value\n\nbd1\n");
        assertThat(r.ok("lsdev -dev ent0 -vpd")).isEqualTo(""
                + "  ent0             " + loc() + "2-T1  Virtual I/O Ethernet Adapter (l-lan)\n\n"
                + "        Displayable Message.........Virtual I/O Ethernet Adapter (l-lan)\n"
                + "        Hardware Location Code......" + loc() + "2-T1\n\n");
        assertThat(r.ok("lsdev -vpd")).contains("  hdisk0 ").contains("  vtscsi0 ");
        HmcResult none = r.vios("lsdev -dev fcs0");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stdout()).isEqualTo(ViosRig.REFUSED + "lsdev: Device \"fcs0\" is not in AVAILABLE state.\n");
        assertThat(r.vios("lsdev -dev ent2 -attr nosuch").exitCode()).isEqualTo(1);
    }

    @Test
    void licenseIsAcceptedAndFibreChannelIsAbsent() {
        assertThat(r.vios("license -accept")).extracting(HmcResult::stdout, HmcResult::exitCode).containsExactly("", 0);
        assertThat(r.ok("license")).isEqualTo("The license has been accepted\n");
        HmcResult fc = r.vios("fcstat -e fcs0");
        assertThat(fc.exitCode()).isEqualTo(1);
        assertThat(fc.stdout()).startsWith(ViosRig.REFUSED + "fcstat: Error opening device: /dev/fcs0").doesNotContain("\n\n");
    }

    @Test
    void entstatPrintsTheAdaptersCountersAndRefusesWhatIsNotEthernet() {
        String out = r.ok("entstat -all ent1");
        assertThat(out).startsWith("-".repeat(61) + "\nETHERNET STATISTICS (ent1) :\n"
                + "Device Type: Virtual I/O Ethernet Adapter (l-lan)\nHardware Address: ")
                .contains("Transmit Statistics:                          Receive Statistics:\n")
                .contains("Packets: 0                                    Packets: 0\n")
                .endsWith("Trunk Adapter: True\n");
        HmcResult vhost = r.vios("entstat -all vhost0");
        assertThat(vhost.exitCode()).isEqualTo(1);
        assertThat(vhost.stdout()).isEqualTo(ViosRig.REFUSED + "entstat: entstat: 0909-003 Unable to connect to device vhost0, errno = 19\n");
    }

    @Test
    void anUnknownFormIsTheViosErrorNeverData() {
        for (String c : List.of("lspv -bogus", "ioslevel extra", "lsmap -all -fmt", "entstat", "chkdev -dev")) {
            HmcResult res = r.vios(c);
            assertThat(res.exitCode()).as(c).isEqualTo(1);
            assertThat(res.stdout()).as(c).startsWith(ViosRig.REFUSED + c.split(" ")[0] + ": ").endsWith("\n")
                    .satisfies(s -> assertThat(s.lines().count()).isOne());
        }
    }
}
