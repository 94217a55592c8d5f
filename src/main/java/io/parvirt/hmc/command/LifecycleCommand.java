package io.parvirt.hmc.command;

import io.parvirt.model.AttributeInput.Assignment;
import java.util.List;
import java.util.Objects;

/**
 * The partition lifecycle beyond start and stop (issue 19): HMC system profiles
 * ({@code -r sysprof} of {@code lssyscfg}, {@code mksyscfg}, {@code chsyscfg}, {@code rmsyscfg},
 * {@code chsysstate}), profile data backup ({@code bkprofdata}, {@code rstprofdata}) and parvirt's
 * partition templates ({@code -r lpartemplate}, and {@code mksyscfg -r lpar --template}).
 */
public sealed interface LifecycleCommand extends HmcCommand {

    /** {@code lssyscfg -r sysprof}; filter {@code sysprof_names}. */
    @Verb("lssyscfg")
    record ListSystemProfiles(String system, Filters filter, Format format) implements LifecycleCommand {
        public ListSystemProfiles {
            Objects.requireNonNull(system);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /** {@code mksyscfg -r sysprof} ({@code create}) or {@code chsyscfg -r sysprof}: one per record, all or none. */
    record EditSystemProfiles(String system, List<List<Assignment>> records, boolean create)
            implements LifecycleCommand {
        public EditSystemProfiles {
            Objects.requireNonNull(system);
            if (records.isEmpty() || records.stream().anyMatch(List::isEmpty)) {
                throw new IllegalArgumentException("a command carries at least one record, each with attributes");
            }
            records = records.stream().map(List::copyOf).toList();
        }

        @Override
        public String verb() {
            return create ? "mksyscfg" : "chsyscfg";
        }
    }

    /** {@code rmsyscfg -r sysprof -n NAME}. */
    @Verb("rmsyscfg")
    record RemoveSystemProfile(String system, String name) implements LifecycleCommand {
        public RemoveSystemProfile {
            Objects.requireNonNull(system);
            Objects.requireNonNull(name);
        }
    }

    /** {@code chsysstate -r sysprof -o on -n NAME [--test]}: {@code test} validates and starts nothing. */
    @Verb("chsysstate")
    record ActivateSystemProfile(String system, String name, boolean test) implements LifecycleCommand {
        public ActivateSystemProfile {
            Objects.requireNonNull(system);
            Objects.requireNonNull(name);
        }
    }

    /** {@code bkprofdata -m SYS -f FILE [--force]}: FILE is a name in the home's profile data directory. */
    @Verb("bkprofdata")
    record BackupProfileData(String system, String file, boolean force) implements LifecycleCommand {
        public BackupProfileData {
            Objects.requireNonNull(system);
            Objects.requireNonNull(file);
        }
    }

    /** {@code rstprofdata -m SYS -l 1|2|3|4 [-f FILE]}: the HMC's restore types. */
    @Verb("rstprofdata")
    record RestoreProfileData(String system, int level, String file) implements LifecycleCommand {
        public RestoreProfileData {
            Objects.requireNonNull(system);
            if (level < 1 || level > 4 || (level != 4 && file == null)) {
                throw new IllegalArgumentException("restore type 1 to 4; a file for 1 to 3");
            }
        }
    }

    /** {@code mksyscfg -r lpartemplate -i "name=T,lpar_name=P"}: saves partition P's definition as template T. */
    @Verb("mksyscfg")
    record SaveTemplates(String system, List<List<Assignment>> records) implements LifecycleCommand {
        public SaveTemplates {
            Objects.requireNonNull(system);
            records = records.stream().map(List::copyOf).toList();
        }
    }

    /** {@code lssyscfg -r lpartemplate}; filter {@code template_names}. */
    @Verb("lssyscfg")
    record ListTemplates(String system, Filters filter, Format format) implements LifecycleCommand {
        public ListTemplates {
            Objects.requireNonNull(system);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /** {@code rmsyscfg -r lpartemplate -n T}. */
    @Verb("rmsyscfg")
    record RemoveTemplate(String system, String name) implements LifecycleCommand {
        public RemoveTemplate {
            Objects.requireNonNull(system);
            Objects.requireNonNull(name);
        }
    }

    /**
     * {@code mksyscfg -r lpar --template T -i|-f}: one partition per record, each record's
     * attributes (at least {@code name}) over the template's; all or none.
     */
    @Verb("mksyscfg")
    record DeployTemplate(String system, String template, List<List<Assignment>> records)
            implements LifecycleCommand {
        public DeployTemplate {
            Objects.requireNonNull(system);
            Objects.requireNonNull(template);
            if (records.isEmpty()) {
                throw new IllegalArgumentException("deploy at least one partition");
            }
            records = records.stream().map(List::copyOf).toList();
        }
    }
}
