package io.parvirt.model;

import static io.parvirt.model.LparEnv.AIXLINUX;
import static io.parvirt.model.LparEnv.VIOSERVER;
import static io.parvirt.model.ModelException.Kind.GRANULARITY;
import static io.parvirt.model.ModelException.Kind.INVALID_REFERENCE;
import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.MISSING_ATTRIBUTE;
import static io.parvirt.model.ModelException.Kind.NOT_SUPPORTED;
import static io.parvirt.model.ModelException.Kind.ORDERING;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;
import static io.parvirt.model.ModelException.Kind.POOL_NOT_FOUND;
import static io.parvirt.model.ModelException.Kind.SLOT_CONFLICT;
import static io.parvirt.model.ModelException.Kind.UNKNOWN_ATTRIBUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parvirt.model.ModelException.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The profile rules of reference §3, one table row per rule: a base profile, the attributes a row
 * changes (an HMC record; a name prefixed with '!' is removed instead) and the expected outcome.
 * Profiles are written for a new partition (id 3) unless the row is for a VIOS (id 1).
 */
@Tag("unit")
class ProfileRulesTest {

    static final String SHARED = "min_mem=512,desired_mem=1024,max_mem=2048,proc_mode=shared,min_procs=1,"
            + "desired_procs=2,max_procs=4,min_proc_units=0.1,desired_proc_units=0.5,max_proc_units=2.0,"
            + "sharing_mode=uncap";
    static final String DED = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=ded,min_procs=1,desired_procs=1,"
            + "max_procs=2";

    record Row(String rule, LparEnv env, String base, String change, Kind kind, String attr) {
        @Override
        public String toString() {
            return rule + (kind == null ? " -> valid" : " -> " + kind) + " [" + change + "]";
        }

        Row withEnv(LparEnv e) {
            return new Row(rule, e, base, change, kind, attr);
        }

        int lparId() {
            return env == VIOSERVER ? TestContext.VIOS_ID : TestContext.NEW_ID;
        }
    }

    static Row bad(String rule, String change, Kind kind, String attr) {
        return new Row(rule, AIXLINUX, SHARED, change, kind, attr);
    }

    static Row ok(String rule, String change) {
        return new Row(rule, AIXLINUX, SHARED, change, null, null);
    }

    static Stream<Row> rules() {
        String eth = VirtualEthernetAdapter.ATTR;
        String scsi = VirtualScsiAdapter.ATTR;
        return Stream.of(
                bad("memory min above desired", "min_mem=1536", ORDERING, "min_mem"),
                bad("memory desired above max", "desired_mem=2304", ORDERING, "desired_mem"),
                bad("min_mem not a multiple of the LMB", "min_mem=300", GRANULARITY, "min_mem"),
                bad("desired_mem not a multiple of the LMB", "desired_mem=1000", GRANULARITY, "desired_mem"),
                bad("max_mem not a multiple of the LMB", "max_mem=2049", GRANULARITY, "max_mem"),
                bad("min_mem below one LMB", "min_mem=0", OUT_OF_RANGE, "min_mem"),
                bad("max_mem above 64x min_mem", "min_mem=256,desired_mem=256,max_mem=16640", OUT_OF_RANGE, "max_mem"),
                ok("max_mem exactly 64x min_mem", "min_mem=256,desired_mem=256,max_mem=16384"),
                bad("procs min above desired", "min_procs=3", ORDERING, "min_procs"),
                bad("procs desired above max", "desired_procs=5", ORDERING, "desired_procs"),
                bad("proc units min above desired", "min_proc_units=0.6", ORDERING, "min_proc_units"),
                bad("proc units desired above max", "desired_proc_units=2.5", ORDERING, "desired_proc_units"),
                bad("min units below 0.05 per VP", "min_procs=1,min_proc_units=0.04", OUT_OF_RANGE, "min_proc_units"),
                bad("desired units below 0.05 per VP", "min_proc_units=0.05,desired_proc_units=0.09",
                        OUT_OF_RANGE, "desired_proc_units"),
                bad("max units below 0.05 per VP", "max_procs=11,max_proc_units=0.5", OUT_OF_RANGE, "max_proc_units"),
                ok("max units exactly 0.05 per VP", "max_procs=10,max_proc_units=0.5"),
                bad("min units above 1.0 per VP", "min_proc_units=1.5,desired_proc_units=1.5", OUT_OF_RANGE,
                        "min_proc_units"),
                bad("desired units above 1.0 per VP", "desired_procs=1,desired_proc_units=1.01", OUT_OF_RANGE,
                        "desired_proc_units"),
                bad("max units above 1.0 per VP", "max_procs=2,max_proc_units=2.5", OUT_OF_RANGE, "max_proc_units"),
                ok("units exactly 1.0 per VP", "min_proc_units=1.0,desired_procs=1,desired_proc_units=1.0,"
                        + "max_proc_units=4.0"),
                bad("dedicated sharing mode on shared procs", "sharing_mode=keep_idle_procs", INVALID_VALUE,
                        "sharing_mode"),
                new Row("cap on dedicated procs", AIXLINUX, DED, "sharing_mode=cap", INVALID_VALUE, "sharing_mode"),
                new Row("uncap on dedicated procs", AIXLINUX, DED, "sharing_mode=uncap", INVALID_VALUE,
                        "sharing_mode"),
                new Row("share_idle_procs on dedicated", AIXLINUX, DED, "sharing_mode=share_idle_procs", null, null),
                bad("uncap_weight 256", "uncap_weight=256", OUT_OF_RANGE, "uncap_weight"),
                ok("uncap_weight upper bound", "uncap_weight=255"),
                ok("uncap_weight lower bound", "uncap_weight=0"),
                bad("two adapters in one slot", "\"" + eth + "=3/1/1//0/1,3/1/2//0/1\"", SLOT_CONFLICT, eth),
                bad("adapters of two kinds in one slot", eth + "=5/1/1//0/1," + scsi + "=5/client/1/vios1/5/1",
                        SLOT_CONFLICT, eth),
                bad("serial adapter in a console slot", "virtual_serial_adapters+=1/server/1/any//any/1",
                        SLOT_CONFLICT, "virtual_serial_adapters"),
                bad("slot at max_virtual_slots", eth + "=20/1/1//0/1", OUT_OF_RANGE, eth),
                ok("slot just below max_virtual_slots", "max_virtual_slots=21," + eth + "=20/1/1//0/1"),
                bad("client scsi to a non-VIOS", scsi + "=5/client/2/lp2/5/1", INVALID_REFERENCE, scsi),
                bad("client scsi to a missing id", scsi + "=5/client/9//5/1", INVALID_REFERENCE, scsi),
                bad("client scsi to a missing name", scsi + "=5/client//ghost/5/1", INVALID_REFERENCE, scsi),
                bad("client scsi id and name disagree", scsi + "=5/client/1/lp2/5/1", INVALID_REFERENCE, scsi),
                bad("client scsi remote slot too high", scsi + "=5/client/1/vios1/20/1", INVALID_REFERENCE, scsi),
                ok("client scsi to the VIOS by name", scsi + "=5/client//vios1/19/1"),
                bad("server scsi on aixlinux", scsi + "=5/server/2/lp2/5/0", INVALID_VALUE, scsi),
                bad("server fc on aixlinux", VirtualFcAdapter.ATTR + "=6/server/2/lp2/6//0", INVALID_VALUE,
                        VirtualFcAdapter.ATTR),
                bad("trunk ethernet on aixlinux", eth + "=2/0/1//1/1", INVALID_VALUE, eth),
                new Row("trunk ethernet and server scsi on a VIOS", VIOSERVER, SHARED,
                        eth + "=2/0/1//1/1," + scsi + "=3/server/2/lp2/5/0", null, null),
                bad("VIOS naming itself", scsi + "=5/client/1/vios1/5/1", INVALID_REFERENCE, scsi)
                        .withEnv(VIOSERVER),
                bad("unusable pool by id", "shared_proc_pool_id=1", INVALID_REFERENCE, "shared_proc_pool_id"),
                bad("unusable pool by name", "shared_proc_pool_name=SharedPool01", INVALID_REFERENCE,
                        "shared_proc_pool_name"),
                bad("unknown pool name", "shared_proc_pool_name=nopool", POOL_NOT_FOUND, "shared_proc_pool_name"),
                bad("pool id and name disagree", "shared_proc_pool_id=0,shared_proc_pool_name=prodpool",
                        INVALID_REFERENCE, "shared_proc_pool_name"),
                bad("pool id 64", "shared_proc_pool_id=64", OUT_OF_RANGE, "shared_proc_pool_id"),
                bad("power control partition missing", "power_ctrl_lpar_ids=9", INVALID_REFERENCE,
                        "power_ctrl_lpar_ids"),
                bad("unknown attribute", "frobnicate=1", UNKNOWN_ATTRIBUTE, "frobnicate"),
                bad("scalar given with +=", "uncap_weight+=1", INVALID_VALUE, "uncap_weight"),
                bad("min_mem missing", "!min_mem", MISSING_ATTRIBUTE, "min_mem"),
                bad("max_procs missing", "!max_procs", MISSING_ATTRIBUTE, "max_procs"),
                bad("desired_proc_units missing when shared", "!desired_proc_units", MISSING_ATTRIBUTE,
                        "desired_proc_units"),
                bad("active memory sharing", "mem_mode=shared", NOT_SUPPORTED, "mem_mode"),
                bad("physical io slots", "io_slots=21010002/none/1", NOT_SUPPORTED, "io_slots"),
                ok("io_slots none", "io_slots=none,mem_mode=ded"),
                bad("all_resources", "all_resources=1", NOT_SUPPORTED, "all_resources"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rules")
    void profileRule(Row row) {
        TestContext ctx = TestContext.standard();
        Map<String, String> attrs = new LinkedHashMap<>();
        put(attrs, row.base());
        put(attrs, row.change());
        String record = String.join(",", attrs.values());

        if (row.kind() == null) {
            Profile p = ctx.build(row.env(), row.lparId(), record);
            assertThat(p.lparId()).isEqualTo(row.lparId());
            return;
        }
        ModelException e = catchThrowableOfType(ModelException.class,
                () -> ctx.build(row.env(), row.lparId(), record));
        assertThat(e).as("expected %s for %s", row.kind(), record).isNotNull();
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(row.kind());
        assertThat(e.attribute()).as(e.getMessage()).isEqualTo(row.attr());
        assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }

    /** Merges an HMC record into name -> pair text; "!name" removes the attribute. */
    private static void put(Map<String, String> attrs, String record) {
        if (record.startsWith("!")) {
            attrs.remove(record.substring(1));
            return;
        }
        for (String field : AttributeInput.splitCsv(record, "test record")) {
            String name = field.substring(0, field.indexOf('=')).replaceAll("[+-]$", "");
            StringBuilder b = new StringBuilder();
            AttributeOutput.pair(b, field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
            attrs.put(name, b.toString());
        }
    }

    @Test
    void sharedUncappedProfileGetsTheDefaults() {
        Profile p = TestContext.standard().build(AIXLINUX, TestContext.NEW_ID, SHARED);

        assertThat(p.memory()).isEqualTo(new MemorySettings(512, 1024, 2048, MemMode.DED, HptRatio.DEFAULT));
        ProcessorSettings c = p.processors();
        assertThat(c.mode()).isEqualTo(ProcMode.SHARED);
        assertThat(c.minProcs()).isEqualTo(1);
        assertThat(c.desiredProcs()).isEqualTo(2);
        assertThat(c.maxProcs()).isEqualTo(4);
        assertThat(c.minUnits().hundredths()).isEqualTo(10);
        assertThat(c.desiredUnits().hundredths()).isEqualTo(50);
        assertThat(c.maxUnits().hundredths()).isEqualTo(200);
        assertThat(c.sharingMode()).isEqualTo(SharingMode.UNCAP);
        assertThat(c.uncapWeight()).isEqualTo(128);
        assertThat(c.poolId()).isZero();
        assertThat(p.io().maxVirtualSlots()).isEqualTo(20);
        assertThat(p.io().serial()).extracting(VirtualSerialAdapter::format)
                .containsExactly("0/server/1/any//any/1", "1/server/1/any//any/1");
        assertThat(p.io().eth()).isEmpty();
        assertThat(p.options().bootMode()).isEqualTo(BootMode.NORM);
    }

    @Test
    void sharedProfileWithoutSharingModeIsCappedAndResolvesAPoolByName() {
        Profile p = TestContext.standard().build(AIXLINUX, TestContext.NEW_ID,
                SHARED.replace(",sharing_mode=uncap", "") + ",shared_proc_pool_name=prodpool,uncap_weight=7");

        assertThat(p.processors().sharingMode()).isEqualTo(SharingMode.CAP);
        assertThat(p.processors().poolId()).isEqualTo(2);
        assertThat(p.processors().uncapWeight()).isEqualTo(7);
    }

    @Test
    void dedicatedProfileKeepsIdleProcsAndHasNoEntitlement() {
        Profile p = TestContext.standard().build(AIXLINUX, TestContext.NEW_ID, DED + ",min_proc_units=0.5");

        ProcessorSettings c = p.processors();
        assertThat(c.shared()).isFalse();
        assertThat(c.sharingMode()).isEqualTo(SharingMode.KEEP_IDLE_PROCS);
        assertThat(c.minUnits()).isEqualTo(ProcUnits.ZERO);
        assertThat(c.desiredUnits()).isEqualTo(ProcUnits.ZERO);
        assertThat(c.maxUnits()).isEqualTo(ProcUnits.ZERO);
        assertThat(c.uncapWeight()).isEqualTo(Limits.DEFAULT_UNCAP_WEIGHT);
        assertThat(c.poolId()).isZero();
        assertThat(p.memory().desiredMb()).isEqualTo(512);
    }

    @Test
    void smallInitialMemoryMayGrowOnlySixteenFold() {
        TestContext smallLmb = new TestContext(128);
        String mem = "min_mem=128,desired_mem=128,max_mem=";

        assertThat(smallLmb.build(AIXLINUX, TestContext.NEW_ID, DED.replaceFirst("min_mem=.*max_mem=1024,",
                mem + "2048,")).memory().maxMb()).isEqualTo(2048);
        ModelException e = catchThrowableOfType(ModelException.class, () -> smallLmb.build(AIXLINUX,
                TestContext.NEW_ID, DED.replaceFirst("min_mem=.*max_mem=1024,", mem + "2176,")));
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(OUT_OF_RANGE);
        assertThat(e.getMessage()).contains("16 times");
    }

    @Test
    void copyOfABuiltProfileBuildsToAnEqualProfile() {
        TestContext ctx = TestContext.standard();
        Profile p = ctx.build(VIOSERVER, TestContext.VIOS_ID, SHARED + ",virtual_eth_adapters=2/0/1//1/1");

        assertThat(ProfileDraft.of(p).build(VIOSERVER, ctx)).isEqualTo(p);
    }
}
