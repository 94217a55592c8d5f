package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.hmc.command.MobilityCommand.Migrate;
import io.parvirt.model.ModelException;
import io.parvirt.partition.MigrationRequest.ScsiChoice;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code migrlpar -i virtual_scsi_mappings=slot/[vios_name]/vios_id[/vios_slot],...} (reference
 * §4): each entry becomes the destination VIOS asked for one client adapter; a malformed entry is
 * refused with the attribute's grammar before anything is asked of either system.
 */
@Tag("unit")
class MigrlparMappingsTest {
    static Migrate parse(String... args) {
        return (Migrate) MobilityParser.parse("migrlpar", List.of(args));
    }

    @Test
    void eachEntryNamesTheVirtualIoServerOfOneClientAdapter() {
        Migrate m = parse("-o", "v", "-m", "sys1", "-t", "sys2", "-p", "mob", "-i",
                "\"virtual_scsi_mappings=2/VIOS3/3,3//1/7\",dest_msp_name=vios3");
        assertThat(MobilityCommands.scsiChoices(m)).containsExactly(new ScsiChoice(2, "VIOS3", 3, 0),
                new ScsiChoice(3, null, 1, 7));
        assertThat(MobilityCommands.scsiChoices(parse("-o", "m", "-m", "sys1", "-t", "sys2", "-p", "mob")))
                .isEmpty();
    }

    @Test
    void aMalformedEntryIsRefusedWithTheGrammar() {
        for (String bad : List.of("2/VIOS3", "x/VIOS3/3", "2/VIOS3/0", "1/VIOS3/3", "2/VIOS3/3/1", "2/a/3/4/5")) {
            Migrate m = parse("-o", "v", "-m", "sys1", "-t", "sys2", "-p", "mob", "-i", "virtual_scsi_mappings=" + bad);
            assertThatThrownBy(() -> MobilityCommands.scsiChoices(m)).as(bad).isInstanceOf(ModelException.class)
                    .hasMessageContaining("virtual_scsi_mappings").hasMessageContaining("slot/[vios_name]/vios_id");
        }
    }
}
