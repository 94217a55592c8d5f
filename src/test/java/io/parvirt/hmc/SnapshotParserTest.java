package io.parvirt.hmc;

import static io.parvirt.hmc.CommandParserTest.parse;
import static io.parvirt.hmc.CommandParserTest.rejects;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.SnapshotCommand.ListSnapshots;
import io.parvirt.hmc.command.SnapshotCommand.RemoveSnapshot;
import io.parvirt.hmc.command.SnapshotCommand.RevertSnapshot;
import io.parvirt.hmc.command.SnapshotCommand.TakeSnapshot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 19: {@code mklparsnap}, {@code lslparsnap}, {@code rstlparsnap} and {@code rmlparsnap} from their words. */
@Tag("unit")
class SnapshotParserTest {
    @Test
    void mklparsnapTakesMemoryUnlessNomemAndAnOptionalDescription() {
        assertThat(parse("mklparsnap", "-m", "sys1", "-p", "A", "-n", "s1"))
                .isEqualTo(new TakeSnapshot("sys1", new PartitionRef.ByName("A"), "s1", true, ""));
        assertThat(parse("mklparsnap", "-m", "sys1", "--id", "3", "-n", "s1", "--nomem", "-d", "before the upgrade"))
                .isEqualTo(new TakeSnapshot("sys1", new PartitionRef.ById(3), "s1", false, "before the upgrade"));
    }

    @Test
    void lslparsnapListsOnePartitionOrAll() {
        ListSnapshots all = (ListSnapshots) parse("lslparsnap", "-m", "sys1");
        assertThat(all.partition()).isNull();
        ListSnapshots one = (ListSnapshots) parse("lslparsnap", "-m", "sys1", "-p", "A", "-F", "name,parent",
                "--header");
        assertThat(one.partition()).isEqualTo(new PartitionRef.ByName("A"));
        assertThat(one.format().fields()).isEqualTo("name,parent");
        assertThat(one.format().header()).isTrue();
    }

    @Test
    void revertAndDeleteNameThePartitionAndTheSnapshot() {
        assertThat(parse("rstlparsnap", "-m", "sys1", "-p", "A", "-n", "s1"))
                .isEqualTo(new RevertSnapshot("sys1", new PartitionRef.ByName("A"), "s1"));
        assertThat(parse("rmlparsnap", "-m", "sys1", "--id", "2", "-n", "s1"))
                .isEqualTo(new RemoveSnapshot("sys1", new PartitionRef.ById(2), "s1"));
    }

    @Test
    void aMissingPartitionOrSnapshotNameIsTheHmcsSyntaxError() {
        rejects("-n", "mklparsnap", "-m", "sys1", "-p", "A");
        rejects("-n", "rstlparsnap", "-m", "sys1", "-p", "A", "-n", "");
        rejects("-p or --id", "rmlparsnap", "-m", "sys1", "-n", "s1");
        rejects("-m", "lslparsnap");
    }
}
