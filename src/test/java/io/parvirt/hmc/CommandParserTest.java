package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.hmc.command.EventCommand.ListEvents;
import io.parvirt.hmc.command.Filters;
import io.parvirt.hmc.command.Format;
import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.HwresCommand;
import io.parvirt.hmc.command.HwresCommand.ChangePool;
import io.parvirt.hmc.command.HwresCommand.ChangeMemory;
import io.parvirt.hmc.command.HwresCommand.ChangeProcessors;
import io.parvirt.hmc.command.HwresCommand.MemOperation;
import io.parvirt.hmc.command.HwresCommand.AdapterOperation;
import io.parvirt.hmc.command.HwresCommand.ChangeVirtualAdapter;
import io.parvirt.hmc.command.HwresCommand.ChangeVswitch;
import io.parvirt.hmc.command.HwresCommand.ListHwres;
import io.parvirt.hmc.command.HwresCommand.MoveToPool;
import io.parvirt.hmc.command.HwresCommand.ProcOperation;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PoolRef;
import io.parvirt.hmc.command.PowerCommand.ChangeState;
import io.parvirt.hmc.command.PowerCommand.ChangeSystemState;
import io.parvirt.hmc.command.PowerCommand.CloseVterm;
import io.parvirt.hmc.command.PowerCommand.ListRefcode;
import io.parvirt.hmc.command.PowerCommand.OpenVterm;
import io.parvirt.hmc.command.PowerCommand.Operation;
import io.parvirt.hmc.command.SyscfgCommand.ChangeSystem;
import io.parvirt.hmc.command.SyscfgCommand.ListSyscfg;
import io.parvirt.hmc.command.SyscfgCommand.MakePartition;
import io.parvirt.hmc.command.SyscfgCommand.MakeProfile;
import io.parvirt.hmc.command.SyscfgCommand.RemovePartition;
import io.parvirt.hmc.command.SyscfgCommand.RemoveProfile;
import io.parvirt.hmc.command.SyscfgCommand.Resource;
import io.parvirt.hmc.command.UserCommand.ListUsers;
import io.parvirt.hmc.command.UserCommand.MakeUser;
import io.parvirt.hmc.command.UserCommand.RemoveUser;
import io.parvirt.hmc.command.UtilizationCommand.ListSampleRate;
import io.parvirt.hmc.command.UtilizationCommand.ListUtilization;
import io.parvirt.hmc.command.ViosCommand;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.ModelException;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.UtilizationSample.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: each HMC command line becomes its typed record once, with the HMC's own syntax errors
 * for what it rejects; also for the commands whose handler still parses for itself (power,
 * lshwres, chhwres -r proc), whose records the integrator switches them to.
 */
@Tag("unit")
class CommandParserTest {
    static final String BAD = "The command entered is either missing a required parameter or a parameter value "
            + "is invalid.  The parameters that are missing or have an invalid value are ";

    static HmcCommand parse(String... argv) {
        return parse(Map.of(), argv);
    }

    static HmcCommand parse(Map<String, String> files, String... argv) {
        return CommandParser.parse(new HmcInvocation(List.of(argv), files, "local:test"));
    }

    static void rejects(String parameters, String... argv) {
        assertThatThrownBy(() -> parse(argv)).isInstanceOf(HmcException.class).hasMessage(BAD + parameters + ".");
    }

    static Assignment set(String name, String value) {
        return new Assignment(name, Op.SET, value);
    }

    @Test
    void noCommandAndAnUnknownCommandNameTheValidOnes() {
        assertThatThrownBy(() -> parse()).isInstanceOf(HmcException.class)
                .hasMessageStartingWith("No command was entered. Valid commands are: bklpar, bkprofdata, chaccfg, chhmcusr, chhwres,");
        assertThatThrownBy(() -> parse("lsfoo")).isInstanceOf(HmcException.class)
                .hasMessageStartingWith("The command lsfoo is not a valid command.").hasMessageEndingWith("viosvrcmd.");
    }

    /** Issue 19: pause, system profiles, profile data and templates parse into their typed commands. */
    @Test
    void lifecycleFormsBecomeTheirTypedCommands() {
        assertThat(parse("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "pause", "-n", "a"))
                .isEqualTo(new io.parvirt.hmc.command.PowerCommand.ChangeState("sys1",
                        new io.parvirt.hmc.command.PartitionRef.ByName("a"),
                        io.parvirt.hmc.command.PowerCommand.Operation.PAUSE, null, false, false, false));
        assertThat(parse("chsysstate", "-m", "sys1", "-r", "sysprof", "-o", "on", "-n", "sp", "--test"))
                .isEqualTo(new io.parvirt.hmc.command.LifecycleCommand.ActivateSystemProfile("sys1", "sp", true));
        assertThat(parse("rstprofdata", "-m", "sys1", "-l", "4"))
                .isEqualTo(new io.parvirt.hmc.command.LifecycleCommand.RestoreProfileData("sys1", 4, null));
        assertThatThrownBy(() -> parse("rstprofdata", "-m", "sys1", "-l", "1")).hasMessageContaining("-f");
        assertThatThrownBy(() -> parse("rstprofdata", "-m", "sys1", "-l", "5", "-f", "x")).hasMessageContaining("-l");
        assertThatThrownBy(() -> parse("chsysstate", "-m", "sys1", "-r", "sysprof", "-o", "off", "-n", "sp"))
                .hasMessageContaining("-o");
        assertThat(parse("lssyscfg", "-r", "prof", "-m", "sys1")).isInstanceOf(ListSyscfg.class);
        assertThat(parse("mksyscfg", "-r", "lpar", "-m", "sys1", "--template", "t", "-i", "name=x"))
                .isInstanceOf(io.parvirt.hmc.command.LifecycleCommand.DeployTemplate.class);
    }

    @Test
    void lssyscfgBecomesAListingWithItsFilterAndFormat() {
        assertThat(parse("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=a,b", "-F", "name",
                "--header")).isEqualTo(new ListSyscfg(Resource.LPAR, "sys1",
                        new Filters(Map.of("lpar_names", List.of("a", "b"))), new Format("name", true)));
        assertThat(parse("lssyscfg", "-r", "sys")).isEqualTo(new ListSyscfg(Resource.SYS, null, Filters.NONE,
                new Format(null, false)));
        assertThat(parse("lssyscfg", "-r", "prof", "-m", "s", "-F")).isEqualTo(new ListSyscfg(Resource.PROF, "s",
                Filters.NONE, new Format("", false)));
    }

    @Test
    void lssyscfgRejectsAsTheHmcDoes() {
        rejects("-r", "lssyscfg", "-r", "cec");
        rejects("-m", "lssyscfg", "-r", "lpar");
        assertThatThrownBy(() -> parse("lssyscfg", "-r", "lpar", "-m", "s", "--filter", "profile_names=x"))
                .isInstanceOf(HmcException.class).hasMessageContaining("The invalid filter is profile_names");
    }

    @Test
    void mksyscfgTakesOneRecordFromIOrOnePerLineFromF() {
        assertThat(parse("mksyscfg", "-r", "lpar", "-m", "s", "-i", "name=a,lpar_id=3"))
                .isEqualTo(new MakePartition("s", List.of(List.of(set("name", "a"), set("lpar_id", "3")))));
        assertThat(parse(Map.of("/f", "lpar_name=a,name=p1\n\n lpar_name=b,name=p2 \n"), "mksyscfg", "-r", "prof",
                "-m", "s", "-f", "/f")).isEqualTo(new MakeProfile("s", List.of(
                        List.of(set("lpar_name", "a"), set("name", "p1")),
                        List.of(set("lpar_name", "b"), set("name", "p2")))));
        rejects("-i or -f", "mksyscfg", "-r", "lpar", "-m", "s");
        rejects("-i, -f", "mksyscfg", "-r", "lpar", "-m", "s", "-i", "a=1", "-f", "/f");
        rejects("-o", "mksyscfg", "-r", "lpar", "-m", "s", "-o", "x", "-i", "a=1");
        assertThatThrownBy(() -> parse("mksyscfg", "-r", "lpar", "-m", "s", "-f", "/missing"))
                .isInstanceOf(HmcException.class).hasMessageStartingWith("The file /missing could not be read.");
        assertThatThrownBy(() -> parse(Map.of("/f", "\n \n"), "mksyscfg", "-r", "lpar", "-m", "s", "-f", "/f"))
                .isInstanceOf(HmcException.class).hasMessage("The file /f contains no records.");
        assertThatThrownBy(() -> parse("mksyscfg", "-r", "lpar", "-m", "s", "-i", "a=1,a=2"))
                .isInstanceOf(ModelException.class).extracting(e -> ((ModelException) e).kind())
                .isEqualTo(ModelException.Kind.DUPLICATE_ATTRIBUTE);
    }

    @Test
    void chsyscfgOfTheSystemTakesExactlyOneRecord() {
        assertThat(parse("chsyscfg", "-r", "sys", "-m", "s", "-i", "new_name=t"))
                .isEqualTo(new ChangeSystem("s", List.of(set("new_name", "t"))));
        assertThatThrownBy(() -> parse(Map.of("/f", "a=1\nb=2\n"), "chsyscfg", "-r", "sys", "-m", "s", "-f", "/f"))
                .isInstanceOf(HmcException.class).hasMessage(BAD + "-f.");
    }

    @Test
    void rmsyscfgNamesThePartitionByNameOrId() {
        assertThat(parse("rmsyscfg", "-r", "lpar", "-m", "s", "-n", "web"))
                .isEqualTo(new RemovePartition("s", new PartitionRef.ByName("web")));
        assertThat(parse("rmsyscfg", "-r", "lpar", "-m", "s", "--id", "7"))
                .isEqualTo(new RemovePartition("s", new PartitionRef.ById(7)));
        assertThat(parse("rmsyscfg", "-r", "prof", "-m", "s", "-p", "web", "-n", "p2"))
                .isEqualTo(new RemoveProfile("s", new PartitionRef.ByName("web"), "p2"));
        rejects("-n, --id", "rmsyscfg", "-r", "lpar", "-m", "s", "-n", "a", "--id", "1");
        rejects("-n or --id", "rmsyscfg", "-r", "lpar", "-m", "s");
        rejects("--id", "rmsyscfg", "-r", "lpar", "-m", "s", "--id", "0");
        rejects("--id", "rmsyscfg", "-r", "lpar", "-m", "s", "--id", "x");
        rejects("-n", "rmsyscfg", "-r", "prof", "-m", "s", "-p", "web");
    }

    @Test
    void chsysstateBecomesAStateChange() {
        assertThat(parse("chsysstate", "-r", "lpar", "-m", "s", "-o", "shutdown", "--immed", "--id", "3"))
                .isEqualTo(new ChangeState("s", new PartitionRef.ById(3), Operation.SHUTDOWN, null, true, false,
                        false));
        assertThat(parse("chsysstate", "-r", "lpar", "-m", "s", "-o", "on", "-n", "a", "-f", "p2"))
                .isEqualTo(new ChangeState("s", new PartitionRef.ByName("a"), Operation.ON, "p2", false, false, false));
        assertThat(parse("chsysstate", "-r", "lpar", "-m", "s", "-o", "on", "-n", "a", "--test"))
                .isEqualTo(new ChangeState("s", new PartitionRef.ByName("a"), Operation.ON, null, false, false, true));
        rejects("--test", "chsysstate", "-r", "lpar", "-m", "s", "-o", "restart", "-n", "a", "--test");
        assertThat(parse("chsysstate", "-r", "sys", "-m", "s", "-o", "on")).isEqualTo(new ChangeSystemState("s", true,
                false));
        assertThat(parse("chsysstate", "-r", "sys", "-m", "s", "-o", "off", "--immed"))
                .isEqualTo(new ChangeSystemState("s", false, true));
        rejects("-o", "chsysstate", "-r", "sys", "-m", "s", "-o", "rebuild");
        rejects("-o", "chsysstate", "-r", "lpar", "-m", "s", "-o", "off", "-n", "a");
        rejects("-m", "chsysstate", "-r", "lpar", "-o", "on", "-n", "a");
    }

    @Test
    void lsrefcodeAndVtermsNameTheirPartition() {
        assertThat(parse("lsrefcode", "-r", "lpar", "-m", "s", "--filter", "lpar_ids=1"))
                .isEqualTo(new ListRefcode("s", new Filters(Map.of("lpar_ids", List.of("1"))), new Format(null,
                        false)));
        rejects("-r", "lsrefcode", "-r", "sys", "-m", "s");
        assertThat(parse("mkvterm", "-m", "s", "-p", "a")).isEqualTo(new OpenVterm("s", new PartitionRef.ByName("a")));
        assertThat(parse("rmvterm", "-m", "s", "--id", "2")).isEqualTo(new CloseVterm("s", new PartitionRef.ById(2)));
        rejects("-p or --id", "mkvterm", "-m", "s");
        assertThat(parse("mkvterm", "-m", "s", "-p", "a", "--view")).isEqualTo(new OpenVterm("s",
                new PartitionRef.ByName("a"), io.parvirt.hmc.command.PowerCommand.VtermMode.VIEW));
        assertThat(parse("mkvterm", "-m", "s", "--id", "2", "--take")).isEqualTo(new OpenVterm("s",
                new PartitionRef.ById(2), io.parvirt.hmc.command.PowerCommand.VtermMode.TAKE));
        rejects("--view, --take", "mkvterm", "-m", "s", "-p", "a", "--view", "--take");
    }

    @Test
    void lshwresBecomesAListingOfItsResourceAndLevel() {
        assertThat(parse("lshwres", "-r", "procpool", "-m", "s", "--filter", "pool_ids=0"))
                .isEqualTo(new ListHwres("s", HwresCommand.Resource.PROCPOOL, null, null, null, null,
                        new Filters(Map.of("pool_ids", List.of("0"))), new Format(null, false)));
        ListHwres mem = (ListHwres) parse("lshwres", "-r", "mem", "-m", "s", "--level", "sys", "--maxmem", "4096");
        assertThat(mem.maxMemMb()).isEqualTo(4096L);
        assertThat(mem.hptRatio()).isNull();
        assertThat(((ListHwres) parse("lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "lpar", "-m",
                "s")).rsubtype()).isEqualTo("eth");
        rejects("--level", "lshwres", "-r", "mem", "-m", "s", "--level", "pool");
        rejects("--maxmem", "lshwres", "-r", "mem", "-m", "s", "--level", "sys", "--maxmem", "0");
        rejects("--rsubtype", "lshwres", "-r", "virtualio", "-m", "s");
    }

    @Test
    void chhwresOfAPoolNamesThePoolAndItsAttributes() {
        assertThat(parse("chhwres", "-r", "procpool", "-m", "s", "-o", "s", "--poolname", "P1", "-a",
                "max_pool_proc_units=2")).isEqualTo(new ChangePool("s", new PoolRef.ByName("P1"),
                        List.of(set("max_pool_proc_units", "2"))));
        assertThat(parse("chhwres", "-r", "procpool", "-m", "s", "-o", "s", "--id", "3", "-a", "new_name=x"))
                .isEqualTo(new ChangePool("s", new PoolRef.ById(3), List.of(set("new_name", "x"))));
        assertThat(parse("chhwres", "-r", "procpool", "-m", "s", "-o", "s", "-p", "web", "--poolname", "P1"))
                .isEqualTo(new MoveToPool("s", "web", new PoolRef.ByName("P1")));
        rejects("--id", "chhwres", "-r", "procpool", "-m", "s", "-o", "s", "--id", "64", "-a", "a=1");
        rejects("--poolname or --id", "chhwres", "-r", "procpool", "-m", "s", "-o", "s", "-a", "a=1");
        rejects("-a", "chhwres", "-r", "procpool", "-m", "s", "-o", "s", "--id", "1");
        rejects("-o", "chhwres", "-r", "procpool", "-m", "s", "-o", "a", "--id", "1", "-a", "a=1");
    }

    @Test
    void chhwresOfProcessorsAndSwitches() {
        assertThat(parse("chhwres", "-r", "proc", "-m", "s", "-o", "a", "-p", "web", "--procunits", "0.5"))
                .isEqualTo(new ChangeProcessors("s", new PartitionRef.ByName("web"), ProcOperation.ADD, List.of(),
                        ProcUnits.parse("u", "0.5"), null, null, null));
        ChangeProcessors set = (ChangeProcessors) parse("chhwres", "-r", "proc", "-m", "s", "-o", "s", "--id", "2",
                "-a", "uncap_weight=9");
        assertThat(set.units()).isNull();
        assertThat(set.attributes()).containsExactly(set("uncap_weight", "9"));
        ChangeProcessors move = (ChangeProcessors) parse("chhwres", "-r", "proc", "-m", "s", "-o", "m", "-p", "a",
                "-t", "b", "--procunits", "0.1");
        assertThat(move.target()).isEqualTo(new PartitionRef.ByName("b"));
        rejects("--procunits", "chhwres", "-r", "proc", "-m", "s", "-o", "a", "-p", "web");
        rejects("-t or --tid", "chhwres", "-r", "proc", "-m", "s", "-o", "m", "-p", "a", "--procunits", "0.1");
        assertThat(parse("chhwres", "-r", "virtualio", "--rsubtype", "vswitch", "-m", "s", "-o", "a", "--vswitch",
                "ETH9")).isEqualTo(new ChangeVswitch("s", "ETH9", true));
    }

    @Test
    void virtualAdapterDlpar() {
        assertThat(parse("chhwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "s", "-p", "web", "-o", "a", "-s", "5",
                "-a", "port_vlan_id=7,\"addl_vlan_ids=8,9\"", "-w", "2")).isEqualTo(new ChangeVirtualAdapter("s",
                new PartitionRef.ByName("web"), "eth", AdapterOperation.ADD, 5, List.of(set("port_vlan_id", "7"),
                set("addl_vlan_ids", "8,9")), 2));
        assertThat(parse("chhwres", "-r", "virtualio", "--rsubtype", "scsi", "-m", "s", "--id", "3", "-o", "r", "-s",
                "6")).isEqualTo(new ChangeVirtualAdapter("s", new PartitionRef.ById(3), "scsi", AdapterOperation.REMOVE,
                6, List.of(), null));
        rejects("-s", "chhwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "s", "-p", "web", "-o", "r");
        rejects("-s", "chhwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "s", "-p", "web", "-o", "r", "-s", "x");
        rejects("-o", "chhwres", "-r", "virtualio", "--rsubtype", "scsi", "-m", "s", "-p", "web", "-o", "s", "-s", "6");
    }

    @Test
    void consoleEventsAndUsers() {
        assertThat(parse("lssvcevents", "-t", "console", "-d", "3")).isEqualTo(new ListEvents(true, 3,
                new Format(null, false)));
        rejects("-d", "lssvcevents", "-t", "console", "-d", "-1");
        assertThat(parse("mkhmcusr", "-u", "alice", "-a", "hmcviewer", "--passwd", "pw"))
                .isEqualTo(new MakeUser("alice", "hmcviewer", "pw"));
        assertThat(new MakeUser("alice", "hmcviewer", "secret!").toString()).doesNotContain("secret!");
        rejects("-a", "mkhmcusr", "-u", "alice", "-a", "root", "--passwd", "pw");
        rejects("-u", "mkhmcusr", "-u", "9lives", "-a", "hmcviewer", "--passwd", "pw");
        assertThat(parse("lshmcusr", "--filter", "names=a")).isEqualTo(new ListUsers(
                new Filters(Map.of("names", List.of("a"))), new Format(null, false)));
        assertThat(parse("rmhmcusr", "-u", "a")).isEqualTo(new RemoveUser("a"));
    }

    @Test
    void lslparutilTurnsItsTimeOptionsIntoAWindow() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        ListUtilization l = (ListUtilization) UtilizationParser.parse(List.of("-r", "lpar", "-m", "s", "-h", "2",
                "-n", "5", "--filter", "event_types=sample"), now);
        assertThat(l.types()).containsExactly(ResourceType.LPAR);
        assertThat(l.window().since()).isEqualTo(now.minus(Duration.ofHours(2)));
        assertThat(l.window().until()).isNull();
        assertThat(l.perResource()).isEqualTo(5);
        assertThat(l.eventTypes()).containsExactly("sample");
        ListUtilization all = (ListUtilization) UtilizationParser.parse(List.of("-r", "all", "-m", "s"), now);
        assertThat(all.types()).isEqualTo(Set.of(ResourceType.values()));
        assertThat(all.window().since()).isEqualTo(now.minus(UtilizationCommands.DEFAULT_WINDOW));
        assertThat(UtilizationParser.parse(List.of("-r", "config"), now)).isEqualTo(new ListSampleRate(null,
                new Format(null, false)));
        assertThatThrownBy(() -> UtilizationParser.parse(List.of("-r", "lpar", "-m", "s", "-d", "1",
                "--startyear", "2025"), now)).hasMessage(BAD + "-d, --startyear.");
        assertThatThrownBy(() -> UtilizationParser.parse(List.of("-r", "config", "-n", "1"), now))
                .hasMessage(BAD + "-n.");
        assertThatThrownBy(() -> UtilizationParser.parse(List.of("-r", "lpar", "-m", "s", "--startmonth", "2",
                "--startday", "30"), now)).hasMessage(BAD + "--startday.");
    }

    @Test
    void viosvrcmdNamesTheVios() {
        assertThat(parse("viosvrcmd", "-m", "s", "-p", "vios1", "-c", "lsmap -all"))
                .isEqualTo(new ViosCommand("s", new PartitionRef.ByName("vios1"), "lsmap -all"));
        rejects("-c", "viosvrcmd", "-m", "s", "-p", "vios1");
    }

    @Test
    void recordsRefuseWhatNoParserProduces() {
        assertThatThrownBy(() -> new PartitionRef.ById(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PoolRef.ById(64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MakePartition("s", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListSyscfg(Resource.LPAR, null, Filters.NONE, Format.PAIRS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChangeProcessors("s", new PartitionRef.ById(1), ProcOperation.MOVE, List.of(),
                null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chhwresOfProcessorCountsAndMemory() {
        assertThat(parse("chhwres", "-r", "proc", "-m", "s", "-o", "a", "-p", "web", "--procs", "1", "-w", "2"))
                .isEqualTo(new ChangeProcessors("s", new PartitionRef.ByName("web"), ProcOperation.ADD, List.of(),
                        null, null, 1, 2));
        ChangeProcessors move = (ChangeProcessors) parse("chhwres", "-r", "proc", "-m", "s", "-o", "m", "-p", "a",
                "-t", "b", "--procs", "2", "--procunits", "0.3");
        assertThat(move.procs()).isEqualTo(2);
        assertThat(move.units()).isEqualTo(ProcUnits.parse("u", "0.3"));
        rejects("--procs", "chhwres", "-r", "proc", "-m", "s", "-o", "a", "-p", "web", "--procs", "0");
        assertThat(parse("chhwres", "-r", "proc", "-m", "s", "-o", "s", "-p", "web", "--procs", "3"))
                .as("-o s --procs N sets the count").isEqualTo(new ChangeProcessors("s",
                        new PartitionRef.ByName("web"), ProcOperation.SET, List.of(), null, null, 3, null));
        assertThat(parse("chhwres", "-r", "mem", "-m", "s", "-o", "r", "--id", "3", "-q", "512"))
                .isEqualTo(new ChangeMemory("s", new PartitionRef.ById(3), MemOperation.REMOVE, 512, null, null));
        assertThat(parse("chhwres", "-r", "mem", "-m", "s", "-o", "m", "-p", "a", "-t", "b", "-q", "256", "-w", "0"))
                .isEqualTo(new ChangeMemory("s", new PartitionRef.ByName("a"), MemOperation.MOVE, 256,
                        new PartitionRef.ByName("b"), 0));
        rejects("-q", "chhwres", "-r", "mem", "-m", "s", "-o", "a", "-p", "web");
        rejects("-w", "chhwres", "-r", "mem", "-m", "s", "-o", "a", "-p", "web", "-q", "256", "-w", "x");
    }
}
