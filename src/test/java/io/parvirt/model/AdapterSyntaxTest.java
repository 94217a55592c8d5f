package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parvirt.model.ModelException.Kind;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The slash-separated adapter syntaxes of reference §2.1, read and written back. */
@Tag("unit")
class AdapterSyntaxTest {

    @Test
    void vioTrunkAdapterFromAReferenceProfile() {
        VirtualEthernetAdapter a = VirtualEthernetAdapter.parse("6/0/6//2/1");

        assertThat(a.slot()).isEqualTo(6);
        assertThat(a.ieee()).isFalse();
        assertThat(a.portVlanId()).isEqualTo(6);
        assertThat(a.addlVlanIds()).isEmpty();
        assertThat(a.trunkPriority()).isEqualTo(2);
        assertThat(a.isTrunk()).isTrue();
        assertThat(a.required()).isTrue();
        assertThat(a.vswitch()).isEqualTo("ETHERNET0");
        assertThat(a.macAddr()).isNull();
    }

    @Test
    void ieeeAdapterWithAdditionalVlans() {
        VirtualEthernetAdapter a = VirtualEthernetAdapter.parse("2/1/1/3,4,5/0/1");

        assertThat(a.ieee()).isTrue();
        assertThat(a.addlVlanIds()).containsExactly(3, 4, 5);
        assertThat(a.isTrunk()).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "6/0/6//2/1 | 6/0/6//2/1/ETHERNET0//all/none",
        "6/1/6//0/0 | 6/1/6//0/0/ETHERNET0//all/none",
        "6/1/6///0 | 6/1/6//0/0/ETHERNET0//all/none",
        "10/0/1//0/0/ETHERNET0//all/none | 10/0/1//0/0/ETHERNET0//all/none",
        "2/1/1/3,4,5/0/1 | 2/1/1/3,4,5/0/1/ETHERNET0//all/none",
        "3/1/7//0/1/vsw-prod | 3/1/7//0/1/vsw-prod//all/none",
        "3/1/7//0/1/ | 3/1/7//0/1/ETHERNET0//all/none",
        "4/1/7//0/1/ETHERNET0/02:12:34:56:78:9a/all/3 | 4/1/7//0/1/ETHERNET0/02123456789A/all/3",
        "4/1/7//0/1/ETHERNET0//021234567890,02aabbccddee/ | 4/1/7//0/1/ETHERNET0//021234567890,02AABBCCDDEE/none",
    })
    void ethernetIsWrittenBackInTheLongForm(String input, String written) {
        VirtualEthernetAdapter a = VirtualEthernetAdapter.parse(input);

        assertThat(a.format()).isEqualTo(written);
        assertThat(VirtualEthernetAdapter.parse(written)).isEqualTo(a);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "2/1/0//0/1 | OUT_OF_RANGE | port_vlan_id",
        "2/1/4095//0/1 | OUT_OF_RANGE | port_vlan_id",
        "2/0/1/3/0/1 | INVALID_VALUE | is_ieee=1",
        "2/1/1/3,3/0/1 | INVALID_VALUE | must not repeat",
        "2/1/1/3,1/0/1 | INVALID_VALUE | must not repeat",
        "2/1/1/3,4095/0/1 | OUT_OF_RANGE | addl_vlan_ids",
        "2/1/1/3,,4/0/1 | INVALID_VALUE | addl_vlan_ids",
        "2/1/1//16/1 | OUT_OF_RANGE | trunk_priority",
        "2/1/1//-1/1 | INVALID_VALUE | trunk_priority",
        "1/1/1//0/1 | OUT_OF_RANGE | slot_num",
        "2/2/1//0/1 | INVALID_VALUE | is_ieee",
        "2/1/1//0/yes | INVALID_VALUE | is_required",
        "2/1/1//0/1/ETHERNET0/0123456789AB/all/none | INVALID_VALUE | unicast",
        "2/1/1//0/1/ETHERNET0/02123456789G/all/none | INVALID_VALUE | mac_addr",
        "2/1/1//0/1/ETHERNET0/0212345678/all/none | INVALID_VALUE | mac_addr",
        "2/1/1//0/1/ETHERNET0//some/none | INVALID_VALUE | mac_addr",
        "2/1/1//0/1/ETHERNET0//all/8 | OUT_OF_RANGE | qos_priority",
        "2/1/1//0/1/bad switch | INVALID_VALUE | vswitch",
        "2/1/1//0 | INVALID_VALUE | each element must have the form",
        "2/1/1//0/1/ETHERNET0/ | INVALID_VALUE | each element must have the form",
        "2/1/1//0/1/ETHERNET0//all | INVALID_VALUE | each element must have the form",
        "2/1/1//0/1/ETHERNET0//all/none/x | INVALID_VALUE | each element must have the form",
    })
    void ethernetRejects(String element, Kind kind, String fragment) {
        assertRejected(VirtualEthernetAdapter::parse, element, kind, fragment);
    }

    @Test
    void macAddressMustBeTwelveAsciiHexDigits() {
        // U+FB00 (LATIN SMALL LIGATURE FF) upper-cases to "FF": 11 characters that are not hex digits
        assertRejected(VirtualEthernetAdapter::parse, "2/1/1//0/1/ETHERNET0/02\ufb0034567890/all/none",
                Kind.INVALID_VALUE, "mac_addr");
        assertRejected(VirtualEthernetAdapter::parse, "2/1/1//0/1/ETHERNET0//02\ufb0034567890/none",
                Kind.INVALID_VALUE, "mac_addr");
    }

    @Test
    void scsiClientAndServerFromAReferencePair() {
        VirtualScsiAdapter client = VirtualScsiAdapter.parse("2/client/2/vios1/2/1");
        VirtualScsiAdapter server = VirtualScsiAdapter.parse("2/server/5/nim1/3/0");

        assertThat(client.type()).isEqualTo(AdapterType.CLIENT);
        assertThat(client.remote()).isEqualTo(new RemoteRef(2, "vios1", 2, false, false));
        assertThat(client.required()).isTrue();
        assertThat(server.type()).isEqualTo(AdapterType.SERVER);
        assertThat(server.remote()).isEqualTo(new RemoteRef(5, "nim1", 3, false, false));
        assertThat(server.required()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"2/client/2/vios1/2/1", "2/server/5/nim1/3/0", "20/client//vios1/23/1", "21/client/1//23/0",
        "28/server/any//any/0", "29/server///5/1"})
    void scsiIsWrittenBackUnchanged(String element) {
        assertThat(VirtualScsiAdapter.parse(element).format()).isEqualTo(element);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "2/client///2/1 | INVALID_VALUE | must name the Virtual I/O Server",
        "2/client/any//2/1 | INVALID_VALUE | must name the Virtual I/O Server",
        "2/client/1/vios1//1 | INVALID_VALUE | remote_slot_num",
        "2/both/1/vios1/2/1 | INVALID_VALUE | client, server",
        "2/client/1/bad=name/2/1 | INVALID_VALUE | remote_lpar_name",
        "2/client/0/vios1/2/1 | OUT_OF_RANGE | remote_lpar_id",
        "2/client/1001/vios1/2/1 | OUT_OF_RANGE | remote_lpar_id",
        "2/client/1/vios1/2 | INVALID_VALUE | each element must have the form",
        "2/client/1/vios1/2/1/1 | INVALID_VALUE | each element must have the form",
    })
    void scsiRejects(String element, Kind kind, String fragment) {
        assertRejected(VirtualScsiAdapter::parse, element, kind, fragment);
    }

    @Test
    void serialConsoleDefaultOccupiesSlotsZeroAndOne() {
        VirtualSerialAdapter a = VirtualSerialAdapter.parse("0/server/1/any//any/1");

        assertThat(a.slot()).isZero();
        assertThat(a.type()).isEqualTo(AdapterType.SERVER);
        assertThat(a.supportsHmc()).isTrue();
        assertThat(a.remote().anyPartition()).isTrue();
        assertThat(a.remote().anySlot()).isTrue();
        assertThat(a.format()).isEqualTo("0/server/1/any//any/1");
        assertThat(VirtualSerialAdapter.DEFAULTS).extracting(VirtualSerialAdapter::format)
                .containsExactly("0/server/1/any//any/1", "1/server/1/any//any/1");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "0/server/1/any//any | INVALID_VALUE | each element must have the form",
        "0/console/1/any//any/1 | INVALID_VALUE | client, server",
        "0/server/2/any//any/1 | INVALID_VALUE | supports_hmc",
        "-1/server/1/any//any/1 | INVALID_VALUE | slot_num",
    })
    void serialRejects(String element, Kind kind, String fragment) {
        assertRejected(VirtualSerialAdapter::parse, element, kind, fragment);
    }

    @Test
    void fibreChannelClientKeepsTwoLowerCaseWwpns() {
        VirtualFcAdapter a = VirtualFcAdapter.parse("4/client/1/vios1/30/C0507601A2B40010,c0507601a2b40011/1");

        assertThat(a.wwpns()).containsExactly("c0507601a2b40010", "c0507601a2b40011");
        assertThat(a.format()).isEqualTo("4/client/1/vios1/30/c0507601a2b40010,c0507601a2b40011/1");
        assertThat(VirtualFcAdapter.parse("30/server/2/lp2/4//1").format()).isEqualTo("30/server/2/lp2/4//1");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "4/client/1/vios1///1 | INVALID_VALUE | remote_slot_num",
        "4/client/1/vios1/30/c0507601a2b40010,c0507601a2b40011,c0507601a2b40012/1 | INVALID_VALUE | wwpns",
        "4/client/1/vios1/30/c0507601a2b4001/1 | INVALID_VALUE | wwpns",
        "4/client/1/vios1/30/c0507601a2b40010,/1 | INVALID_VALUE | wwpns",
        "4/client/1/vios1/30/1 | INVALID_VALUE | each element must have the form",
    })
    void fibreChannelRejects(String element, Kind kind, String fragment) {
        assertRejected(VirtualFcAdapter::parse, element, kind, fragment);
    }

    @Test
    void everyAdapterKindParsesItsOwnFormattedForm() {
        List<VirtualAdapter> all = List.of(VirtualEthernetAdapter.parse("2/1/1/3,4,5/0/1"),
                VirtualScsiAdapter.parse("20/client//vios1/23/1"), VirtualSerialAdapter.parse("1/client/0/2/lp2/0/0"),
                VirtualFcAdapter.parse("4/client/1/vios1/any//0"));
        for (VirtualAdapter a : all) {
            VirtualAdapter again = switch (a) {
                case VirtualEthernetAdapter e -> VirtualEthernetAdapter.parse(e.format());
                case VirtualScsiAdapter s -> VirtualScsiAdapter.parse(s.format());
                case VirtualSerialAdapter s -> VirtualSerialAdapter.parse(s.format());
                case VirtualFcAdapter f -> VirtualFcAdapter.parse(f.format());
            };
            assertThat(again).as(a.format()).isEqualTo(a);
        }
    }

    private static void assertRejected(Function<String, ?> parse, String element, Kind kind, String fragment) {
        ModelException e = catchThrowableOfType(ModelException.class, () -> parse.apply(element));

        assertThat(e).as("parse(%s)", element).isNotNull();
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
        assertThat(e.getMessage()).contains(fragment);
    }
}
