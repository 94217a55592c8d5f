package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lslparutil} over a real store: the HMC line format and order, {@code -F}, {@code -n},
 * {@code --filter}, the time window, {@code -r config} and {@code -r all}, and the HMC's errors.
 */
@Tag("unit")
class LslparutilTest {
    static final String SYS = "sys1";
    static final String USER = "local:test";
    static final DateTimeFormatter HMC_TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    static final String BAD_PARAMETER = "The command entered is either missing a required parameter or a parameter "
            + "value is invalid.  The parameters that are missing or have an invalid value are ";
    static final String LPAR = "profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=1024,"
            + "proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,"
            + "desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128";

    @TempDir
    Path dir;
    SqliteStore store;
    ManagedSystem sys;
    Hmc hmc;
    /** Whole seconds, so that printed times are exact. */
    final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @BeforeEach
    void setUp() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        hmc = new Hmc(sys, new HmcUsers(store));
        HmcResult made = run("mksyscfg", "-r", "lpar", "-m", SYS, "-f", "/p");
        assertThat(made.exitCode()).as(made.stdout()).isZero();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    HmcResult run(String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of("/p", "name=web1,lpar_id=1," + LPAR + "\n"
                + "name=db1,lpar_id=2," + LPAR + "\n"), USER));
    }

    Instant ago(long minutes) {
        return now.minus(Duration.ofMinutes(minutes));
    }

    static String t(Instant i) {
        return HMC_TIME.format(i);
    }

    /** A partition sample with every LPAR field, values derived from the field name and {@code n}. */
    static UtilizationSample lpar(Instant time, int id, String name, long n) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String f : UtilizationSample.LPAR_FIELDS) {
            a.put(f, switch (f) {
                case "lpar_name" -> name;
                case "lpar_id" -> Integer.toString(id);
                case "curr_proc_mode" -> "shared";
                case "curr_proc_units" -> "0.1";
                case "curr_shared_proc_pool_name" -> "DefaultPool";
                case "curr_shared_proc_pool_id" -> "0";
                default -> Long.toString(n * 1000 + f.length());
            });
        }
        return new UtilizationSample(time, ResourceType.LPAR, id, UtilizationSample.SAMPLE, a);
    }

    static UtilizationSample of(Instant time, ResourceType type, int id, List<String> fields, String... pairs) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String f : fields) {
            a.put(f, "1");
        }
        for (int i = 0; i < pairs.length; i += 2) {
            a.put(pairs[i], pairs[i + 1]);
        }
        return new UtilizationSample(time, type, id, UtilizationSample.SAMPLE, a);
    }

    void record(UtilizationSample... samples) {
        sys.recordUtilization(List.of(samples), null);
    }

    static List<String> lines(HmcResult r) {
        assertThat(r.exitCode()).as(r.stdout()).isZero();
        return r.stdout().lines().toList();
    }

    static void assertFails(HmcResult r, String stdout) {
        assertThat(r.stdout()).isEqualTo(stdout + "\n");
        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void eachSampleIsOneHmcLineNewestFirst() {
        record(lpar(ago(10), 1, "web1", 1), lpar(ago(5), 2, "db1", 2), lpar(ago(5), 1, "web1", 3));

        List<String> out = lines(run("lslparutil", "-r", "lpar", "-m", SYS));

        StringBuilder first = new StringBuilder("time=" + t(ago(5)) + ",event_type=sample,resource_type=lpar,sys_time="
                + t(ago(5)));
        lpar(ago(5), 1, "web1", 3).attributes().forEach((k, v) -> first.append(',').append(k).append('=').append(v));
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isEqualTo(first.toString());
        assertThat(out.get(0)).contains(",time_cycles=3011,lpar_name=web1,lpar_id=1,curr_proc_mode=shared,");
        assertThat(out.get(1)).startsWith("time=" + t(ago(5)) + ",").contains(",lpar_name=db1,");
        assertThat(out.get(2)).startsWith("time=" + t(ago(10)) + ",").contains(",lpar_name=web1,");
    }

    @Test
    void fieldsWithHeaderAndTheCallersSeparators() {
        record(lpar(ago(10), 1, "web1", 1), lpar(ago(5), 1, "web1", 2));

        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "-F", "time,lpar_name,time_cycles",
                "--header"))).containsExactly("time,lpar_name,time_cycles", t(ago(5)) + ",web1,2011",
                t(ago(10)) + ",web1,1011");
        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "-F", "lpar_id:resource_type:curr_proc_units")))
                .containsExactly("1:lpar:0.1", "1:lpar:0.1");
    }

    @Test
    void anUnknownOrForeignFieldIsTheHmcsInvalidAttribute() {
        record(lpar(ago(5), 1, "web1", 1));

        assertFails(run("lslparutil", "-r", "lpar", "-m", SYS, "-F", "lpar_name,bogus"), "An invalid attribute "
                + "was entered.  The invalid attribute is bogus.  Please correct your entry and retry the command.");
        // A pool attribute is not a partition sample's.
        assertFails(run("lslparutil", "-r", "lpar", "-m", SYS, "-F", "total_pool_cycles"), "An invalid attribute "
                + "was entered.  The invalid attribute is total_pool_cycles.  Please correct your entry and retry "
                + "the command.");
        // Also when nothing would be listed.
        assertFails(run("lslparutil", "-r", "sys", "-m", SYS, "-F", "lpar_name"), "An invalid attribute "
                + "was entered.  The invalid attribute is lpar_name.  Please correct your entry and retry the "
                + "command.");
    }

    @Test
    void dashNListsTheNewestSamplesOfEachResource() {
        record(lpar(ago(30), 1, "web1", 1), lpar(ago(20), 1, "web1", 2), lpar(ago(10), 1, "web1", 3),
                lpar(ago(25), 2, "db1", 4), lpar(ago(15), 2, "db1", 5));

        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "-n", "1", "-F", "lpar_name,time_cycles")))
                .containsExactly("web1,3011", "db1,5011");
        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "-n", "2", "-F", "lpar_name,time_cycles")))
                .containsExactly("web1,3011", "db1,5011", "web1,2011", "db1,4011");
        assertFails(run("lslparutil", "-r", "lpar", "-m", SYS, "-n", "0"), BAD_PARAMETER + "-n.");
        assertFails(run("lslparutil", "-r", "lpar", "-m", SYS, "-n", "x"), BAD_PARAMETER + "-n.");
    }

    @Test
    void filterByPartitionNameAndId() {
        record(lpar(ago(10), 1, "web1", 1), lpar(ago(5), 2, "db1", 2), lpar(ago(4), 1, "web1", 3));

        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=db1", "-F",
                "lpar_name,time_cycles"))).containsExactly("db1,2011");
        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "\"lpar_ids=1\"", "-F",
                "lpar_name,time_cycles"))).containsExactly("web1,3011", "web1,1011");
        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter",
                "\"event_types=sample\",\"lpar_names=web1,db1\"", "-F", "lpar_name"))).containsExactly("web1", "db1",
                "web1");
    }

    @Test
    void anUnknownPartitionInTheFilterIsHscl8012() {
        record(lpar(ago(5), 1, "web1", 1));

        HmcResult r = run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=web1,nosuch");

        assertFails(r, "HSCL8012 The partition named nosuch was not found.");
        assertThat(r.code()).isEqualTo("HSCL8012");
        assertThat(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "lpar_ids=9").code())
                .isEqualTo("HSCL8012");
    }

    @Test
    void filtersThatDoNotApplyOrHaveBadValuesAreRejected() {
        assertFails(run("lslparutil", "-r", "sys", "-m", SYS, "--filter", "lpar_names=web1"), "An invalid filter "
                + "was entered.  The invalid filter is lpar_names.  Please correct your entry and retry the command.");
        assertFails(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "event_types=bogus"), BAD_PARAMETER
                + "--filter.");
    }

    @Test
    void eventTypesFilterSelectsByEventType() {
        record(lpar(ago(5), 1, "web1", 1));

        assertThat(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "event_types=state_change").stdout())
                .isEqualTo("No results were found.\n");
        assertThat(lines(run("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "event_types=sample,state_change",
                "-F", "lpar_name"))).containsExactly("web1");
    }

    @Test
    void poolFiltersSelectSharedProcessorPools() {
        record(of(ago(5), ResourceType.PROCPOOL, 0, UtilizationSample.PROCPOOL_FIELDS, "shared_proc_pool_id", "0",
                "shared_proc_pool_name", "DefaultPool"),
                of(ago(5), ResourceType.PROCPOOL, 3, UtilizationSample.PROCPOOL_FIELDS, "shared_proc_pool_id", "3",
                        "shared_proc_pool_name", "SharedPool03"));

        assertThat(lines(run("lslparutil", "-r", "procpool", "-m", SYS, "--filter", "pool_names=SharedPool03",
                "-F", "shared_proc_pool_id"))).containsExactly("3");
        assertThat(lines(run("lslparutil", "-r", "procpool", "-m", SYS, "--filter", "pool_ids=0",
                "-F", "shared_proc_pool_name"))).containsExactly("DefaultPool");
    }

    @Test
    void configShowsTheSampleRate() {
        assertThat(lines(run("lslparutil", "-r", "config", "-m", SYS))).containsExactly("sample_rate=30");

        sys.utilizationSampleSeconds(60);

        assertThat(lines(run("lslparutil", "-r", "config", "-m", SYS, "-F", "sample_rate", "--header")))
                .containsExactly("sample_rate", "60");
        assertThat(lines(run("lslparutil", "-r", "config", "-F", "name,sample_rate"))).containsExactly(SYS + ",60");
        assertFails(run("lslparutil", "-r", "config", "-m", SYS, "-F", "lpar_name"), "An invalid attribute "
                + "was entered.  The invalid attribute is lpar_name.  Please correct your entry and retry the "
                + "command.");
        assertThat(run("lslparutil", "-r", "config", "-m", "other").code()).isEqualTo("HSCL8011");
        assertFails(run("lslparutil", "-r", "config", "-m", SYS, "-d", "1"), BAD_PARAMETER + "-d.");
    }

    @Test
    void allListsSysPoolProcpoolAndLparSamples() {
        Instant t = ago(5);
        record(lpar(t, 1, "web1", 1), of(t, ResourceType.SYS, 0, UtilizationSample.SYS_FIELDS),
                of(t, ResourceType.PROCPOOL, 0, UtilizationSample.PROCPOOL_FIELDS),
                of(t, ResourceType.POOL, 0, UtilizationSample.POOL_FIELDS), lpar(ago(10), 2, "db1", 2));

        List<String> out = lines(run("lslparutil", "-r", "all", "-m", SYS));

        assertThat(out).extracting(l -> l.split(",")[2]).containsExactly("resource_type=sys", "resource_type=pool",
                "resource_type=procpool", "resource_type=lpar", "resource_type=lpar");
        assertThat(out.get(0)).isEqualTo("time=" + t(t) + ",event_type=sample,resource_type=sys,sys_time=" + t(t)
                + ",state=1,configurable_sys_proc_units=1,configurable_sys_mem=1,curr_avail_sys_proc_units=1,"
                + "curr_avail_sys_mem=1,sys_firmware_mem=1,proc_cycles_per_second=1");
        // -F over mixed types: what a sample does not have is null.
        assertThat(lines(run("lslparutil", "-r", "all", "-m", SYS, "-F", "resource_type,lpar_name")))
                .containsExactly("sys,null", "pool,null", "procpool,null", "lpar,web1", "lpar,db1");
        assertThat(lines(run("lslparutil", "-r", "pool", "-m", SYS, "-F", "resource_type")))
                .containsExactly("pool");
    }

    @Test
    void theTimeWindowExcludesOlderSamples() {
        record(lpar(ago(120), 1, "web1", 1), lpar(ago(10), 1, "web1", 2), lpar(ago(3 * 24 * 60), 1, "web1", 3));
        String[] base = {"lslparutil", "-r", "lpar", "-m", SYS, "-F", "time_cycles"};

        assertThat(lines(run(cat(base, "-h", "1")))).containsExactly("2011");
        assertThat(lines(run(cat(base, "--minutes", "150")))).containsExactly("2011", "1011");
        assertThat(lines(run(cat(base, "-h", "1", "--minutes", "61")))).containsExactly("2011", "1011");
        // The default window is one day.
        assertThat(lines(run(base))).containsExactly("2011", "1011");
        assertThat(lines(run(cat(base, "-d", "4")))).containsExactly("2011", "1011", "3011");

        LocalDateTime start = LocalDateTime.ofInstant(ago(60), ZoneId.systemDefault());
        assertThat(lines(run(cat(base, "--startyear", "" + start.getYear(), "--startmonth", "" + start.getMonthValue(),
                "--startday", "" + start.getDayOfMonth(), "--starthour", "" + start.getHour(), "--startminute",
                "" + start.getMinute())))).containsExactly("2011");
        LocalDateTime end = LocalDateTime.ofInstant(ago(60), ZoneId.systemDefault());
        assertThat(lines(run(cat(base, "--startyear", "2000", "--endyear", "" + end.getYear(), "--endmonth",
                "" + end.getMonthValue(), "--endday", "" + end.getDayOfMonth(), "--endhour", "" + end.getHour(),
                "--endminute", "" + end.getMinute())))).containsExactly("1011", "3011");
        assertThat(run(cat(base, "-h", "0")).stdout()).isEqualTo("No results were found.\n");
    }

    @Test
    void badTimeOptionsAreTheHmcsInvalidParameter() {
        String[] base = {"lslparutil", "-r", "lpar", "-m", SYS};

        assertFails(run(cat(base, "-h", "x")), BAD_PARAMETER + "-h.");
        assertFails(run(cat(base, "-d", "-1")), BAD_PARAMETER + "-d.");
        assertFails(run(cat(base, "--startmonth", "13")), BAD_PARAMETER + "--startmonth.");
        assertFails(run(cat(base, "--startmonth", "2", "--startday", "30")), BAD_PARAMETER + "--startday.");
        assertFails(run(cat(base, "-h", "1", "--startyear", "2024")), BAD_PARAMETER + "-h, --startyear.");
        assertFails(run(cat(base, "-s", "x")), BAD_PARAMETER + "-s.");
        assertThat(run(cat(base, "-s", "h")).exitCode()).isZero();
    }

    @Test
    void aBadResourceTypeOrMissingSystemIsTheHmcsInvalidParameter() {
        assertFails(run("lslparutil", "-r", "bogus", "-m", SYS), BAD_PARAMETER + "-r.");
        assertFails(run("lslparutil", "-m", SYS), BAD_PARAMETER + "-r.");
        assertFails(run("lslparutil", "-r", "lpar"), BAD_PARAMETER + "-m.");
        assertThat(run("lslparutil", "-r", "lpar", "-m", "other").code()).isEqualTo("HSCL8011");
    }

    @Test
    void nothingToListIsNoResultsEvenWithAHeader() {
        record(lpar(ago(5), 1, "web1", 1));

        HmcResult r = run("lslparutil", "-r", "procpool", "-m", SYS, "-F", "shared_proc_pool_id", "--header");

        assertThat(r.stdout()).isEqualTo("No results were found.\n");
        assertThat(r.exitCode()).isZero();
    }

    static String[] cat(String[] a, String... b) {
        List<String> out = new ArrayList<>(List.of(a));
        out.addAll(List.of(b));
        return out.toArray(String[]::new);
    }
}
