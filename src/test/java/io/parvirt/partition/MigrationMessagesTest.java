package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.hypervisor.Accelerator;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.Allocation;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharingMode;
import io.parvirt.remote.Peer;
import io.parvirt.remote.PeerClient;
import io.parvirt.remote.SystemAddress;
import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a migration's source and target daemons say to each other (issue 14): the request arrives
 * whole (definition, profiles, allocation, running configuration), a refusal keeps its kind (so the
 * source prints the destination's HSCL code), a body that is no request is refused, and the stream's
 * address is one the source can reach.
 */
@Tag("unit")
class MigrationMessagesTest {
    @TempDir
    Path dir;

    @Test
    void aRequestCrossesTheWireWhole() throws Exception {
        try (InProcessSystem s = new InProcessSystem(dir)) {
            s.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=mob,profile_name=default,lpar_env=aixlinux,"
                    + "min_mem=256,desired_mem=256,max_mem=512,min_procs=1,desired_procs=1,max_procs=2,"
                    + "virtual_eth_adapters=2/0/1//0/0");
            Partition p = s.sys.definition().partition("mob").orElseThrow();
            LaunchSpec spec = new LaunchSpec("/usr/bin/qemu-system-x86_64", "mob", p.id(), "00000000-0000-4000-8000-"
                    + "000000000001", 256, 512, 1, 2, Accelerator.TCG, Path.of("/img/vmlinuz"), Path.of("/img/initrd"),
                    null, "console=ttyS0", Path.of("/run/lpar/1"), List.of(new LaunchSpec.Nic(2, "0E5056000102",
                    "ETHERNET0", 1, false, List.of(), 0, "none", false)), List.of(), null, 256, 10, List.of(), "parvirt-qemu", null);
            MigrationRequest r = new MigrationRequest("sys1", p, List.copyOf(s.sys.definition().profiles(p.id())), "default",
                    new Allocation(p.id(), 256, new ProcUnits(10), 1, false, SharingMode.UNCAP, 128, 0, null, 256, 512),
                    spec, 256, List.of(new MigrationRequest.Disk(2, 1, "mobdisk", "lun1", "3E2136ABCDPVRT03parvirtsan")),
                    io.parvirt.hypervisor.StreamKey.fresh(), List.of(new MigrationRequest.ScsiChoice(2, "VIOS3", 3, 0),
                    new MigrationRequest.ScsiChoice(3, null, 1, 7)));

            String wire = new ObjectMapper().writeValueAsString(MigrationMessages.request(r));
            MigrationRequest back = MigrationMessages.request(new ObjectMapper().readTree(wire));

            assertThat(back).isEqualTo(r);
            // a source without SAN disks (or an older one) sends none
            var old = MigrationMessages.request(r);
            ((com.fasterxml.jackson.databind.node.ObjectNode) old).remove("disks");
            assertThat(MigrationMessages.request(old).disks()).isEmpty();
            ((com.fasterxml.jackson.databind.node.ObjectNode) old).remove("scsiChoices");
            assertThat(MigrationMessages.request(old).scsiChoices()).isEmpty();
            assertThat(back.suspended()).isFalse();
            assertThat(back.inactive()).isFalse();

            // a Suspended partition: its machine and allocation as recorded, and its saved state's name
            MigrationRequest suspended = new MigrationRequest("sys1", p, r.profiles(), "default", r.allocation(), spec,
                    256, r.disks(), null, List.of(), Suspension.stateFileName(p));
            MigrationRequest sBack = MigrationMessages.request(new ObjectMapper().readTree(new ObjectMapper()
                    .writeValueAsString(MigrationMessages.request(suspended))));
            assertThat(sBack).isEqualTo(suspended);
            assertThat(sBack.suspended()).isTrue();
            assertThat(sBack.inactive()).as("nothing streams").isTrue();

            // its snapshots (issue 19): a memory snapshot's machine and file, and a disk-only one after it
            var chain = new SnapshotRecords.Chain("s2", List.of(new SnapshotRecords.Snapshot("s1", p.id(), "mob", 1000L,
                    "", true, "Running", "default", "before", new io.parvirt.hypervisor.Hypervisor.SavedState(spec,
                    "default", r.allocation(), Path.of("/san/.parvirt-reserved/parvirt-snap-x-s1.mem"))),
                    new SnapshotRecords.Snapshot("s2", p.id(), "mob", 2000L, "s1", false, "Running", "default", "",
                            null)));
            MigrationRequest withSnapshots = r.withSnapshots(chain);
            assertThat(MigrationMessages.request(new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(
                    MigrationMessages.request(withSnapshots))))).isEqualTo(withSnapshots);
            assertThat(withSnapshots.snapshots()).isEqualTo(chain);
            assertThat(r.withSnapshots(SnapshotRecords.Chain.EMPTY).snapshots()).as("none: none sent").isNull();
        }
    }

    @Test
    void anOfferAnswersWhichViosesSeeEachLunAsked() {
        var q = MigrationMessages.units(new ProcUnits(20), List.of("ID1", "ID2"));
        assertThat(MigrationMessages.units(q)).isEqualTo(new ProcUnits(20));
        assertThat(MigrationMessages.identifiers(q)).containsExactly("ID1", "ID2");
        assertThat(MigrationMessages.identifiers(new ObjectMapper().createObjectNode())).isEmpty();

        var v1 = new MigrationOffer.Member(1, "vios1");
        var v2 = new MigrationOffer.Member(2, "vios2");
        MigrationOffer o = new MigrationOffer(List.of(v1, v2), List.of(), List.of(
                new MigrationOffer.LunHosts("ID1", List.of(v1, v2)), new MigrationOffer.LunHosts("ID2", List.of(v2))));
        MigrationOffer back = MigrationMessages.offer(MigrationMessages.offer(o));
        assertThat(back).isEqualTo(o);
        assertThat(back.hosting(List.of("ID1", "ID2"))).containsExactly(v2);
        assertThat(back.hosting(List.of("ID3"))).isEmpty();
        assertThat(back.hosting(List.of())).containsExactly(v1, v2);
    }

    @Test
    void refusalsKeepTheirKindAndPartition() {
        List<ModelException> sent = List.of(
                ModelException.ofPartition(ModelException.Kind.NAME_IN_USE, "mob", "A partition named mob exists."),
                ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "Not enough memory."));
        List<ModelException> got = MigrationMessages.refusals(MigrationMessages.refusals(sent));
        assertThat(got).extracting(ModelException::kind).containsExactly(ModelException.Kind.NAME_IN_USE,
                ModelException.Kind.INSUFFICIENT_RESOURCES);
        assertThat(got).extracting(ModelException::partition).containsExactly("mob", null);
        assertThat(got).extracting(ModelException::getMessage).containsExactly("A partition named mob exists.",
                "Not enough memory.");
    }

    @Test
    void aBodyThatIsNoRequestIsRefused() throws Exception {
        for (String body : List.of("{}", "[]", "{\"partition\":1}", "{\"sourceSystem\":\"x\",\"nope\":{}}")) {
            assertThatThrownBy(() -> MigrationMessages.request(new ObjectMapper().readTree(body))).as(body)
                    .isInstanceOfSatisfying(ModelException.class,
                            e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.INVALID_VALUE));
        }
    }

    @Test
    void aWildcardOrLoopbackStreamAddressIsTheOneThePeerIsReachedAt() {
        PeerClient client = new PeerClient(new Peer(new SystemAddress("10.77.0.3", 12443), "hscroot", "pw",
                "AB:CD", "sys3", ""), PeerClient.Timeouts.DEFAULT);
        RemoteMobilityTarget t = new RemoteMobilityTarget("sys3", client);
        assertThat(t.reachable("tcp:10.77.0.3:4444")).isEqualTo("tcp:10.77.0.3:4444");
        assertThat(t.reachable("tcp:0.0.0.0:4444")).isEqualTo("tcp:10.77.0.3:4444");
        assertThat(t.reachable("tcp:127.0.0.1:4444")).isEqualTo("tcp:10.77.0.3:4444");
        assertThatThrownBy(() -> t.reachable("exec:rm -rf /")).isInstanceOf(ModelException.class);
    }

    @Test
    void anIpv6StreamAddressIsBracketedAndAWildcardOneIsThePeers() {
        assertThat(MobilityReceiver.streamHost("fd00:77::3")).isEqualTo("[fd00:77::3]");
        assertThat(MobilityReceiver.streamHost("10.77.0.3")).isEqualTo("10.77.0.3");
        assertThat(MobilityReceiver.streamHost("[fd00:77::3]")).isEqualTo("[fd00:77::3]");
        PeerClient client = new PeerClient(new Peer(new SystemAddress("fd00:77::3", 12443), "hscroot", "pw",
                "AB:CD", "sys3", ""), PeerClient.Timeouts.DEFAULT);
        RemoteMobilityTarget t = new RemoteMobilityTarget("sys3", client);
        assertThat(t.reachable("tcp:[fd00:77::3]:4444")).isEqualTo("tcp:[fd00:77::3]:4444");
        assertThat(t.reachable("tcp:[::]:4444")).isEqualTo("tcp:[fd00:77::3]:4444");
        assertThat(t.reachable("tcp:[::1]:4444")).isEqualTo("tcp:[fd00:77::3]:4444");
    }
}
