package io.parvirt.hmc;

import io.parvirt.hmc.command.LifecycleCommand;
import io.parvirt.hmc.command.LifecycleCommand.ActivateSystemProfile;
import io.parvirt.hmc.command.LifecycleCommand.BackupProfileData;
import io.parvirt.hmc.command.LifecycleCommand.DeployTemplate;
import io.parvirt.hmc.command.LifecycleCommand.EditSystemProfiles;
import io.parvirt.hmc.command.LifecycleCommand.ListSystemProfiles;
import io.parvirt.hmc.command.LifecycleCommand.ListTemplates;
import io.parvirt.hmc.command.LifecycleCommand.RemoveSystemProfile;
import io.parvirt.hmc.command.LifecycleCommand.RemoveTemplate;
import io.parvirt.hmc.command.LifecycleCommand.RestoreProfileData;
import io.parvirt.hmc.command.LifecycleCommand.SaveTemplates;
import io.parvirt.model.Partition;
import io.parvirt.model.PartitionTemplate;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemProfile;
import io.parvirt.partition.LaunchPlan;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** System profiles, profile data backup and partition templates, carried out by the services. */
final class LifecycleCommands {
    /** {@code lssyscfg -r sysprof}, in the HMC's order. */
    static final Set<String> SYSPROF_ATTRIBUTES = Set.of("name", "lpar_names", "lpar_ids", "profile_names");
    static final Set<String> TEMPLATE_ATTRIBUTES = Set.of("name", "source_lpar_name", "lpar_env", "profile_names",
            "default_profile", "desired_mem", "desired_procs", "desired_proc_units", "virtual_eth_adapters",
            "virtual_scsi_adapters", "parvirt_image");

    private final ManagedSystem sys;
    private final PartitionOperations operations;

    LifecycleCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult run(LifecycleCommand command, String user) {
        Systems.check(sys, system(command));
        return switch (command) {
            case ListSystemProfiles l -> listSystemProfiles(l);
            case EditSystemProfiles e -> {
                sys.editSystemProfiles(e.records(), e.create(), user);
                yield HmcResult.OK;
            }
            case RemoveSystemProfile r -> {
                sys.removeSystemProfile(r.name(), user);
                yield HmcResult.OK;
            }
            case ActivateSystemProfile a -> {
                List<LaunchPlan> plans = operations.activate(sys.systemProfile(a.name()), a.test());
                if (!a.test()) {
                    yield HmcResult.OK;
                }
                StringBuilder out = new StringBuilder();
                for (LaunchPlan plan : plans) {
                    out.append(LaunchPlans.describe(sys.partition(plan.spec().lparId()), plan));
                }
                yield HmcResult.text(out.toString());
            }
            case BackupProfileData b -> {
                sys.backupProfileData(b.file(), b.force(), user);
                yield HmcResult.OK;
            }
            case RestoreProfileData r -> {
                sys.restoreProfileData(r.level(), r.file(), user);
                yield HmcResult.OK;
            }
            case SaveTemplates s -> {
                sys.saveTemplates(s.records(), user);
                yield HmcResult.OK;
            }
            case ListTemplates l -> listTemplates(l);
            case RemoveTemplate r -> {
                sys.removeTemplate(r.name(), user);
                yield HmcResult.OK;
            }
            case DeployTemplate d -> {
                sys.deployTemplate(d.template(), d.records(), user);
                yield HmcResult.OK;
            }
        };
    }

    private static String system(LifecycleCommand c) {
        return switch (c) {
            case ListSystemProfiles x -> x.system();
            case EditSystemProfiles x -> x.system();
            case RemoveSystemProfile x -> x.system();
            case ActivateSystemProfile x -> x.system();
            case BackupProfileData x -> x.system();
            case RestoreProfileData x -> x.system();
            case SaveTemplates x -> x.system();
            case ListTemplates x -> x.system();
            case RemoveTemplate x -> x.system();
            case DeployTemplate x -> x.system();
        };
    }

    private HmcResult listSystemProfiles(ListSystemProfiles l) {
        SystemDefinition def = sys.definition();
        List<String> names = l.filter().get("sysprof_names");
        List<Row> rows = new ArrayList<>();
        for (SystemProfile sp : sys.systemProfiles()) {
            if (names != null && !names.contains(sp.name())) {
                continue;
            }
            rows.add(new Row().put("name", sp.name())
                    .put("lpar_names", io.parvirt.model.AttributeOutput.list(sp.members().stream().map(m -> def.partition(m.lparId())
                            .map(Partition::name).orElse("")).toList()))
                    .put("lpar_ids", io.parvirt.model.AttributeOutput.list(sp.members().stream().map(m -> Integer.toString(m.lparId()))
                            .toList()))
                    .put("profile_names", io.parvirt.model.AttributeOutput.list(sp.members().stream().map(SystemProfile.Member::profile)
                            .toList())));
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), SYSPROF_ATTRIBUTES);
    }

    private HmcResult listTemplates(ListTemplates l) {
        List<String> names = l.filter().get("template_names");
        List<Row> rows = new ArrayList<>();
        for (PartitionTemplate t : sys.templates()) {
            if (names != null && !names.contains(t.name())) {
                continue;
            }
            Profile d = t.profiles().stream().filter(p -> p.name().equals(t.partition().defaultProfile()))
                    .findFirst().orElseThrow();
            rows.add(new Row().put("name", t.name()).put("source_lpar_name", t.source())
                    .put("lpar_env", t.partition().env().hmcName())
                    .put("profile_names", io.parvirt.model.AttributeOutput.list(t.profiles().stream().map(Profile::name).toList()))
                    .put("default_profile", t.partition().defaultProfile())
                    .put("desired_mem", d.memory().desiredMb())
                    .put("desired_procs", d.processors().desiredProcs())
                    .put("desired_proc_units", d.processors().shared() ? d.processors().desiredUnits().toString()
                            : "")
                    .put("virtual_eth_adapters", ProfileView.adapters(d.io().eth()))
                    .put("virtual_scsi_adapters", ProfileView.adapters(d.io().scsi()))
                    .put("parvirt_image", d.options().image() == null ? "default" : d.options().image()));
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), TEMPLATE_ATTRIBUTES);
    }
}
